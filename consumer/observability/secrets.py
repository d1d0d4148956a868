"""Keeping secrets (passwords, API keys) out of logs, error messages and HTTP answers.

Secrets live in the settings as ``SecretStr``; this module is for the places where text that might
contain one leaves the process: a URL shown to a person, an exception message, a log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pydantic import SecretStr, ValidationError

MASK = "***"

# Query parameters of connection URLs whose values are secrets (libpq's names and common ones).
_SECRET_PARAMS = frozenset({"password", "sslpassword", "passfile", "token", "secret", "api_key", "apikey"})

# Shorter values are not masked in free text: replacing every "pg" or "42" would garble logs and
# protect nothing.
_MIN_SCRUB_LENGTH = 4


def redact_url(url: str) -> str:
    """The URL with its password (and secret query parameters) replaced by ``***``, for display.

    ``postgresql://app:s3cret@db:5432/insights?sslmode=verify-full`` becomes
    ``postgresql://app:***@db:5432/insights?sslmode=verify-full``. Text that is not a URL with a
    password comes back unchanged.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, sep, _password = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{hostport}" if sep else netloc
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(key.lower() in _SECRET_PARAMS for key, _ in pairs):
                query = urlencode(
                    [(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="/:*"
                )
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return MASK  # unparsable: show nothing rather than risk the password


def url_secrets(url: str) -> list[str]:
    """The secrets inside a URL (its password and secret query parameters), to scrub from text.

    A password equal to the user name is left out: it protects nothing, and masking it would mask
    the user name (and, for the usual ``postgres:postgres``, half of every PostgreSQL message).
    """
    try:
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        raw_user, _, raw_password = userinfo.partition(":")  # as written, percent-encoding and all
        user = unquote(raw_user)
        found = [p for p in {raw_password, unquote(raw_password)} if p and p not in (user, raw_user)]
        found += [v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_PARAMS and v]
    except ValueError:
        return [url]
    return found


class Scrubber:
    """Replaces known secret values in text by ``***``."""

    def __init__(self, secrets: Iterable[str | SecretStr | None]) -> None:
        values = {s.get_secret_value() if isinstance(s, SecretStr) else s for s in secrets}
        values |= {
            json.dumps(v, ensure_ascii=False)[1:-1] for v in values if v
        }  # as a JSON log line quotes it
        # longest first, so a secret containing another is masked whole
        self._secrets = sorted(
            (v for v in values if v and len(v) >= _MIN_SCRUB_LENGTH), key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        """``text`` with every known secret masked."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)


class ScrubbingFormatter(logging.Formatter):
    """Wraps a log formatter (text or JSON) and masks known secrets in the whole line it makes,
    tracebacks included."""

    def __init__(self, inner: logging.Formatter, scrubber: Scrubber) -> None:
        super().__init__()
        self._inner = inner
        self._scrub = scrubber

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line, scrubbed."""
        return self._scrub(self._inner.format(record))


def mask_secrets_in_logs(scrubber: Scrubber, logger: logging.Logger | None = None) -> None:
    """Make every handler of ``logger`` (default: the root logger) mask ``scrubber``'s secrets."""
    for handler in (logger or logging.getLogger()).handlers:
        if not isinstance(handler.formatter, ScrubbingFormatter):
            handler.setFormatter(ScrubbingFormatter(handler.formatter or logging.Formatter(), scrubber))


def validation_summary(exc: ValidationError) -> str:
    """A pydantic error as ``field: message`` lines, without the input values (they may be secrets)."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)
