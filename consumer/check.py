"""``python -m consumer check``: can this configuration work? One line per component.

- **kafka**: the brokers answer (with the configured TLS/SASL) and the topics exist (the service
  creates missing ones at start, so a missing topic is said, not failed);
- **postgresql**: the database answers and every migration is applied (the service applies them at
  start, so pending ones are said, not failed);
- **llm**: for Gemini, the backend (Gemini API or Vertex AI, with project and region), the key or
  credentials, and the configured model, looked up with ``models.get``; a missing model names the
  closest models the key can use. The offline analyzer needs nothing.

Each line reads ``NAME  ok|FAIL  what was found`` and, when failed, ``fix: what to change``. The
exit status is 0 only when every component is fine.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from typing import TextIO

from aiokafka.admin import AIOKafkaAdminClient

from consumer.db.migrations import database_status
from consumer.db.pool import TRANSIENT_DB_ERRORS
from consumer.errors import InsightsError
from consumer.kafka.clients import kafka_client_options, start_client
from consumer.observability.secrets import Scrubber, redact_url
from consumer.settings import Settings

TIMEOUT_S = 15.0
_CONNECT_ERRORS: tuple[type[BaseException], ...] = (ValueError, *TRANSIENT_DB_ERRORS)


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one component."""

    component: str
    ok: bool
    found: str
    fix: str = ""

    def line(self) -> str:
        """One line for the terminal."""
        text = f"{self.component:<11} {'ok' if self.ok else 'FAIL':<4}  {self.found}"
        return f"{text}; fix: {self.fix}" if self.fix and not self.ok else text


async def check_kafka(settings: Settings) -> Finding:
    """The brokers answer and the service's topics exist."""
    where = f"{settings.kafka_bootstrap_servers} over {settings.kafka_security_protocol}"
    try:
        options = kafka_client_options(settings)
        admin = AIOKafkaAdminClient(**options, request_timeout_ms=int(TIMEOUT_S * 1000))
        async with asyncio.timeout(TIMEOUT_S):
            await start_client(admin, options)
            try:
                topics = set(await admin.list_topics())
            finally:
                await admin.close()
    except InsightsError as exc:  # a security setting the broker refused, said precisely
        return Finding("kafka", False, str(exc), "change the setting named above")
    except Exception as exc:
        return Finding(
            "kafka",
            False,
            f"no broker answered at {where} ({type(exc).__name__}: {exc})",
            "start Kafka (scripts/devstack up) or set KAFKA_BOOTSTRAP_SERVERS",
        )
    wanted = [settings.kafka_input_topic, settings.kafka_output_topic, settings.kafka_dlq_topic]
    missing = [topic for topic in wanted if topic not in topics]
    note = f"; the service will create {', '.join(missing)}" if missing else ""
    return Finding("kafka", True, f"brokers at {where} answer, {len(topics)} topics{note}")


async def check_postgresql(settings: Settings) -> Finding:
    """The database answers and the migrations are applied."""
    dsn = settings.database_url.get_secret_value()
    where = redact_url(dsn)
    try:
        version, pending = await database_status(dsn, timeout_s=TIMEOUT_S)
    except _CONNECT_ERRORS as exc:
        return Finding(
            "postgresql",
            False,
            f"cannot connect to {where} ({type(exc).__name__}: {exc})",
            "start PostgreSQL (scripts/devstack up) or set DATABASE_URL",
        )
    note = f"; {len(pending)} migration(s) pending, applied at start" if pending else "; migrations applied"
    return Finding("postgresql", True, f"PostgreSQL {version} at {where}{note}")


async def check_llm(settings: Settings) -> Finding:
    """The LLM configuration: backend, key or credentials, and the model."""
    if settings.provider == "offline":
        why = "LLM_PROVIDER=offline" if settings.llm_provider == "offline" else "no GEMINI_API_KEY"
        return Finding("llm", True, f"offline analyzer ({why}); nothing to check")
    from consumer.analyzer.gemini import GeminiAnalyzer

    try:
        analyzer = GeminiAnalyzer(settings)
    except InsightsError as exc:
        return Finding("llm", False, str(exc), "set the variables named above")
    try:
        async with asyncio.timeout(TIMEOUT_S * 2):
            await analyzer.start()
            await analyzer.check()
        status = analyzer.status()
    except InsightsError as exc:
        status = analyzer.status()
        configuration = status.get("configuration", {})
        return Finding(
            "llm",
            False,
            f"{_where(status)}: {configuration.get('problem') or exc}",
            configuration.get("fix") or "see the error above",
        )
    except TimeoutError:
        where = _where(analyzer.status())
        return Finding("llm", False, f"{where}: no answer in time", "check GEMINI_BASE_URL")
    finally:
        await analyzer.aclose()
    configuration = status.get("configuration", {})
    if configuration.get("state") != "ok":
        return Finding(
            "llm",
            False,
            f"{_where(status)}: the model look-up was inconclusive",
            "check the network, GEMINI_BASE_URL and any proxy, then run check again",
        )
    cache = status.get("cache", {})
    cache_note = f", cache {cache.get('mode')}"
    if cache.get("mode") == "explicit":
        cache_note += f" ({cache.get('tokens')} tokens)" if cache.get("name") else " (not created)"
    thinking = f"thinking {status.get('thinking_level') or 'model default'}"
    return Finding("llm", True, f"{_where(status)}: model found, {thinking}{cache_note}")


def _where(status: dict[str, object]) -> str:
    backend = status.get("backend")
    text = f"gemini {status.get('model')} via {backend}"
    if backend == "vertex_ai":
        text += f" (project {status.get('project')}, region {status.get('location')})"
    return text


async def run_check(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Check every component at once, print one line each; 0 when all are fine, else 1."""
    findings = await asyncio.gather(check_kafka(settings), check_postgresql(settings), check_llm(settings))
    scrub = Scrubber(settings.secret_values())
    for finding in findings:
        print(scrub(finding.line()), file=out, flush=True)
    return 0 if all(f.ok for f in findings) else 1
