"""Kafka security settings: which combinations are refused, and the client options they make."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from consumer.__main__ import main
from consumer.errors import ConfigurationError
from consumer.kafka.clients import kafka_client_options, security_problems
from consumer.observability.secrets import validation_summary
from consumer.settings import Settings

SASL = {"kafka_sasl_username": "svc", "kafka_sasl_password": "Sasl-Secret-1"}


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_password": "x"}, "needs KAFKA_SASL_USERNAME"),
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "svc"}, "needs KAFKA_SASL_PASSWORD"),
        ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": " "}, "KAFKA_SASL_USERNAME"),
        ({"kafka_security_protocol": "SSL", **SASL}, "does not use SASL"),
        ({**SASL}, "KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL"),
        ({"kafka_ssl_cafile": "/ca.pem"}, "KAFKA_SSL_CAFILE set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT"),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_ssl_certfile": "/c.pem", **SASL},
            "does not use TLS",
        ),
        ({"kafka_security_protocol": "SSL", "kafka_ssl_keyfile": "/k.pem"}, "needs KAFKA_SSL_CERTFILE"),
    ],
)
def test_incoherent_settings_are_refused(values: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    assert complaint in validation_summary(caught.value)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"kafka_security_protocol": "SSL"},
        {"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "/ca.pem", "kafka_ssl_certfile": "/c.pem"},
        {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "SCRAM-SHA-512", **SASL},
        {"kafka_security_protocol": "SASL_PLAINTEXT", **SASL},
    ],
)
def test_coherent_settings_are_accepted(values: dict[str, Any]) -> None:
    assert security_problems(settings(**values)) == []


def test_unknown_protocol_or_mechanism_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"(?i)kafka_security_protocol"):
        settings(kafka_security_protocol="TLS")
    with pytest.raises(ValidationError):
        settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="GSSAPI", **SASL)


def test_plaintext_options_carry_no_tls_and_no_credentials() -> None:
    options = kafka_client_options(settings(kafka_bootstrap_servers="k1:9092,k2:9092"))
    assert options == {"bootstrap_servers": "k1:9092,k2:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_options_verify_the_broker_with_the_system_cas_by_default() -> None:
    options = kafka_client_options(
        settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-256", **SASL)
    )
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert options["sasl_plain_username"] == "svc"
    assert options["sasl_plain_password"] == "Sasl-Secret-1"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_hostname_check_can_be_turned_off_but_not_verification() -> None:
    context = kafka_client_options(settings(kafka_security_protocol="SSL", kafka_ssl_check_hostname=False))[
        "ssl_context"
    ]
    assert context.check_hostname is False
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_sasl_plaintext_has_no_ssl_context() -> None:
    options = kafka_client_options(settings(kafka_security_protocol="SASL_PLAINTEXT", **SASL))
    assert "ssl_context" not in options
    assert options["sasl_mechanism"] == "PLAIN"


@pytest.mark.parametrize("content", [None, "not a certificate\n"])
def test_unreadable_ca_file_is_a_configuration_error(tmp_path: Path, content: str | None) -> None:
    cafile = tmp_path / "ca.pem"
    if content is not None:
        cafile.write_text(content)
    with pytest.raises(ConfigurationError, match=r"KAFKA_SSL_CAFILE=.*ca\.pem") as caught:
        kafka_client_options(
            settings(kafka_security_protocol="SASL_SSL", kafka_ssl_cafile=str(cafile), **SASL)
        )
    assert "Sasl-Secret-1" not in str(caught.value)
    assert not caught.value.retriable


def test_secrets_are_secret_str() -> None:
    s = settings(
        kafka_security_protocol="SASL_SSL",
        kafka_ssl_key_password="Key-Secret-2",
        gemini_api_key="Gemini-Secret-3",
        database_url="postgresql://app:Db-Secret-4@db/x",
        api_keys="Api-Key-5, Api-Key-6",
        **SASL,
    )
    shown = repr(s) + str(s.model_dump())
    for secret in (
        "Sasl-Secret-1",
        "Key-Secret-2",
        "Gemini-Secret-3",
        "Db-Secret-4",
        "Api-Key-5",
        "Api-Key-6",
    ):
        assert secret not in shown
        assert secret in s.secret_values()


def test_cli_reports_incoherent_settings_without_echoing_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """pydantic's own message would print every input value, the password among them."""
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "Sasl-Secret-1")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:Db-Secret-4@db/x")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "invalid settings: KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME" in err
    assert "Sasl-Secret-1" not in err
    assert "Db-Secret-4" not in err
