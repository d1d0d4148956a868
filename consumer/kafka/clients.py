"""How every Kafka client of the project connects: TLS and SASL from the settings, in one place.

The service's consumer, producer and admin client, and the producer tools, all take their security
arguments from :func:`kafka_client_options`, so they cannot disagree about how to reach the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    IllegalSaslStateError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.helpers import create_ssl_context

from consumer.errors import ConfigurationError

if TYPE_CHECKING:
    from consumer.settings import Settings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

_AUTH_ERRORS = (
    SaslAuthenticationFailed,
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    UnsupportedSaslMechanismError,
    IllegalSaslStateError,
)

_HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH


def uses_tls(protocol: str) -> bool:
    """Whether the protocol encrypts the connection."""
    return protocol in ("SSL", "SASL_SSL")


def uses_sasl(protocol: str) -> bool:
    """Whether the protocol authenticates with SASL."""
    return protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def security_problems(settings: Settings) -> list[str]:
    """What is wrong with the combination of Kafka security settings (empty when it can work).

    Settings that the chosen protocol would silently ignore count as wrong: someone who set a CA
    file or a SASL user expects it to be used.
    """
    protocol = settings.kafka_security_protocol
    problems: list[str] = []
    username = (settings.kafka_sasl_username or "").strip()
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    if uses_sasl(protocol):
        if not username:
            problems.append(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME")
        if not password:
            problems.append(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_PASSWORD")
    elif username or password:
        problems.append(
            f"KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL={protocol} "
            "does not use SASL (use SASL_SSL, or SASL_PLAINTEXT on a trusted network)"
        )
    tls_files = {
        "KAFKA_SSL_CAFILE": settings.kafka_ssl_cafile,
        "KAFKA_SSL_CERTFILE": settings.kafka_ssl_certfile,
        "KAFKA_SSL_KEYFILE": settings.kafka_ssl_keyfile,
    }
    if not uses_tls(protocol):
        named = [name for name, value in tls_files.items() if value]
        if named:
            problems.append(
                f"{', '.join(named)} set but KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS "
                "(use SSL or SASL_SSL)"
            )
    elif settings.kafka_ssl_keyfile and not settings.kafka_ssl_certfile:
        problems.append("KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE (the client certificate)")
    return problems


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    """Verify the broker against KAFKA_SSL_CAFILE (else the system's CAs); present a client
    certificate when one is configured."""
    key_password = settings.kafka_ssl_key_password
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=settings.kafka_ssl_cafile or None,  # an empty value in .env means unset
            certfile=settings.kafka_ssl_certfile or None,
            keyfile=settings.kafka_ssl_keyfile or None,
            # never let OpenSSL prompt on the terminal for an encrypted key
            password=key_password.get_secret_value() if key_password else "",
        )
    except (OSError, ValueError) as exc:
        files = ", ".join(
            f"{name}={value}"
            for name, value in (
                ("KAFKA_SSL_CAFILE", settings.kafka_ssl_cafile),
                ("KAFKA_SSL_CERTFILE", settings.kafka_ssl_certfile),
                ("KAFKA_SSL_KEYFILE", settings.kafka_ssl_keyfile),
            )
            if value
        )
        detail = f"{type(exc).__name__}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
        raise ConfigurationError(
            f"cannot load the Kafka TLS files ({files or 'system CAs'}): {detail}"
        ) from None
    context.check_hostname = settings.kafka_ssl_check_hostname
    return context


def kafka_client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``AIOKafkaConsumer``, ``AIOKafkaProducer`` and ``AIOKafkaAdminClient``:
    the bootstrap servers plus ``security_protocol`` and, as the protocol needs, ``ssl_context``
    and the SASL mechanism and credentials.

    Raises ConfigurationError when a TLS file cannot be read; a bad combination of settings is
    already refused when the settings are read.
    """
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": protocol,
    }
    if uses_tls(protocol):
        options["ssl_context"] = _ssl_context(settings)
    if uses_sasl(protocol):
        password = settings.kafka_sasl_password
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=password.get_secret_value() if password else None,
        )
    return options


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.strip().rpartition(":")
    return host.strip("[]") or "localhost", int(port or 9092)


async def explain_connection_failure(options: Mapping[str, Any]) -> ConfigurationError | None:
    """After a client could not bootstrap: a ConfigurationError saying why, when the cause is one
    that waiting will not fix (credentials refused, broker certificate not trusted, wrong protocol).

    aiokafka reports every bootstrap failure as "Unable to bootstrap"; this opens one connection per
    bootstrap address itself to see the real cause. None means the broker is simply not reachable
    (yet), or the cause is unknown: the caller goes on retrying.
    """
    protocol = str(options.get("security_protocol", "PLAINTEXT"))
    user = options.get("sasl_plain_username")
    mechanism = options.get("sasl_mechanism")
    for address in str(options["bootstrap_servers"]).split(","):
        if not address.strip():
            continue
        try:
            host, port = _host_port(address)
        except ValueError:
            return ConfigurationError(f"KAFKA_BOOTSTRAP_SERVERS: {address!r} is not host:port")
        where = f"Kafka at {host}:{port} ({protocol})"
        try:
            conn = await asyncio.wait_for(
                create_conn(
                    host,
                    port,
                    request_timeout_ms=10_000,
                    ssl_context=options.get("ssl_context"),
                    security_protocol=protocol,
                    sasl_mechanism=mechanism or "PLAIN",
                    sasl_plain_username=user,
                    sasl_plain_password=options.get("sasl_plain_password"),
                ),
                timeout=15,
            )
        except _AUTH_ERRORS as exc:
            return ConfigurationError(
                f"{where} refused the credentials of user {user!r} with SASL {mechanism}: {_describe(exc)}; "
                "check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM"
            )
        except ssl.SSLCertVerificationError as exc:
            hint = "set KAFKA_SSL_CAFILE to the CA that signed it"
            if exc.verify_code == _HOSTNAME_MISMATCH:
                hint = "use the host name the certificate names, or KAFKA_SSL_CHECK_HOSTNAME=false"
            return ConfigurationError(
                f"{where}: the broker's certificate is not trusted ({exc.verify_message}); {hint}"
            )
        except ssl.SSLError as exc:
            return ConfigurationError(
                f"{where}: TLS handshake failed ({exc.reason or exc}); does the listener speak "
                f"{protocol}? (KAFKA_SECURITY_PROTOCOL)"
            )
        except (OSError, KafkaError, TimeoutError):
            continue  # not reachable, or closed on us: nothing certain to say
        else:
            with contextlib.suppress(Exception):
                conn.close()
    return None


class _Startable(Protocol):
    async def start(self) -> None: ...


async def start_client(client: _Startable, options: Mapping[str, Any]) -> None:
    """``await client.start()``, releasing the client when that fails; when it could not bootstrap
    because of a security setting, raise a ConfigurationError that says which (see
    :func:`explain_connection_failure`)."""
    try:
        await client.start()
    except KafkaConnectionError:
        await _release(client)
        cause = await explain_connection_failure(options)
        if cause is not None:
            raise cause from None
        raise


async def _release(client: object) -> None:
    release = getattr(client, "stop", None) or getattr(client, "close", None)  # admin clients close
    if release is not None:
        with contextlib.suppress(Exception):
            await release()


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if text.startswith("[Error") else text
