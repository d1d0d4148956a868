"""The google-genai client for either backend: the Gemini API (an API key) or Vertex AI (a Google
Cloud project and region, with Application Default Credentials or a service-account key file).

Vertex AI keeps the data of a request in the region named by ``GOOGLE_CLOUD_LOCATION`` (for
example ``asia-south1``, Mumbai) when the model is served there; the Gemini API and Vertex's
``global`` location give no such promise. Both backends take ``GEMINI_BASE_URL`` (a proxy, or the
fake in tests); with Vertex the SDK still appends ``projects/{p}/locations/{l}/...`` to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
from google import genai
from google.genai import types

from consumer.errors import AnalyzerError
from consumer.settings import Settings

CLOUD_PLATFORM_SCOPE: Final = "https://www.googleapis.com/auth/cloud-platform"


@dataclass(frozen=True, slots=True)
class Backend:
    """Where Gemini requests go."""

    vertex: bool
    project: str | None = None
    location: str | None = None
    base_url: str | None = None
    credentials_file: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Backend:
        """The backend the settings ask for (``GOOGLE_GENAI_USE_VERTEXAI`` picks Vertex AI)."""
        if settings.google_genai_use_vertexai:
            return cls(
                vertex=True,
                project=settings.google_cloud_project,
                location=settings.google_cloud_location,
                base_url=settings.gemini_base_url,
                credentials_file=settings.google_application_credentials,
            )
        return cls(vertex=False, base_url=settings.gemini_base_url)

    @property
    def name(self) -> str:
        """``vertex_ai`` or ``gemini_api``."""
        return "vertex_ai" if self.vertex else "gemini_api"

    def describe(self) -> dict[str, Any]:
        """For /health and ``check``: the backend, and for Vertex its project and region."""
        out: dict[str, Any] = {"backend": self.name}
        if self.vertex:
            out["project"] = self.project
            out["location"] = self.location
            out["data_region"] = (
                self.location if self.location and self.location not in ("global", "us", "eu") else None
            )
        return out

    def problems(self, settings: Settings) -> list[str]:
        """What is missing for this backend, each with the setting that fixes it."""
        if self.vertex:
            found = []
            if not self.project:
                found.append("Vertex AI needs GOOGLE_CLOUD_PROJECT (the Google Cloud project id)")
            if not self.location:
                found.append(
                    "Vertex AI needs GOOGLE_CLOUD_LOCATION (a region such as asia-south1 to keep data "
                    "in India, or global)"
                )
            return found
        key = settings.gemini_api_key
        if key is None or not key.get_secret_value().strip():
            return ["GEMINI_API_KEY is not set (or set GOOGLE_GENAI_USE_VERTEXAI=true for Vertex AI)"]
        return []


def load_credentials(backend: Backend) -> Any:
    """Credentials for Vertex AI: the service-account key file when one is named, else None (the
    SDK then uses Application Default Credentials)."""
    if not backend.vertex or not backend.credentials_file:
        return None
    from google.oauth2 import service_account

    try:
        return service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
            backend.credentials_file, scopes=[CLOUD_PLATFORM_SCOPE]
        )
    except (OSError, ValueError) as exc:
        msg = f"GOOGLE_APPLICATION_CREDENTIALS ({backend.credentials_file}) is not a usable key file: {exc}"
        raise AnalyzerError(msg, reason="llm_not_configured") from None


def make_client(
    settings: Settings, *, session: aiohttp.ClientSession | None = None, timeout_s: float | None = None
) -> genai.Client:
    """A client for the configured backend; its HTTP requests go through ``session`` when given.

    The SDK's own retries are off (``attempts=1``): the analyzer's retry loop is the only one.
    Raises ``AnalyzerError`` when the backend lacks what it needs.
    """
    backend = Backend.from_settings(settings)
    problems = backend.problems(settings)
    if problems:
        raise AnalyzerError("; ".join(problems), reason="llm_not_configured")
    options = types.HttpOptions(
        base_url=backend.base_url,
        timeout=math.ceil((timeout_s or settings.llm_timeout_s) * 1000),
        retry_options=types.HttpRetryOptions(attempts=1),
        aiohttp_client=session,
    )
    if backend.vertex:
        return genai.Client(
            vertexai=True,
            project=backend.project,
            location=backend.location,
            credentials=load_credentials(backend),
            http_options=options,
        )
    assert settings.gemini_api_key is not None  # problems() said so
    return genai.Client(
        vertexai=False, api_key=settings.gemini_api_key.get_secret_value().strip(), http_options=options
    )
