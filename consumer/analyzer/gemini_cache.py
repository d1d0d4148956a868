"""The explicit context cache (``GEMINI_CACHE=explicit``): the system instruction, stored once.

Every analysis sends the same instruction of a few thousand tokens. A cached content holds it at
Gemini, and each request names the cache instead (``cachedContent``); Gemini then bills those
tokens at the cached price (a tenth of the input price) plus a small hourly storage fee.

- Created when the service starts, for the configured model; a request naming it must not carry
  its own system instruction (Gemini refuses that with 400).
- Its TTL is refreshed (``PATCH ...?updateMask=ttl``) when half of it has passed, so it never
  expires while the service runs.
- When Gemini reports it gone (403 "CachedContent not found", after an expiry or a deletion
  elsewhere) it is created again, once however many requests noticed.
- Deleted on shutdown, so nothing stays billed.
- When it cannot be created (too few tokens for the model's minimum, a model without caching),
  requests carry the instruction themselves and the reason shows in ``/health``; creation is tried
  again at the next refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

log = logging.getLogger(__name__)

CACHE_DISPLAY_NAME: Final = "call-insights system instruction"
_GONE_MESSAGE: Final = "cachedcontent not found"


def is_cache_gone(exc: BaseException) -> bool:
    """Whether a failed request says the cached content it named no longer exists."""
    return (
        isinstance(exc, genai_errors.APIError)
        and exc.code in (403, 404)
        and _GONE_MESSAGE in (exc.message or "").lower()
    )


class InstructionCache:
    """One cached content holding the system instruction; see the module docstring."""

    def __init__(
        self,
        client_factory: Callable[[], genai.Client],
        *,
        model: str,
        instruction: str,
        ttl_s: float,
    ) -> None:
        self._client = client_factory
        self._model = model
        self._instruction = instruction
        self._ttl_s = ttl_s
        self.name: str | None = None
        self.expire_time: datetime | None = None
        self.tokens: int | None = None
        self.created = 0
        self.refreshed = 0
        self.last_error: str | None = None
        self._lock = asyncio.Lock()

    @property
    def ttl(self) -> str:
        """The TTL as the API takes it."""
        return f"{self._ttl_s:g}s"

    async def ensure(self) -> str | None:
        """The cache's name, creating it when there is none; None when it cannot be created."""
        if self.name is not None:
            return self.name
        async with self._lock:
            if self.name is None:
                await self._create()
        return self.name

    async def replace(self, stale: str | None) -> str | None:
        """Create the cache again after Gemini said ``stale`` is gone (once, however many callers)."""
        async with self._lock:
            if self.name is not None and self.name == stale:
                self.name = None
            if self.name is None:
                await self._create()
        return self.name

    async def _create(self) -> None:
        try:
            cached = await self._client().aio.caches.create(
                model=self._model,
                config=types.CreateCachedContentConfig(
                    display_name=CACHE_DISPLAY_NAME,
                    system_instruction=self._instruction,
                    ttl=self.ttl,
                ),
            )
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            log.warning(
                "explicit cache not created; requests carry the instruction themselves: %s", self.last_error
            )
            return
        self.name = cached.name
        self.expire_time = cached.expire_time
        self.tokens = cached.usage_metadata.total_token_count if cached.usage_metadata else None
        self.created += 1
        self.last_error = None
        log.info("explicit cache %s created (%s tokens, ttl %s)", self.name, self.tokens, self.ttl)

    async def refresh(self) -> None:
        """Extend the TTL (or create the cache when there is none or it is gone)."""
        name = self.name
        if name is None:
            await self.ensure()
            return
        try:
            updated = await self._client().aio.caches.update(
                name=name, config=types.UpdateCachedContentConfig(ttl=self.ttl)
            )
        except Exception as exc:
            if is_cache_gone(exc):
                log.warning("explicit cache %s is gone; creating it again", name)
                await self.replace(name)
                return
            self.last_error = f"refresh failed: {type(exc).__name__}: {exc}"[:300]
            log.warning("explicit cache %s: %s", name, self.last_error)
            return
        self.expire_time = updated.expire_time
        self.refreshed += 1

    async def run(self) -> None:
        """Refresh whenever half of the TTL has passed, until cancelled."""
        while True:
            await asyncio.sleep(self._ttl_s / 2)
            await self.refresh()

    async def delete(self) -> None:
        """Delete the cache at Gemini (best effort: an expired one is gone anyway)."""
        name, self.name = self.name, None
        if name is None:
            return
        try:
            await self._client().aio.caches.delete(name=name)
        except Exception as exc:
            log.warning("explicit cache %s not deleted: %s: %s", name, type(exc).__name__, exc)
        else:
            log.info("explicit cache %s deleted", name)

    def status(self) -> dict[str, Any]:
        """For /health."""
        out: dict[str, Any] = {"mode": "explicit", "name": self.name, "ttl": self.ttl}
        if self.expire_time is not None:
            expire = self.expire_time
            out["expire_time"] = expire.isoformat()
            out["expires_in_s"] = round((expire - datetime.now(UTC)).total_seconds(), 1)
        if self.tokens is not None:
            out["tokens"] = self.tokens
        out["created"] = self.created
        out["refreshed"] = self.refreshed
        if self.last_error:
            out["last_error"] = self.last_error
        return out
