"""Kafka over TLS and SASL, on the devstack broker's SASL_SSL and SSL listeners.

The service, the producer tool and the tests' own clients all connect through
``kafka_client_options``, so these tests run them with the settings a production deployment uses.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from consumer.app import run_service
from consumer.errors import ConfigurationError
from consumer.kafka.clients import kafka_client_options, start_client
from consumer.settings import Settings
from producer_tools.send import send
from tests.conftest import Stack
from tests.integration.helpers import event, make_settings, running_service

pytestmark = pytest.mark.integration


def _need(env: dict[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not env.get(n)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not set: the broker is not this checkout's devstack")
    return [env[n] for n in names]


def sasl_ssl(stack_env: dict[str, str], mechanism: str, password: str | None = None) -> dict[str, Any]:
    """Settings for the devstack's SASL_SSL listener with ``mechanism``."""
    bootstrap, user, real_password, cafile = _need(
        stack_env,
        "DEVSTACK_KAFKA_SASL_SSL_BOOTSTRAP",
        "DEVSTACK_KAFKA_SASL_USERNAME",
        "DEVSTACK_KAFKA_SASL_PASSWORD",
        "DEVSTACK_KAFKA_CAFILE",
    )
    return {
        "kafka_bootstrap_servers": bootstrap,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": mechanism,
        "kafka_sasl_username": user,
        "kafka_sasl_password": real_password if password is None else password,
        "kafka_ssl_cafile": cafile,
    }


def mutual_tls(stack_env: dict[str, str], *, client_cert: bool = True) -> dict[str, Any]:
    """Settings for the devstack's SSL listener, which requires a client certificate."""
    bootstrap, cafile, certfile, keyfile = _need(
        stack_env,
        "DEVSTACK_KAFKA_SSL_BOOTSTRAP",
        "DEVSTACK_KAFKA_CAFILE",
        "DEVSTACK_KAFKA_CLIENT_CERTFILE",
        "DEVSTACK_KAFKA_CLIENT_KEYFILE",
    )
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": bootstrap,
        "kafka_security_protocol": "SSL",
        "kafka_ssl_cafile": cafile,
    }
    if client_cert:
        values.update(kafka_ssl_certfile=certfile, kafka_ssl_keyfile=keyfile)
    return values


async def read_topic(settings: Settings, topic: str, expect: int, timeout: float = 60) -> list[Any]:
    """Records of ``topic`` from the start, read with the settings' security, until ``expect``."""
    consumer = AIOKafkaConsumer(
        topic, **kafka_client_options(settings), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while len(records) < expect:
                for part in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(part)
    finally:
        await consumer.stop()
    return records


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-512"])
async def test_service_over_sasl_ssl(
    stack: Stack, stack_env: dict[str, str], topics: dict[str, str], free_port: int, mechanism: str
) -> None:
    """Events published over SASL_SSL are consumed, analysed and published over SASL_SSL."""
    settings = make_settings(stack, topics, free_port, **sasl_ssl(stack_env, mechanism))
    events = [event("Customer: Parso 5000 bhej dunga pakka."), event("Customer: Maine pay kar diya hai.")]
    async with running_service(settings):
        security = kafka_client_options(settings)
        del security["bootstrap_servers"]
        summary = await send(
            bootstrap=settings.kafka_bootstrap_servers,
            topic=settings.kafka_input_topic,
            rows=events,
            count=len(events),
            rate=0,
            progress=False,
            security=security,
        )
        assert summary["sent"] == len(events)
        out = await read_topic(settings, settings.kafka_output_topic, expect=len(events))
    insights = [json.loads(r.value) for r in out]
    assert len(insights) == len(events)
    assert {i["intent_category"] for i in insights} >= {"promise_to_pay"}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
async def test_wrong_password_stops_the_service_with_a_clear_error(
    stack: Stack,
    stack_env: dict[str, str],
    topics: dict[str, str],
    free_port: int,
    mechanism: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused password ends the start with an error naming the cause, not a minute of retries,
    and neither the error nor any log line contains the password."""
    wrong = "Wr0ng-Passw0rd-" + mechanism
    settings = make_settings(stack, topics, free_port, **sasl_ssl(stack_env, mechanism, password=wrong))
    # the levels `python -m consumer` logs at: aiokafka's DEBUG lines carry the SASL PLAIN exchange
    # itself, which is why the service keeps that logger at WARNING (and masks secrets in every line)
    caplog.set_level(logging.DEBUG, logger="consumer")
    caplog.set_level(logging.WARNING, logger="aiokafka")
    with pytest.raises(ConfigurationError) as caught:
        async with asyncio.timeout(60):
            await run_service(settings, asyncio.Event(), handle_signals=False)
    message = str(caught.value)
    assert "refused the credentials" in message
    assert mechanism in message
    assert wrong not in message
    assert wrong not in caplog.text


async def test_round_trip_with_client_certificate(stack_env: dict[str, str], topics: dict[str, str]) -> None:
    """On the SSL listener a client with a certificate from the CA produces and consumes; one
    without a certificate is turned away."""
    settings = Settings(_env_file=None, **mutual_tls(stack_env))  # type: ignore[call-arg]
    topic = topics["KAFKA_INPUT_TOPIC"]
    options = kafka_client_options(settings)
    producer = AIOKafkaProducer(**options, acks="all")
    await start_client(producer, options)
    try:
        await producer.send_and_wait(topic, b"over mutual TLS", key=b"k")
    finally:
        await producer.stop()
    records = await read_topic(settings, topic, expect=1)
    assert [r.value for r in records] == [b"over mutual TLS"]

    anonymous = kafka_client_options(Settings(_env_file=None, **mutual_tls(stack_env, client_cert=False)))  # type: ignore[call-arg]
    with pytest.raises(KafkaConnectionError):
        await start_client(AIOKafkaProducer(**anonymous), anonymous)


async def test_untrusted_broker_certificate_is_a_clear_error(stack_env: dict[str, str]) -> None:
    """Without the CA that signed the broker's certificate the client refuses the broker and says
    which setting is missing."""
    values = sasl_ssl(stack_env, "PLAIN")
    values["kafka_ssl_cafile"] = None  # the system's CAs do not know the devstack CA
    options = kafka_client_options(Settings(_env_file=None, **values))  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match=r"not trusted.*KAFKA_SSL_CAFILE"):
        await start_client(AIOKafkaProducer(**options), options)
