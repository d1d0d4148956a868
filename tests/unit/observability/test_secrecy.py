"""Masking secrets in URLs, free text and log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from consumer.observability.logs import JsonFormatter
from consumer.observability.secrets import (
    Scrubber,
    ScrubbingFormatter,
    mask_secrets_in_logs,
    redact_url,
    url_secrets,
    validation_summary,
)
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/insights", "postgresql://app:***@db:5432/insights"),
        (
            "postgresql://app:s3cret@db/insights?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            "postgresql://app:***@db/insights?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        ),
        ("postgresql://app:p%40ss%3Aword@db/x", "postgresql://app:***@db/x"),
        ("postgresql://app:a@b@db/x", "postgresql://app:***@db/x"),  # an unescaped @ in the password
        ("postgresql://db/x?user=app&password=s3cret", "postgresql://db/x?user=app&password=***"),
        ("postgresql://app@db/x", "postgresql://app@db/x"),
        ("postgresql://db/x", "postgresql://db/x"),
        ("localhost:9092", "localhost:9092"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_url_secrets_finds_raw_and_decoded_passwords() -> None:
    assert set(url_secrets("postgresql://app:p%40ss@db/x?sslpassword=k3y")) == {"p%40ss", "p@ss", "k3y"}
    assert url_secrets("postgresql://postgres:postgres@db/x") == []  # the user name is no secret
    assert url_secrets("postgresql://db/x") == []


def test_scrubber_masks_every_known_secret_longest_first() -> None:
    scrub = Scrubber(["hunter22", SecretStr("hunter22-and-more"), None, "", "ab"])
    text = "pw=hunter22 other=hunter22-and-more short=ab"
    assert scrub(text) == "pw=*** other=*** short=ab"
    assert not Scrubber([None, ""])


def test_formatter_masks_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        ScrubbingFormatter(logging.Formatter("%(levelname)s %(message)s"), Scrubber(["Db-Secret-4"]))
    )
    logger = logging.getLogger("test_secrecy")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("connecting to %s", "postgresql://app:Db-Secret-4@db/x")
        try:
            raise RuntimeError("login with Db-Secret-4 refused")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "Db-Secret-4" not in output
    assert "postgresql://app:***@db/x" in output
    assert "RuntimeError: login with *** refused" in output


def test_validation_summary_leaves_input_values_out() -> None:
    class Model(BaseModel):
        port: int
        token: str

    with pytest.raises(ValidationError) as caught:
        Model(port="Tok-Secret-5", token=1)  # type: ignore[arg-type]
    assert "Tok-Secret-5" in str(caught.value)  # what pydantic would print
    summary = validation_summary(caught.value)
    assert "Tok-Secret-5" not in summary
    assert summary.startswith("PORT: ")


def test_env_files_are_ignored_and_the_example_holds_no_secrets() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ".env.*" in ignored
    assert "!.env.example" in ignored
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    for name in ("GEMINI_API_KEY", "KAFKA_SASL_PASSWORD", "KAFKA_SSL_KEY_PASSWORD"):
        assert not example.get(name), f"{name} in .env.example must stay empty"


def test_json_log_lines_are_masked_too() -> None:
    """A secret with characters JSON escapes is masked in its escaped form as well."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test_secrecy_json")
    logger.addHandler(handler)
    logger.propagate = False
    mask_secrets_in_logs(Scrubber(['Pw"with\\quotes']), logger)
    try:
        logger.error("login failed for %s", 'app:Pw"with\\quotes@db')
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "with" not in line
    assert json.loads(line)["message"] == "login failed for app:***@db"
