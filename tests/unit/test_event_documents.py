"""The AsyncAPI document is valid AsyncAPI 3.0.0 and says what the service does; the JSON Schema
files are valid schemas; the dead-letter headers the service writes match their model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from aiokafka.structs import ConsumerRecord
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from consumer.errors import InvalidEventError
from consumer.http.app import create_app
from consumer.http.asyncapi import build_asyncapi
from consumer.http.deps import SidecarDeps
from consumer.kafka.stream import DeadLetters
from consumer.pipeline import Pipeline
from consumer.settings import Settings
from schemas.cloudevents import DEAD_LETTER_TYPE, CloudEventHeaders, dead_letter_id
from schemas.dead_letter import DeadLetterHeaders, header_text
from schemas.generate import FILES, HERE

DATA = Path(__file__).resolve().parent.parent / "data"
ASYNCAPI_SCHEMA = DATA / "asyncapi-3.0.0.schema.json"
ASYNCAPI_SCHEMA_SHA256 = "abe96881dbfaad495ccbb6bd8d3fb43ca18a13b9d7564849ccb66f39d5e5b20f"
CLOUDEVENTS_HEADERS = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"}
CONTRACT_DLQ_HEADERS = {
    "x-dlq-reason", "x-dlq-error", "x-dlq-original-topic", "x-dlq-original-partition",
    "x-dlq-original-offset", "x-dlq-attempts", "x-dlq-failed-at",
}  # fmt: skip


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The shipped file, parsed."""
    loaded: dict[str, Any] = yaml.safe_load((HERE / "asyncapi.yaml").read_text(encoding="utf-8"))
    return loaded


def _errors(validator: Any, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in validator.iter_errors(instance)]


def test_vendored_asyncapi_schema_is_the_published_file() -> None:
    assert hashlib.sha256(ASYNCAPI_SCHEMA.read_bytes()).hexdigest() == ASYNCAPI_SCHEMA_SHA256


def test_asyncapi_document_is_valid_asyncapi_3(document: dict[str, Any]) -> None:
    schema = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("http://json-schema.org/draft-07/schema")
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    assert _errors(validator, document) == []
    broken = json.loads(json.dumps(document))
    broken["components"]["messages"]["InsightEvent"]["bindings"]["kafka"]["key"] = {"type": 5}
    assert _errors(validator, broken), "the official schema must reach into message bindings"


def test_asyncapi_file_parses_to_the_built_document(document: dict[str, Any]) -> None:
    assert document == json.loads(json.dumps(build_asyncapi()))


def test_asyncapi_describes_the_topics_and_what_the_service_does(document: dict[str, Any]) -> None:
    defaults = Settings.model_fields
    channels = document["channels"]
    assert {name: c["address"] for name, c in channels.items()} == {
        "transcripts": defaults["kafka_input_topic"].default,
        "insights": defaults["kafka_output_topic"].default,
        "deadLetters": defaults["kafka_dlq_topic"].default,
    }
    assert document["servers"]["kafka"]["host"] == defaults["kafka_bootstrap_servers"].default
    actions = {o["channel"]["$ref"]: o["action"] for o in document["operations"].values()}
    assert actions == {
        "#/channels/transcripts": "receive",
        "#/channels/insights": "send",
        "#/channels/deadLetters": "send",
    }
    messages = document["components"]["messages"]
    for message in messages.values():
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        assert message["examples"]
    headers = document["components"]["schemas"]["DeadLetterHeaders"]
    assert set(headers["properties"]) == CONTRACT_DLQ_HEADERS
    assert set(headers["required"]) == CONTRACT_DLQ_HEADERS
    assert messages["DeadLetter"]["payload"]["format"] == "binary"


def _anchored(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its references (also those under ``allOf``) pointing into the document."""
    if "$ref" in schema:
        return {"$ref": "urn:asyncapi" + schema["$ref"]}
    if "allOf" in schema:
        return {"allOf": [_anchored(part) for part in schema["allOf"]]}
    return schema


def test_asyncapi_examples_match_their_schemas(document: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource("urn:asyncapi", DRAFT202012.create_resource(document))
    checked = 0
    for message in document["components"]["messages"].values():
        for example in message["examples"]:
            for part in ("payload", "headers"):
                if part not in example:
                    continue
                schema = _anchored(message[part])
                validator = Draft202012Validator(schema, registry=registry)
                assert _errors(validator, example[part]) == [], f"{message['name']} {part}"
                checked += 1
    assert checked == 5
    insight = document["components"]["messages"]["InsightEvent"]["examples"][0]["payload"]
    wrong = {**insight, "sentiment": "Happy"}
    ref = {"$ref": "urn:asyncapi#/components/schemas/InsightEvent"}
    assert _errors(Draft202012Validator(ref, registry=registry), wrong)


@pytest.mark.parametrize("name", sorted(FILES))
def test_json_schema_files_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((HERE / name).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


class _Producer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_and_wait(self, topic: str, **kwargs: Any) -> None:
        self.sent.append({"topic": topic, **kwargs})


async def test_dead_letter_headers_match_their_model() -> None:
    producer = _Producer()
    record = ConsumerRecord(
        topic="in", partition=2, offset=7, timestamp=0, timestamp_type=0, key=b"k", value=b"\xff",
        checksum=None, serialized_key_size=1, serialized_value_size=1, headers=[],
    )  # fmt: skip
    await DeadLetters(producer, "dlq").send(record, InvalidEventError("bad", reason="not_utf8"), 1)
    [sent] = producer.sent
    assert {name for name, _ in sent["headers"]} == CONTRACT_DLQ_HEADERS | CLOUDEVENTS_HEADERS
    cloud = CloudEventHeaders.model_validate(header_text(sent["headers"]))
    assert (cloud.specversion, cloud.source, cloud.type) == ("1.0", "/call-insights", DEAD_LETTER_TYPE)
    assert cloud.id == str(dead_letter_id("in", 2, 7))
    assert cloud.content_type == "application/octet-stream"  # the value was not UTF-8
    headers = DeadLetterHeaders.from_kafka(sent["headers"])
    assert (headers.reason, headers.original_topic, headers.original_partition) == ("not_utf8", "in", "2")
    assert (headers.original_offset, headers.attempts) == ("7", "1")
    assert (sent["key"], sent["value"]) == (b"k", b"\xff")


async def test_sidecar_serves_the_shipped_document() -> None:
    app = create_app(SidecarDeps(pipeline=cast(Pipeline, None), health_checks={}))
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/asyncapi.yaml")
        assert resp.status == 200
        assert resp.content_type == "application/yaml"
        assert await resp.read() == (HERE / "asyncapi.yaml").read_bytes()
        spec = await (await client.get("/openapi.json")).json()
    assert "application/yaml" in spec["paths"]["/asyncapi.yaml"]["get"]["responses"]["200"]["content"]
