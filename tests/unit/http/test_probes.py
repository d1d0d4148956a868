"""GET /live, the liveness probe: alive while the process answers, whatever its dependencies say."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from consumer.http.access import SecurityConfig
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from consumer.readiness import NotReadyError
from schemas.probes import Liveness
from tests.fakes.pipeline import FakePipeline
from tests.unit.sidecar import sidecar

KEY = "k-5b1e9d3c7a0f4e2d8c6b9a1f3e5d7c0b"


async def database_down() -> dict[str, Any]:
    raise ConnectionRefusedError("connection refused")


async def not_joined() -> dict[str, Any]:
    raise NotReadyError("the consumer has not joined its group yet")


def outage_app(security: SecurityConfig | None = None) -> Any:
    """The sidecar of an instance whose database is down and whose consumer is not in its group."""
    deps = SidecarDeps(
        pipeline=FakePipeline(),  # type: ignore[arg-type]
        health_checks={"database": database_down},
        readiness_checks={"consumer": not_joined},
        security=security or SecurityConfig(),
    )
    return create_app(deps)


async def test_live_answers_during_a_dependency_outage() -> None:
    async with sidecar(app=outage_app()) as client:
        assert (await client.get("/health")).status == 503
        assert (await client.get("/ready")).status == 503
        response = await client.get("/live")
        body = await response.json()
        head = await client.head("/live")
    assert response.status == 200
    assert body == {"status": "alive"}
    Liveness.model_validate(body)
    assert head.status == 200


async def test_live_is_open_like_the_other_probes_unless_ops_are_protected() -> None:
    keys = (SecretStr(KEY),)
    async with sidecar(app=outage_app(SecurityConfig(api_keys=keys))) as client:
        assert (await client.get("/live")).status == 200
        assert (await client.get("/calls")).status == 401
    async with sidecar(app=outage_app(SecurityConfig(api_keys=keys, protect_ops=True))) as client:
        assert (await client.get("/live")).status == 401
        assert (await client.get("/live", headers={"X-API-Key": KEY})).status == 200


async def test_live_is_in_the_openapi_document_and_the_service_info() -> None:
    async with sidecar(app=outage_app()) as client:
        document = await (await client.get("/openapi.json")).json()
        info = await (await client.get("/", headers={"Accept": "application/json"})).json()
    operation = document["paths"]["/live"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Liveness"}
    assert document["components"]["schemas"]["Liveness"]["properties"]["status"]["const"] == "alive"
    assert "security" not in operation
    assert info["endpoints"]["live"] == "GET /live"
