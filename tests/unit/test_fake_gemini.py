"""The fake Gemini server against the real google-genai SDK: catalogue, keys, thinking, usage,
implicit and explicit caching, request accounting, the Batch and Files APIs and the Vertex AI path."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from google import genai
from google.genai import errors, types

from producer_tools.fake_gemini import GA_MODELS, RETIRED_MODELS, FakeGemini, ModelSpec, Status, count_tokens

API_KEY = "fake-key-1"
LITE = "gemini-3.5-flash-lite"
PROMISE = "<transcript>Customer: Wednesday ko pay kar dunga.</transcript>"
BIG_INSTRUCTION = "You classify debt collection calls. " * 500  # ~18,000 chars, > 4,096 tokens
SCHEMA = {
    "type": "object",
    "properties": {"intent_category": {"type": "string"}},
    "required": ["intent_category"],
}
TERMINAL = {
    types.JobState.JOB_STATE_SUCCEEDED,
    types.JobState.JOB_STATE_FAILED,
    types.JobState.JOB_STATE_CANCELLED,
    types.JobState.JOB_STATE_EXPIRED,
}

ClientFactory = Callable[..., genai.Client]


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(api_keys={API_KEY}, batch_seconds=0.2) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
async def make_client(fake: FakeGemini, session: aiohttp.ClientSession) -> AsyncIterator[ClientFactory]:
    """SDK clients pointed at the fake (v1beta, no SDK retries), all closed afterwards."""
    made: list[genai.Client] = []

    def factory(api_key: str = API_KEY, **kwargs: Any) -> genai.Client:
        options = types.HttpOptions(
            base_url=fake.url,
            api_version=kwargs.pop("api_version", "v1beta"),
            retry_options=types.HttpRetryOptions(attempts=1),
            aiohttp_client=session,
        )
        client = genai.Client(api_key=api_key, http_options=options, **kwargs)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aio.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> genai.Client:
    return make_client()


async def generate(client: genai.Client, model: str = LITE, **config: Any) -> types.GenerateContentResponse:
    return await client.aio.models.generate_content(
        model=model, contents=PROMISE, config=types.GenerateContentConfig(**config) if config else None
    )


async def client_error(call: Any) -> errors.ClientError:
    with pytest.raises(errors.ClientError) as caught:
        await call
    return caught.value


# --- 1. model catalogue -------------------------------------------------------------------------


async def test_models_get_returns_the_documented_model_resource(client: genai.Client) -> None:
    model = await client.aio.models.get(model=LITE)

    assert model.name == f"models/{LITE}"
    assert model.display_name == "Gemini 3.5 Flash-Lite"
    assert model.input_token_limit == 1_048_576
    assert model.output_token_limit == 65_536
    assert model.supported_actions == [
        "generateContent",
        "countTokens",
        "createCachedContent",
        "batchGenerateContent",
    ]
    assert model.thinking is True
    assert model.temperature == 1.0
    assert model.max_temperature == 2.0


async def test_models_list_pages_through_the_served_models(fake: FakeGemini, client: genai.Client) -> None:
    pager = await client.aio.models.list(config={"page_size": 2})
    names = [m.name async for m in pager]

    assert names == [f"models/{m}" for m in fake.served_models]
    assert {f"models/{m.model_id}" for m in GA_MODELS} <= set(names)
    assert not {f"models/{m}" for m in RETIRED_MODELS} & set(names)


@pytest.mark.parametrize("model", ["gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro", "no-such-model"])
async def test_retired_and_unknown_models_are_not_found(client: genai.Client, model: str) -> None:
    expected = (
        f"models/{model} is not found for API version v1beta, or is not supported for generateContent. "
        "Call ListModels to see the list of available models and their supported methods."
    )
    for call in (client.aio.models.get(model=model), generate(client, model)):
        error = await client_error(call)
        assert (error.code, error.status, error.message) == (404, "NOT_FOUND", expected)


async def test_a_model_is_retired_then_restored_at_run_time(
    fake: FakeGemini, client: genai.Client, session: aiohttp.ClientSession
) -> None:
    assert (await generate(client)).text
    fake.retire_model(LITE)
    assert (await client_error(generate(client))).code == 404
    assert (await client_error(client.aio.models.get(model=LITE))).code == 404
    assert LITE not in fake.served_models

    fake.restore_model(LITE)
    assert (await generate(client)).text

    async with session.post(f"{fake.url}/_fake/mode", json={"retire_models": [LITE]}) as response:
        assert response.status == 200
    assert (await client_error(generate(client))).code == 404
    async with session.post(f"{fake.url}/_fake/mode", json={"restore_models": [LITE, "gemini-2.5-flash"]}):
        pass
    assert (await generate(client)).text
    assert (await client.aio.models.get(model="gemini-2.5-flash")).name == "models/gemini-2.5-flash"


def sdk_client(url: str, session: aiohttp.ClientSession) -> genai.Client:
    """An SDK client for another fake (the caller closes it)."""
    options = types.HttpOptions(
        base_url=url,
        api_version="v1beta",
        retry_options=types.HttpRetryOptions(attempts=1),
        aiohttp_client=session,
    )
    return genai.Client(api_key=API_KEY, http_options=options)


async def test_the_catalogue_is_configurable(session: aiohttp.ClientSession) -> None:
    custom = ModelSpec(
        "gemini-9-flash", "Gemini 9 Flash", thinking_levels=("low", "high"), default_thinking_level="low"
    )
    async with FakeGemini(models=[custom], retired_models=[]) as other:
        client = sdk_client(other.url, session)
        try:
            response = await generate(client, "gemini-9-flash")
            assert response.usage_metadata is not None
            assert response.usage_metadata.thoughts_token_count == 64
            assert (await client_error(generate(client, LITE))).code == 404
        finally:
            await client.aio.aclose()


# --- 2. API keys --------------------------------------------------------------------------------


async def test_a_wrong_key_is_invalid_argument_with_error_info(
    fake: FakeGemini, make_client: ClientFactory
) -> None:
    error = await client_error(generate(make_client(api_key="wrong")))

    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "API key not valid. Please pass a valid API key."
    assert error.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert fake.outcomes == {"http_400": 1}


async def test_a_missing_key_is_permission_denied(fake: FakeGemini, session: aiohttp.ClientSession) -> None:
    for path in (f"/v1beta/models/{LITE}", "/v1beta/models", "/v1beta/cachedContents", "/v1beta/batches"):
        async with session.get(f"{fake.url}{path}") as response:
            body = await response.json()
        assert response.status == 403, path
        assert body["error"]["status"] == "PERMISSION_DENIED"
        assert body["error"]["message"].startswith("Method doesn't allow unregistered callers")
    async with session.get(f"{fake.url}/v1beta/models/{LITE}", params={"key": API_KEY}) as response:
        assert response.status == 200


async def test_a_key_is_rotated_at_run_time(
    fake: FakeGemini, make_client: ClientFactory, session: aiohttp.ClientSession
) -> None:
    old, new = make_client(), make_client(api_key="fake-key-2")
    assert (await generate(old)).text
    fake.set_api_keys({"fake-key-2"})
    assert (await client_error(generate(old))).code == 400
    assert (await generate(new)).text

    async with session.post(f"{fake.url}/_fake/mode", json={"api_keys": None}):
        pass
    assert (await generate(make_client(api_key="anything"))).text


# --- 3. thinking configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "level", "thoughts"),
    [
        (LITE, None, 0),
        (LITE, "minimal", 0),
        (LITE, "low", 64),
        ("gemini-3.5-flash", None, 256),
        ("gemini-3.8-flash", "high", 1024),
        ("gemini-3.8-flash", None, 256),
        ("gemini-3.1-flash-lite", "medium", 256),
    ],
)
async def test_thinking_levels_set_thought_tokens(
    fake: FakeGemini, client: genai.Client, model: str, level: str | None, thoughts: int
) -> None:
    config = {"thinking_config": types.ThinkingConfig(thinking_level=level)} if level else {}
    response = await generate(client, model, **config)

    assert response.usage_metadata is not None
    assert (response.usage_metadata.thoughts_token_count or 0) == thoughts
    spec = fake.catalogue[model]
    assert fake.last.thinking_level == (level or spec.default_thinking_level)


async def test_uppercase_and_lowercase_levels_are_accepted(
    fake: FakeGemini, session: aiohttp.ClientSession
) -> None:
    for key, value in (("thinkingLevel", "low"), ("thinking_level", "LOW")):
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generationConfig": {"thinkingConfig": {key: value}},
        }
        url = f"{fake.url}/v1beta/models/{LITE}:generateContent"
        async with session.post(url, json=body, headers={"x-goog-api-key": API_KEY}) as response:
            assert response.status == 200
            assert (await response.json())["usageMetadata"]["thoughtsTokenCount"] == 64


@pytest.mark.parametrize(
    ("model", "thinking", "message"),
    [
        ("gemini-3.8-flash", {"thinking_level": "minimal"}, "Thinking level MINIMAL is not supported"),
        ("gemini-2.5-flash-lite", {"thinking_level": "low"}, "Thinking level is not supported"),
        (
            LITE,
            {"thinking_level": "low", "thinking_budget": 128},
            "You can only set only one of thinking budget",
        ),
        ("gemini-2.5-flash-lite", {"thinking_budget": 100}, "The thinking budget (100) is invalid"),
    ],
)
async def test_invalid_thinking_is_rejected(
    fake: FakeGemini, client: genai.Client, model: str, thinking: dict[str, Any], message: str
) -> None:
    error = await client_error(generate(client, model, thinking_config=types.ThinkingConfig(**thinking)))

    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message is not None
    assert error.message.startswith(message)
    assert fake.outcomes == {"http_400": 1}


async def test_both_thinking_settings_give_the_documented_message(client: genai.Client) -> None:
    config = types.ThinkingConfig(thinking_level=types.ThinkingLevel.LOW, thinking_budget=1024)
    error = await client_error(generate(client, thinking_config=config))

    assert error.message == "You can only set only one of thinking budget and thinking level."


@pytest.mark.parametrize(("budget", "thoughts"), [(None, 0), (0, 0), (512, 256), (-1, 256)])
async def test_thinking_budgets_on_a_2_5_model(
    fake: FakeGemini, client: genai.Client, budget: int | None, thoughts: int
) -> None:
    config = {"thinking_config": types.ThinkingConfig(thinking_budget=budget)} if budget is not None else {}
    response = await generate(client, "gemini-2.5-flash-lite", **config)

    assert response.usage_metadata is not None
    assert (response.usage_metadata.thoughts_token_count or 0) == thoughts
    assert fake.last.thinking_level is None
    assert fake.last.thinking_budget == (budget if budget is not None else 0)


# --- 4. usage metadata and thought signatures ---------------------------------------------------


async def test_usage_metadata_counts_everything_the_model_reads(
    fake: FakeGemini, client: genai.Client
) -> None:
    response = await generate(
        client,
        system_instruction="Classify the call.",
        response_mime_type="application/json",
        response_json_schema=SCHEMA,
        thinking_config=types.ThinkingConfig(thinking_level="low"),
    )

    usage = response.usage_metadata
    assert usage is not None
    sent_schema = fake.last.generation_config["responseJsonSchema"]
    expected_prompt = math.ceil(len("Classify the call." + PROMISE + json.dumps(sent_schema)) / 4)
    assert usage.prompt_token_count == expected_prompt
    assert response.text is not None
    assert usage.candidates_token_count == count_tokens(response.text)
    assert usage.thoughts_token_count == 64
    assert usage.cached_content_token_count is None
    assert usage.total_token_count == expected_prompt + count_tokens(response.text) + 64
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details[0].modality == types.MediaModality.TEXT
    assert usage.prompt_tokens_details[0].token_count == expected_prompt
    assert response.model_version == LITE
    assert response.response_id
    assert json.loads(response.text)["intent_category"] == "promise_to_pay"
    assert fake.last.usage["promptTokenCount"] == expected_prompt


async def test_gemini_3_answers_carry_a_deterministic_thought_signature(
    fake: FakeGemini, client: genai.Client
) -> None:
    first, again = await generate(client), await generate(client)
    assert first.candidates
    assert first.candidates[0].content
    assert first.candidates[0].content.parts
    assert again.candidates
    assert again.candidates[0].content
    assert again.candidates[0].content.parts
    signature = first.candidates[0].content.parts[-1].thought_signature
    assert signature
    assert again.candidates[0].content.parts[-1].thought_signature == signature
    assert not fake.last.carried_thought_signature

    repair = [
        types.Content(role="user", parts=[types.Part(text=PROMISE)]),
        first.candidates[0].content,
        types.Content(role="user", parts=[types.Part(text="Your previous answer was invalid.")]),
    ]
    await client.aio.models.generate_content(model=LITE, contents=repair)
    assert fake.last.carried_thought_signature

    older = await generate(client, "gemini-2.5-flash-lite")
    assert older.candidates
    assert older.candidates[0].content
    assert older.candidates[0].content.parts
    assert older.candidates[0].content.parts[-1].thought_signature is None


# --- 5. implicit caching ------------------------------------------------------------------------


async def test_implicit_cache_hits_a_repeated_long_system_instruction(
    fake: FakeGemini, client: genai.Client
) -> None:
    prefix_tokens = count_tokens(BIG_INSTRUCTION)
    first = await generate(client, system_instruction=BIG_INSTRUCTION)
    second = await generate(client, system_instruction=BIG_INSTRUCTION)
    other_model = await generate(client, "gemini-3.5-flash", system_instruction=BIG_INSTRUCTION)
    short = [await generate(client, system_instruction="Short.") for _ in range(2)]

    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    assert first.usage_metadata.cached_content_token_count is None
    assert second.usage_metadata.cached_content_token_count == prefix_tokens
    assert second.usage_metadata.prompt_token_count == first.usage_metadata.prompt_token_count
    assert other_model.usage_metadata is not None
    assert other_model.usage_metadata.cached_content_token_count is None
    assert short[1].usage_metadata is not None
    assert short[1].usage_metadata.cached_content_token_count is None
    assert fake.stats()["caches"]["implicit_hits"] == 1


async def test_implicit_cache_forgets_after_its_ttl(session: aiohttp.ClientSession) -> None:
    async with FakeGemini(implicit_cache_ttl_s=0.05, implicit_cache_min_tokens=5) as other:
        client = sdk_client(other.url, session)
        try:
            await generate(client, system_instruction="A fairly long instruction text.")
            await asyncio.sleep(0.1)
            late = await generate(client, system_instruction="A fairly long instruction text.")
            assert late.usage_metadata is not None
            assert late.usage_metadata.cached_content_token_count is None
        finally:
            await client.aio.aclose()


# --- 6. explicit caching ------------------------------------------------------------------------


async def create_cache(client: genai.Client, model: str = LITE, **config: Any) -> types.CachedContent:
    config.setdefault("system_instruction", BIG_INSTRUCTION)
    return await client.aio.caches.create(model=model, config=types.CreateCachedContentConfig(**config))


async def test_cache_lifecycle(fake: FakeGemini, client: genai.Client) -> None:
    cache = await create_cache(client, display_name="instructions", ttl="300s")

    assert cache.name is not None
    assert cache.name.startswith("cachedContents/")
    assert cache.model == f"models/{LITE}"
    assert cache.display_name == "instructions"
    assert cache.usage_metadata is not None
    assert cache.usage_metadata.total_token_count == count_tokens(BIG_INSTRUCTION)
    assert cache.create_time is not None
    assert cache.expire_time is not None
    assert 299 <= (cache.expire_time - cache.create_time).total_seconds() <= 301
    assert cache.name in fake.caches

    fetched = await client.aio.caches.get(name=cache.name)
    assert fetched.expire_time == cache.expire_time

    updated = await client.aio.caches.update(
        name=cache.name, config=types.UpdateCachedContentConfig(ttl="600s")
    )
    assert updated.expire_time is not None
    assert updated.expire_time > cache.expire_time

    await client.aio.caches.delete(name=cache.name)
    assert cache.name not in fake.caches
    error = await client_error(client.aio.caches.get(name=cache.name))
    assert (error.code, error.status, error.message) == (
        403,
        "PERMISSION_DENIED",
        "CachedContent not found (or permission denied)",
    )
    assert (await client_error(client.aio.caches.delete(name=cache.name))).code == 403
    stats = fake.stats()["caches"]
    assert (stats["created"], stats["deleted"], stats["live"]) == (1, 1, 0)


async def test_default_ttl_is_one_hour_and_list_paginates(client: genai.Client) -> None:
    caches = [await create_cache(client, display_name=f"c{i}") for i in range(3)]
    first = caches[0]
    assert first.create_time is not None
    assert first.expire_time is not None
    assert 3599 <= (first.expire_time - first.create_time).total_seconds() <= 3601

    pager = await client.aio.caches.list(config={"page_size": 2})
    listed = [c.name async for c in pager]
    assert listed == [c.name for c in caches]


async def test_a_too_small_cache_is_rejected(client: genai.Client) -> None:
    error = await client_error(create_cache(client, system_instruction="Too short."))

    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "Cached content is too small. total_token_count=3, min_total_token_count=1024"


async def test_generate_with_a_cache(fake: FakeGemini, client: genai.Client) -> None:
    cache = await create_cache(client)
    response = await generate(client, cached_content=cache.name)

    usage = response.usage_metadata
    assert usage is not None
    cached = count_tokens(BIG_INSTRUCTION)
    assert usage.cached_content_token_count == cached
    assert usage.prompt_token_count == cached + count_tokens(PROMISE)
    assert response.text is not None
    assert json.loads(response.text)["intent_category"] == "promise_to_pay"
    assert fake.last.cached_content == cache.name
    assert fake.stats()["caches"]["hits"] == 1


async def test_a_cache_cannot_be_combined_with_a_system_instruction_or_another_model(
    client: genai.Client,
) -> None:
    cache = await create_cache(client)

    error = await client_error(generate(client, cached_content=cache.name, system_instruction="again"))
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message is not None
    assert error.message.startswith(
        "CachedContent can not be used with GenerateContent request setting "
        "system_instruction, tools or tool_config."
    )

    error = await client_error(generate(client, "gemini-3.5-flash", cached_content=cache.name))
    assert error.code == 400
    assert error.message == (
        f"Model used by GenerateContent request (models/gemini-3.5-flash) and CachedContent (models/{LITE}) "
        "has to be the same."
    )


async def test_expired_caches_are_permission_denied(
    fake: FakeGemini, client: genai.Client, session: aiohttp.ClientSession
) -> None:
    short = await create_cache(client, ttl="0.05s")
    long = await create_cache(client)
    await asyncio.sleep(0.1)
    assert short.name is not None
    assert long.name is not None
    error = await client_error(generate(client, cached_content=short.name))
    assert (error.code, error.status) == (403, "PERMISSION_DENIED")
    assert (await generate(client, cached_content=long.name)).text

    assert fake.expire_caches() == 1
    assert fake.caches == {}
    assert (await client_error(generate(client, cached_content=long.name))).code == 403
    assert (await client_error(client.aio.caches.update(name=long.name, config={"ttl": "60s"}))).code == 403

    again = await create_cache(client)
    async with session.post(f"{fake.url}/_fake/mode", json={"expire_caches": True}):
        pass
    assert again.name is not None
    assert (await client_error(client.aio.caches.get(name=again.name))).code == 403
    assert fake.stats()["caches"]["expired"] == 3


async def test_patch_with_update_mask_and_expire_time(
    fake: FakeGemini, session: aiohttp.ClientSession, client: genai.Client
) -> None:
    cache = await create_cache(client)
    headers = {"x-goog-api-key": API_KEY}
    url = f"{fake.url}/v1beta/{cache.name}"
    async with session.patch(
        url, params={"updateMask": "ttl"}, json={"ttl": "1.5s"}, headers=headers
    ) as response:
        body = await response.json()
    assert response.status == 200
    assert body["expireTime"].endswith("Z")
    expire = "2099-01-01T00:00:00.123456789Z"
    async with session.patch(
        url, params={"updateMask": "expireTime"}, json={"expireTime": expire}, headers=headers
    ) as response:
        body = await response.json()
    assert body["expireTime"] == "2099-01-01T00:00:00.123456Z"
    async with session.patch(
        url, params={"updateMask": "model"}, json={"model": "x"}, headers=headers
    ) as response:
        assert response.status == 400


# --- 7. request accounting ----------------------------------------------------------------------


async def test_stats_report_bytes_and_tokens(
    fake: FakeGemini, client: genai.Client, session: aiohttp.ClientSession
) -> None:
    responses = [await generate(client, system_instruction="Classify.") for _ in range(3)]

    async with session.get(f"{fake.url}/_fake/stats") as response:
        stats = await response.json()
    sizes = [r.body_bytes for r in fake.requests]
    assert all(size > 0 for size in sizes)
    assert stats["requests"] == 3
    assert stats["bytes_received"] == sum(sizes)
    assert stats["bytes_per_request"] == pytest.approx(sum(sizes) / 3)
    usages = [r.usage_metadata for r in responses]
    assert stats["tokens"]["prompt"] == sum(u.prompt_token_count or 0 for u in usages if u)
    assert stats["tokens"]["candidates"] == sum(u.candidates_token_count or 0 for u in usages if u)
    assert stats["tokens"]["total"] == sum(u.total_token_count or 0 for u in usages if u)
    assert stats["tokens"]["cached"] == 0
    assert stats["tokens"]["thoughts"] == 0

    fake.script([Status(503)])
    with pytest.raises(errors.ServerError):
        await generate(client)
    assert fake.stats()["requests"] == 4
    assert fake.stats()["answered"] == 3


# --- 9. Batch and Files APIs --------------------------------------------------------------------


async def wait_for_batch(client: genai.Client, name: str) -> tuple[types.BatchJob, list[types.JobState]]:
    seen: list[types.JobState] = []
    for _ in range(200):
        job = await client.aio.batches.get(name=name)
        assert job.state is not None
        if not seen or seen[-1] != job.state:
            seen.append(job.state)
        if job.state in TERMINAL:
            return job, seen
        await asyncio.sleep(0.02)
    raise AssertionError("the batch never finished")


def inline_request(text: str, key: str, **config: Any) -> types.InlinedRequest:
    return types.InlinedRequest(
        contents=text,
        metadata={"key": key},
        config=types.GenerateContentConfig(**config) if config else None,
    )


async def test_inline_batch_runs_to_success_with_per_item_failures(
    fake: FakeGemini, client: genai.Client
) -> None:
    fake.fail_batch_items_containing = "POISON"
    src = [
        inline_request(PROMISE, "call-1", response_mime_type="application/json"),
        inline_request("Customer: wrong number hai.", "call-2", thinking_config={"thinking_level": "low"}),
        inline_request(
            "Customer: hello", "call-3", thinking_config={"thinking_level": "low", "thinking_budget": 5}
        ),
        inline_request("POISON", "call-4"),
    ]
    created = await client.aio.batches.create(model=LITE, src=src, config={"display_name": "calls"})

    assert created.name is not None
    assert created.name.startswith("batches/")
    assert created.state == types.JobState.JOB_STATE_PENDING
    assert created.display_name == "calls"
    job, seen = await wait_for_batch(client, created.name)
    assert seen[-1] == types.JobState.JOB_STATE_SUCCEEDED
    assert types.JobState.JOB_STATE_RUNNING in seen
    assert job.end_time is not None
    assert job.dest is not None
    assert job.dest.inlined_responses is not None
    items = job.dest.inlined_responses
    assert [i.metadata for i in items] == [{"key": f"call-{n}"} for n in range(1, 5)]
    first, second, invalid, poisoned = items
    assert first.response is not None
    assert first.response.text is not None
    assert json.loads(first.response.text)["intent_category"] == "promise_to_pay"
    assert second.response is not None
    assert second.response.text is not None
    assert json.loads(second.response.text)["intent_category"] == "wrong_party"
    assert second.response.usage_metadata is not None
    assert second.response.usage_metadata.thoughts_token_count == 64
    assert invalid.response is None
    assert invalid.error is not None
    assert invalid.error.code == 3  # google.rpc.Code INVALID_ARGUMENT
    assert invalid.error.message == "You can only set only one of thinking budget and thinking level."
    assert poisoned.error is not None
    assert poisoned.error.code == 13


async def test_batch_stats_progress(
    fake: FakeGemini, client: genai.Client, session: aiohttp.ClientSession
) -> None:
    created = await client.aio.batches.create(
        model=LITE, src=[inline_request(PROMISE, f"k{i}") for i in range(4)]
    )
    assert created.name is not None
    url = f"{fake.url}/v1beta/{created.name}"
    pending_counts = []
    for _ in range(100):
        async with session.get(url, headers={"x-goog-api-key": API_KEY}) as response:
            operation = await response.json()
        stats = operation["metadata"]["batchStats"]
        assert stats["requestCount"] == "4"
        pending_counts.append(int(stats["pendingRequestCount"]))
        if operation.get("done"):
            break
        await asyncio.sleep(0.01)
    assert operation["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert stats["successfulRequestCount"] == "4"
    assert pending_counts == sorted(pending_counts, reverse=True)
    assert pending_counts[0] == 4
    assert pending_counts[-1] == 0
    assert operation["response"]["output"]["inlinedResponses"]["inlinedResponses"][0]["metadata"] == {
        "key": "k0"
    }


async def test_batch_cancel_delete_list_and_failure(fake: FakeGemini, client: genai.Client) -> None:
    fake.batch_seconds = 5.0
    doomed = await client.aio.batches.create(model=LITE, src=[inline_request(PROMISE, "a")])
    cancelled = await client.aio.batches.create(model=LITE, src=[inline_request(PROMISE, "b")])
    assert doomed.name is not None
    assert cancelled.name is not None

    await client.aio.batches.cancel(name=cancelled.name)
    assert (await client.aio.batches.get(name=cancelled.name)).state == types.JobState.JOB_STATE_CANCELLED
    fake.fail_batch(doomed.name)
    assert (await client.aio.batches.get(name=doomed.name)).state == types.JobState.JOB_STATE_FAILED

    fake.batch_seconds = 0.0
    fake.fail_batches = True
    failing = await client.aio.batches.create(model=LITE, src=[inline_request(PROMISE, "c")])
    assert failing.state == types.JobState.JOB_STATE_FAILED

    pager = await client.aio.batches.list(config={"page_size": 2})
    assert [j.name async for j in pager] == [doomed.name, cancelled.name, failing.name]

    await client.aio.batches.delete(name=cancelled.name)
    error = await client_error(client.aio.batches.get(name=cancelled.name))
    assert (error.code, error.status) == (404, "NOT_FOUND")


async def test_batch_for_a_retired_model_is_not_found(client: genai.Client) -> None:
    error = await client_error(
        client.aio.batches.create(model="gemini-2.0-flash", src=[inline_request(PROMISE, "a")])
    )
    assert error.code == 404


async def test_file_batch_writes_a_jsonl_responses_file(
    fake: FakeGemini, client: genai.Client, tmp_path: Path
) -> None:
    lines = [
        {"key": "call-1", "request": {"contents": [{"role": "user", "parts": [{"text": PROMISE}]}]}},
        {
            "key": "call-2",
            "request": {
                "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                "generationConfig": {"thinkingConfig": {"thinkingLevel": "ultra"}},
            },
        },
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    uploaded = await client.aio.files.upload(file=path, config=types.UploadFileConfig(mime_type="jsonl"))
    assert uploaded.name is not None
    assert uploaded.name.startswith("files/")
    assert uploaded.state == types.FileState.ACTIVE
    assert uploaded.size_bytes == path.stat().st_size
    assert uploaded.mime_type == "jsonl"
    fetched = await client.aio.files.get(name=uploaded.name)
    assert fetched.uri == uploaded.uri

    created = await client.aio.batches.create(model=LITE, src=uploaded.name)
    assert created.name is not None
    job, _ = await wait_for_batch(client, created.name)
    assert job.state == types.JobState.JOB_STATE_SUCCEEDED
    assert job.dest is not None
    assert job.dest.file_name is not None

    data = await client.aio.files.download(file=job.dest.file_name)
    out = [json.loads(line) for line in data.decode().splitlines()]
    assert [line["key"] for line in out] == ["call-1", "call-2"]
    answer = out[0]["response"]["candidates"][0]["content"]["parts"][0]["text"]
    assert json.loads(answer)["intent_category"] == "promise_to_pay"
    assert out[1]["error"]["code"] == 3
    assert (await client_error(client.aio.files.get(name="files/nosuchfile"))).code == 403


# --- 8. Vertex AI -------------------------------------------------------------------------------


def service_account_file(tmp_path: Path, token_uri: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": "fake-key-id",
        "private_key": pem,
        "client_email": "analyzer@fake-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return path


async def test_vertex_generate_content_with_a_service_account(
    fake: FakeGemini, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    from google.oauth2 import service_account

    fake.set_access_tokens(set())  # only tokens the fake's OAuth2 endpoint issues
    credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(service_account_file(tmp_path, fake.token_url)),
        scopes=["https://www.googleapis.com/auth/cloud-platform"],
    )
    client = genai.Client(
        vertexai=True,
        project="fake-project",
        location="asia-south1",
        credentials=credentials,
        http_options=types.HttpOptions(
            base_url=fake.url, retry_options=types.HttpRetryOptions(attempts=1), aiohttp_client=session
        ),
    )
    try:
        response = await client.aio.models.generate_content(
            model=LITE,
            contents=PROMISE,
            config=types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_level="low")),
        )
        model = await client.aio.models.get(model=LITE)
        cache = await client.aio.caches.create(
            model=LITE, config=types.CreateCachedContentConfig(system_instruction=BIG_INSTRUCTION)
        )
        cached = await client.aio.models.generate_content(
            model=LITE, contents=PROMISE, config=types.GenerateContentConfig(cached_content=cache.name)
        )
        missing = await client_error(
            client.aio.models.generate_content(model="gemini-2.0-flash", contents="hi")
        )
    finally:
        await client.aio.aclose()

    assert response.text is not None
    assert json.loads(response.text)["intent_category"] == "promise_to_pay"
    request = fake.requests[0]
    assert request.path == (
        f"/v1beta1/projects/fake-project/locations/asia-south1/publishers/google/models/{LITE}:generateContent"
    )
    assert (request.project, request.location, request.thinking_level) == (
        "fake-project",
        "asia-south1",
        "low",
    )
    assert request.headers["Authorization"] == f"Bearer {fake.issued_tokens[0]}"
    assert len(fake.issued_tokens) == 1
    assert model.name == f"publishers/google/models/{LITE}"
    assert fake.endpoint_counts["vertex.models.get"] == 1
    assert cache.name is not None
    assert cache.name.startswith("projects/fake-project/locations/asia-south1/cachedContents/")
    assert cache.model == f"projects/fake-project/locations/asia-south1/publishers/google/models/{LITE}"
    assert cached.usage_metadata is not None
    assert cached.usage_metadata.cached_content_token_count == count_tokens(BIG_INSTRUCTION)
    assert missing.code == 404
    assert missing.message is not None
    assert "Publisher Model" in missing.message


async def test_vertex_paths_need_a_bearer_token(fake: FakeGemini, session: aiohttp.ClientSession) -> None:
    url = f"{fake.url}/v1beta1/projects/p/locations/global/publishers/google/models/{LITE}:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    async with session.post(url, json=body, headers={"x-goog-api-key": API_KEY}) as response:
        error = (await response.json())["error"]
    assert (response.status, error["status"]) == (401, "UNAUTHENTICATED")
    assert error["details"][0]["reason"] == "CREDENTIALS_MISSING"

    fake.set_access_tokens({"good-token"})
    async with session.post(url, json=body, headers={"Authorization": "Bearer bad"}) as response:
        assert response.status == 401
    async with session.post(url, json=body, headers={"Authorization": "Bearer good-token"}) as response:
        assert response.status == 200
    assert fake.last.vertex
    assert fake.last.location == "global"


async def test_token_endpoint_rejects_bad_grants(fake: FakeGemini, session: aiohttp.ClientSession) -> None:
    async with session.post(fake.token_url, data={"grant_type": "password"}) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "unsupported_grant_type"
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "not-a-jwt"}
    async with session.post(fake.token_url, data=grant) as response:
        assert response.status == 400
