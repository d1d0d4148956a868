"""Schemathesis against the running service's own /openapi.json: no 5xx, and every answer (status,
headers, body) is one the document describes. The real broker and database; the offline analyzer."""

from __future__ import annotations

import asyncio
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import Stack
from tests.integration.helpers import make_settings, running_service

pytestmark = pytest.mark.integration

KEY = "schemathesis-key-8d2f6a0c4e1b9d7f"
EXAMPLES = 50
# Schemathesis' own list of answers that reject invalid data, plus 413: an invalid body can be too large.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5XX"]
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}}
)


# Both schemes at once, both valid: a negative case that spoils one of them would otherwise be
# "accepted" thanks to the other.
CREDENTIALS = {"X-API-Key": KEY, "Authorization": f"Bearer {KEY}"}

# The read API's query strings, where two checks cannot hold. "Schema-valid data is accepted": a
# page cursor is opaque (only an earlier page's next_cursor is valid) and tz takes IANA zone names,
# values no JSON Schema lists, so random strings are rightly refused with 400. "Invalid data is
# rejected": schemathesis makes a scalar invalid by turning it into an array, and an array of one
# (or none) is sent as a plain valid parameter (or none at all). No 5xx and conformance still apply.
_QUERY_STRING = [positive_data_acceptance, negative_data_rejection]
EXCLUDED = {"GET /calls": _QUERY_STRING, "GET /stats": _QUERY_STRING, "GET /dead_letters": _QUERY_STRING}


def check_operations(base: str) -> dict[str, str]:
    """Run schemathesis' checks on every documented operation; the failures by operation and mode.

    Synchronous (schemathesis calls the API with ``requests``), so it runs in a worker thread while
    the service serves on the test's loop.
    """
    api = schemathesis.openapi.from_url(f"{base}/openapi.json", config=CONFIG)
    failures: dict[str, str] = {}
    for result in api.get_all_operations():
        operation = result.ok()
        modes = [schemathesis.GenerationMode.POSITIVE]
        if operation.body or operation.headers or operation.query:  # else nothing can be made invalid
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @settings(
                max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    headers=CREDENTIALS, excluded_checks=EXCLUDED.get(case.operation.label, [])
                )

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a BaseExceptionGroup
                failures[f"{operation.label} ({mode.value})"] = "".join(traceback.format_exception(exc))
    return failures


async def test_api_matches_its_openapi_document(stack: Stack, topics: dict[str, str], free_port: int) -> None:
    service = make_settings(
        stack, topics, free_port, api_keys=KEY, http_rate_limit_rpm=1_000_000, http_rate_limit_burst=10_000
    )
    async with running_service(service) as base:
        failures = await asyncio.to_thread(check_operations, base)
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
