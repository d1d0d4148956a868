"""The Gemini analyzer against today's API (through the real SDK and the fake): thinking settings,
token usage and cost, thought signatures in the repair turn, the explicit cache's lifecycle, the
model look-up with its recovery, and Vertex AI."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from consumer.analyzer.gemini import GeminiAnalyzer
from consumer.analyzer.gemini_request import answer_schema, schema_bytes, thinking_config
from consumer.analyzer.prompt import SYSTEM_INSTRUCTION
from consumer.errors import AnalyzerUnavailableError
from consumer.observability.metrics import Metrics
from consumer.settings import Settings
from producer_tools.fake_gemini import FakeGemini, Status, Text
from schemas import AnalyzerInfo, IntentCategory
from tests.unit.gemini_support import API_KEY, AnalyzerFactory, make_settings, proto_field

PROMISE = "Agent: EMI overdue hai sir.\nCustomer: Haan, Wednesday ko 5000 pay kar dunga."
GONE = AnalyzerInfo(provider="offline", model="none")


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def test_the_default_model_and_settings_are_todays() -> None:
    settings = Settings(_env_file=None)
    assert settings.gemini_model == "gemini-3.5-flash-lite"
    assert settings.gemini_thinking_level == "minimal"
    assert settings.gemini_temperature is None
    assert settings.gemini_cache == "explicit"


def test_the_answer_schema_is_lean() -> None:
    schema = answer_schema()
    text = json.dumps(schema)
    assert "description" not in text
    assert "title" not in text
    assert set(schema["required"]) == {
        "customer_intent",
        "intent_category",
        "sentiment",
        "action_required",
        "summary",
    }
    assert schema["properties"]["hardship_reason"] == {"type": ["string", "null"]}
    assert schema["properties"]["promise_to_pay"]["type"] == ["object", "null"]
    assert "speaker" not in schema["properties"]["compliance_flags"]["items"]["properties"]
    assert "$ref" not in text
    assert schema_bytes() < 2000


@pytest.mark.parametrize(
    ("model", "level", "expected"),
    [
        ("gemini-3.5-flash-lite", "minimal", {"thinking_level": "MINIMAL"}),
        ("gemini-3.8-flash", "low", {"thinking_level": "LOW"}),
        ("gemini-2.5-flash-lite", "minimal", {"thinking_budget": 0}),
        ("gemini-2.5-flash", "medium", {"thinking_budget": 8192}),
        ("gemini-2.5-pro", "minimal", {"thinking_budget": 128}),  # cannot switch thinking off
        ("models/gemini-2.5-flash", "high", {"thinking_budget": 24576}),
    ],
)
def test_thinking_level_or_budget_by_model(model: str, level: str, expected: dict[str, Any]) -> None:
    config = thinking_config(model, level)
    assert config is not None
    assert config.model_dump(exclude_none=True, mode="json") == expected


def test_no_thinking_setting_leaves_the_model_default() -> None:
    assert thinking_config("gemini-3.5-flash-lite", None) is None


async def test_usage_and_estimated_cost_travel_with_each_analysis(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    metrics = Metrics()
    analyzer = make_analyzer(metrics=metrics, gemini_cache="off")

    analysis = await analyzer.analyze(PROMISE)

    info = analysis.produced_by(GONE)
    tokens = fake.stats()["tokens"]
    assert info.provider == "gemini"
    assert info.model == "gemini-3.5-flash-lite"
    assert info.usage is not None
    assert info.usage.prompt_tokens == tokens["prompt"] > 0
    assert info.usage.output_tokens == tokens["candidates"] > 0
    assert info.usage.thought_tokens == tokens["thoughts"]
    assert info.usage.requests == 1
    expected = (
        (info.usage.prompt_tokens - info.usage.cached_tokens) * 0.30
        + info.usage.cached_tokens * 0.03
        + (info.usage.output_tokens + info.usage.thought_tokens) * 2.50
    ) / 1_000_000
    assert info.estimated_cost_usd == pytest.approx(expected)
    labels = {"provider": "gemini", "model": "gemini-3.5-flash-lite"}
    registry = metrics.registry
    prompt = registry.get_sample_value("insights_llm_tokens_total", {**labels, "kind": "prompt"})
    assert prompt == info.usage.prompt_tokens
    cost = registry.get_sample_value("insights_llm_estimated_cost_usd_total", labels)
    assert cost == pytest.approx(expected)


async def test_usage_adds_up_over_a_repair(fake: FakeGemini, make_analyzer: AnalyzerFactory) -> None:
    analyzer = make_analyzer(gemini_cache="off")
    fake.script([Text("not json")])

    analysis = await analyzer.analyze(PROMISE)

    info = analysis.produced_by(GONE)
    assert info.usage is not None
    assert info.usage.requests == 2
    assert info.usage.prompt_tokens == fake.stats()["tokens"]["prompt"]


async def test_temperature_is_sent_only_when_set(fake: FakeGemini, make_analyzer: AnalyzerFactory) -> None:
    await make_analyzer(gemini_cache="off").analyze(PROMISE)
    assert "temperature" not in fake.last.generation_config
    await make_analyzer(gemini_cache="off", gemini_temperature=0.4).analyze(PROMISE)
    assert fake.last.generation_config["temperature"] == 0.4


async def test_older_models_get_a_thinking_budget(fake: FakeGemini, make_analyzer: AnalyzerFactory) -> None:
    analysis = await make_analyzer(gemini_cache="off", gemini_model="gemini-2.5-flash-lite").analyze(PROMISE)
    thinking = fake.last.generation_config["thinkingConfig"]
    assert proto_field(thinking, "thinkingBudget") == 0
    assert proto_field(thinking, "thinkingLevel") is None
    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY


async def test_the_repair_turn_carries_the_thought_signature_back(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    analyzer = make_analyzer(gemini_cache="off")
    fake.script([Text("not json")])

    await analyzer.analyze(PROMISE)

    first, second = fake.requests
    assert [c["role"] for c in second.body["contents"]] == ["user", "model", "user"]
    model_turn = second.body["contents"][1]
    assert model_turn["parts"][-1]["text"] == "not json"
    assert second.carried_thought_signature
    assert not first.carried_thought_signature


async def test_explicit_cache_created_used_recreated_and_deleted(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    analyzer = make_analyzer()  # GEMINI_CACHE=explicit is the default
    await analyzer.start()
    status = analyzer.status()["cache"]
    assert status["mode"] == "explicit"
    name = status["name"]
    assert name is not None
    assert name in fake.caches

    analysis = await analyzer.analyze(PROMISE)

    request = fake.last
    assert request.cached_content == name
    assert request.system_instruction == ""  # Gemini refuses an instruction beside a cache
    info = analysis.produced_by(GONE)
    assert info.usage is not None
    assert info.usage.cached_tokens > 0
    assert info.usage.prompt_tokens > info.usage.cached_tokens
    assert request.body_bytes < len(SYSTEM_INSTRUCTION)

    assert fake.expire_caches() == 1
    again = await analyzer.analyze(PROMISE)  # 403 "CachedContent not found": created anew, retried
    assert again.intent_category is IntentCategory.PROMISE_TO_PAY
    renewed = analyzer.status()["cache"]
    assert renewed["name"] not in (None, name)
    assert renewed["created"] == 2
    assert fake.last.cached_content == renewed["name"]

    await analyzer.aclose()
    assert fake.stats()["caches"]["live"] == 0


async def test_explicit_cache_ttl_is_refreshed(fake: FakeGemini, make_analyzer: AnalyzerFactory) -> None:
    analyzer = make_analyzer(gemini_cache_ttl_s=120)
    await analyzer.start()
    before = analyzer.status()["cache"]["expire_time"]
    await asyncio.sleep(0.05)
    cache = analyzer._cache
    assert cache is not None
    await cache.refresh()
    after = analyzer.status()["cache"]
    assert after["refreshed"] == 1
    assert after["expire_time"] > before
    assert fake.caches[after["name"]].resource()["expireTime"] >= after["expire_time"][:19]


async def test_a_cache_that_cannot_be_created_falls_back_to_the_instruction() -> None:
    async with FakeGemini(cache_min_tokens=10**9) as fake:
        analyzer = GeminiAnalyzer(make_settings(fake.url))
        try:
            await analyzer.start()
            cache = analyzer.status()["cache"]
            assert cache["name"] is None
            assert "too small" in cache["last_error"]
            await analyzer.analyze(PROMISE)
            assert fake.last.system_instruction == SYSTEM_INSTRUCTION
            assert fake.last.cached_content is None
        finally:
            await analyzer.aclose()


async def test_a_retired_model_is_refused_with_suggestions_and_holds_events(
    fake: FakeGemini, make_analyzer: AnalyzerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    analyzer = make_analyzer(gemini_model="gemini-2.0-flash")
    await analyzer.start()

    with pytest.raises(AnalyzerUnavailableError) as caught:
        await analyzer.check()
    assert caught.value.reason == "llm_misconfigured"
    assert "gemini-2.0-flash" in str(caught.value)
    configuration = analyzer.status()["configuration"]
    assert configuration["state"] == "model_not_found"
    assert configuration["suggested_models"]
    assert all(m in fake.served_models for m in configuration["suggested_models"])
    assert "GEMINI_MODEL" in configuration["fix"]
    assert analyzer.configuration_ok is False
    assert any(r.levelname == "ERROR" and "GEMINI_MODEL" in r.getMessage() for r in caplog.records)

    generated = fake.count
    with pytest.raises(AnalyzerUnavailableError) as held:
        await analyzer.analyze(PROMISE)
    assert held.value.retriable
    assert held.value.reason == "llm_misconfigured"
    assert fake.count == generated  # no request is spent while the configuration is refused


async def test_the_analyzer_recovers_when_the_model_comes_back(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    fake.retire_model("gemini-3.5-flash-lite")
    analyzer = make_analyzer(gemini_check_interval_s=0.1)
    await analyzer.start()
    assert analyzer.configuration_ok is False
    assert analyzer.status()["cache"]["name"] is None  # no cache for a model that is not there

    fake.restore_model("gemini-3.5-flash-lite")
    await wait_until(lambda: analyzer.configuration_ok)
    await analyzer.check()
    await wait_until(lambda: analyzer.status()["cache"]["name"] is not None)
    analysis = await analyzer.analyze(PROMISE)
    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY


async def test_a_model_retired_while_running_is_noticed_from_the_request(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    analyzer = make_analyzer(gemini_cache="off")
    await analyzer.start()
    fake.retire_model("gemini-3.5-flash-lite")

    with pytest.raises(AnalyzerUnavailableError) as caught:
        await analyzer.analyze(PROMISE)

    assert caught.value.reason == "llm_misconfigured"
    assert analyzer.status()["configuration"]["state"] == "model_not_found"


async def test_a_refused_key_then_a_rotated_one(fake: FakeGemini, make_analyzer: AnalyzerFactory) -> None:
    fake.set_api_keys({"the-real-key"})
    analyzer = make_analyzer(gemini_check_interval_s=0.1)
    await analyzer.start()
    configuration = analyzer.status()["configuration"]
    assert configuration["state"] == "key_refused"
    assert "GEMINI_API_KEY" in configuration["fix"]
    assert API_KEY not in json.dumps(analyzer.status())

    fake.set_api_keys({API_KEY})  # the key is accepted again (e.g. re-enabled)
    await wait_until(lambda: analyzer.configuration_ok)


async def test_a_wrong_endpoint_is_refused(make_analyzer: AnalyzerFactory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    analyzer = make_analyzer(gemini_base_url=f"http://127.0.0.1:{port}")
    await analyzer.start()
    configuration = analyzer.status()["configuration"]
    assert configuration["state"] == "endpoint_unreachable"
    assert "GEMINI_BASE_URL" in configuration["fix"]


def service_account_file(tmp_path: Path, token_uri: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "lender-prod",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "insights@lender-prod.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return path


async def test_vertex_ai_in_mumbai(fake: FakeGemini, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        google_genai_use_vertexai=True,
        google_cloud_project="lender-prod",
        google_cloud_location="asia-south1",
        google_application_credentials=str(service_account_file(tmp_path, fake.token_url)),
        gemini_base_url=fake.url,
        llm_backoff_initial_s=0.01,
    )
    assert settings.provider == "gemini"  # Vertex AI needs no API key
    analyzer = GeminiAnalyzer(settings)
    try:
        await analyzer.start()
        analysis = await analyzer.analyze(PROMISE)
        status = analyzer.status()
    finally:
        await analyzer.aclose()

    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY
    request = fake.last
    assert request.vertex
    assert request.path.startswith(
        "/v1beta1/projects/lender-prod/locations/asia-south1/publishers/google/models/gemini-3.5-flash-lite"
    )
    assert request.headers["Authorization"].startswith("Bearer ")
    assert "x-goog-api-key" not in {k.lower() for k in request.headers}
    assert status["backend"] == "vertex_ai"
    assert status["project"] == "lender-prod"
    assert status["location"] == status["data_region"] == "asia-south1"
    assert status["configuration"]["state"] == "ok"
    assert request.cached_content is not None
    assert request.cached_content.startswith("projects/lender-prod/locations/asia-south1/cachedContents/")


def test_vertex_ai_without_project_or_region_is_a_configuration_error() -> None:
    from consumer.errors import AnalyzerError

    with pytest.raises(AnalyzerError, match=r"GOOGLE_CLOUD_PROJECT.*GOOGLE_CLOUD_LOCATION"):
        GeminiAnalyzer(Settings(_env_file=None, google_genai_use_vertexai=True))


async def test_a_key_echoed_in_a_refusal_never_reaches_the_status(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    fake.retire_model("gemini-3.5-flash-lite")
    analyzer = make_analyzer(gemini_cache="off")
    await analyzer.start()
    fake.restore_model("gemini-3.5-flash-lite")
    fake.script([Status(404, f"models/x is not found for key {API_KEY}")])
    await analyzer._model_check.check_once()  # restored: accepted again
    with pytest.raises(AnalyzerUnavailableError) as caught:
        await analyzer.analyze(PROMISE)

    status = json.dumps(analyzer.status())
    assert "model_not_found" in status
    assert API_KEY not in status
    assert API_KEY not in str(caught.value)
    assert "[REDACTED]" in status


async def test_a_thinking_level_the_model_refuses_holds_events_until_it_is_taken(
    fake: FakeGemini, make_analyzer: AnalyzerFactory
) -> None:
    analyzer = make_analyzer(gemini_model="gemini-3.8-flash", gemini_cache="off", gemini_check_interval_s=0.1)
    await analyzer.start()
    assert analyzer.configuration_ok  # models.get cannot tell: the model is there

    with pytest.raises(AnalyzerUnavailableError) as caught:
        await analyzer.analyze(PROMISE)  # 3.8 Flash has no "minimal" level

    assert caught.value.reason == "llm_misconfigured"
    configuration = analyzer.status()["configuration"]
    assert configuration["state"] == "setting_refused"
    assert "GEMINI_THINKING_LEVEL" in configuration["fix"]
    await asyncio.sleep(0.5)  # the periodic look-up finds the model but keeps the refusal: a probe says so
    assert analyzer.status()["configuration"]["state"] == "setting_refused"
    probes = [r for r in fake.requests if r.texts == ["ping"]]
    assert probes
    assert all(r.generation_config for r in probes)

    spec = next(m for m in fake.catalogue.values() if m.model_id == "gemini-3.8-flash")
    fake.restore_model(replace(spec, thinking_levels=("minimal", *spec.thinking_levels)))
    await wait_until(lambda: analyzer.configuration_ok)  # the model takes it now (a new version)
    analysis = await analyzer.analyze(PROMISE)
    assert analysis.intent_category is IntentCategory.PROMISE_TO_PAY
