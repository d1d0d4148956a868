"""What the code relies on in its dependencies beyond their documented API, or only since some version.

Each test names the dependency, the symbol, where we use it and what to check when it fails, so an
upgrade that breaks one of these says so here rather than in production. The rest of ``consumer/``
uses only the documented APIs of aiokafka, asyncpg, aiohttp and google-genai (no private modules,
underscore names or SDK internals such as ``_api_client``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
import ssl
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from consumer.errors import ConfigurationError
from consumer.kafka.clients import explain_connection_failure
from tests.conftest import ROOT

CREATE_CONN = (
    "aiokafka.conn.create_conn (undocumented; consumer/kafka/clients.py explain_connection_failure opens "
    "one broker connection with it to tell refused credentials and untrusted certificates apart, which "
    "aiokafka's clients only log)"
)


def test_aiokafka_create_conn_takes_the_arguments_we_pass() -> None:
    try:
        from aiokafka.conn import AIOKafkaConnection, create_conn
    except ImportError as exc:
        pytest.fail(f"{CREATE_CONN} is gone from aiokafka: {exc}; find its replacement or probe otherwise")
    assert inspect.iscoroutinefunction(create_conn), f"{CREATE_CONN} is no longer a coroutine function"
    try:
        inspect.signature(create_conn).bind(
            "broker",
            9092,
            request_timeout_ms=10_000,
            ssl_context=None,
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_plain_username="user",
            sasl_plain_password="secret",
        )
    except TypeError as exc:
        pytest.fail(f"{CREATE_CONN} no longer takes the arguments we pass: {exc}")
    assert callable(getattr(AIOKafkaConnection, "close", None)), (
        f"{CREATE_CONN}: the connection it returns has no close() any more"
    )


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1 that no CA signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def _serve(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def _hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ssl.SSLError):
        await reader.read(1)
    writer.close()


async def _not_tls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


async def test_create_conn_reports_an_untrusted_broker_certificate(tmp_path: Path) -> None:
    async with _serve(_hold, _self_signed(tmp_path)) as address:
        options = {
            "bootstrap_servers": address,
            "security_protocol": "SSL",
            "ssl_context": ssl.create_default_context(),
        }
        cause = await explain_connection_failure(options)
    assert isinstance(cause, ConfigurationError), (
        f"{CREATE_CONN} no longer raises ssl.SSLCertVerificationError for an untrusted certificate "
        f"(got {cause!r}); check what aiokafka raises now and update explain_connection_failure"
    )
    assert "certificate is not trusted" in str(cause)
    assert "KAFKA_SSL_CAFILE" in str(cause)


async def test_create_conn_reports_a_listener_that_does_not_speak_tls() -> None:
    async with _serve(_not_tls) as address:
        options = {
            "bootstrap_servers": address,
            "security_protocol": "SSL",
            "ssl_context": ssl.create_default_context(),
        }
        cause = await explain_connection_failure(options)
    assert isinstance(cause, ConfigurationError), (
        f"{CREATE_CONN} no longer raises ssl.SSLError when the listener is not TLS (got {cause!r}); "
        "check what aiokafka raises now and update explain_connection_failure"
    )
    assert "TLS handshake failed" in str(cause)


AIOHTTP_CLIENT_SINCE = Version("1.58.0")


def test_google_genai_takes_our_aiohttp_session() -> None:
    from google.genai import types

    assert "aiohttp_client" in types.HttpOptions.model_fields, (
        "google-genai: types.HttpOptions has no aiohttp_client field any more; "
        "consumer/analyzer/gemini_client.py make_client passes the analyzer's pooled aiohttp session "
        "through it. Find how this SDK version takes a caller's session"
    )
    requirement = next(
        Requirement(r)
        for r in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "dependencies"
        ]
        if Requirement(r).name == "google-genai"
    )
    older = Version(f"{AIOHTTP_CLIENT_SINCE.major}.{AIOHTTP_CLIENT_SINCE.minor - 1}.99")
    assert not requirement.specifier.contains(older), (
        f"pyproject.toml allows {requirement}, but HttpOptions(aiohttp_client=...) arrived in "
        f"google-genai {AIOHTTP_CLIENT_SINCE}: raise the lower bound"
    )
