"""Service settings, read once from the environment (and `.env`) in ``main()`` and passed down."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consumer.kafka.clients import SaslMechanism, SecurityProtocol, security_problems
from consumer.observability.secrets import url_secrets


class Settings(BaseSettings):
    """Every setting of the service; names are the contract's environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    kafka_bootstrap_servers: str = "localhost:9092"
    kafka_input_topic: str = "telephony.transcripts"
    kafka_output_topic: str = "call.insights"
    kafka_dlq_topic: str = "telephony.transcripts.dlq"
    kafka_group_id: str = "insights-consumer"
    kafka_topic_partitions: int = Field(
        default=3, ge=1, description="Partitions for topics the service creates."
    )
    kafka_session_timeout_ms: int = Field(
        default=30_000, ge=1_000, description="How soon a crashed instance's partitions move to the others."
    )
    # Transport security of every Kafka client (see consumer/kafka/clients.py)
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = Field(default=None, description="CA bundle; unset = the system's CAs.")
    kafka_ssl_certfile: str | None = Field(default=None, description="Client certificate (PEM), if required.")
    kafka_ssl_keyfile: str | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True

    database_url: SecretStr = SecretStr("postgresql://postgres:postgres@localhost:5432/insights_db")
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)

    llm_provider: Literal["auto", "gemini", "offline"] = "auto"
    gemini_api_key: SecretStr | None = None
    gemini_model: str = Field(
        default="gemini-3.5-flash-lite",
        description="A generally available model Google serves today (see docs/gemini.md).",
    )
    gemini_base_url: str | None = None
    gemini_thinking_level: Literal["minimal", "low", "medium", "high"] | None = Field(
        default="minimal",
        description="How much the model thinks; models without levels get a matching thinking budget.",
    )
    gemini_temperature: float | None = Field(
        default=None, ge=0, le=2, description="Unset = the model's default (Google advises 1.0 for Gemini 3)."
    )
    gemini_cache: Literal["explicit", "implicit", "off"] = Field(
        default="explicit",
        description="explicit: a cached content holds the instruction; implicit: a stable prefix; off.",
    )
    gemini_cache_ttl_s: float = Field(default=3600.0, ge=60, description="TTL of the explicit cache.")
    gemini_prices: str = Field(
        default="",
        description='JSON {"model": {"input": $, "cached": $, "output": $}} per 1M tokens.',
    )
    gemini_check_interval_s: float = Field(
        default=300.0, gt=0, description="How often the configured model is looked up (models.get)."
    )
    # The google-genai SDK's own variables for Vertex AI (read here so /health and check can say
    # which backend, project and region are in use).
    google_genai_use_vertexai: bool = False
    google_cloud_project: str | None = None
    google_cloud_location: str | None = None
    google_application_credentials: str | None = Field(
        default=None, description="A service-account key file; unset = Application Default Credentials."
    )
    llm_timeout_s: float = Field(default=30.0, gt=0)
    llm_attempts: int = Field(default=3, ge=1)
    llm_backoff_initial_s: float = Field(default=0.5, ge=0)
    llm_backoff_max_s: float = Field(default=8.0, ge=0)
    llm_rpm: float = Field(
        default=0,
        ge=0,
        description=(
            "Requests per minute to the LLM from each instance (not shared: N instances may send "
            "N times as many); 0 = no limit."
        ),
    )
    circuit_failure_threshold: int = Field(
        default=5, ge=1, description="Transient LLM failures in a row that open this instance's circuit."
    )
    circuit_reset_s: float = Field(
        default=30.0, gt=0, description="How long an open circuit waits before this instance probes again."
    )
    offline_workers: int = Field(
        default=0,
        ge=0,
        description="Processes for the offline analyzer in each instance; 0 = analyse in the event loop.",
    )

    redact_stored: bool = Field(default=False, description="Store transcripts with PII redacted.")

    max_in_flight: int = Field(
        default=64,
        ge=1,
        description="Analyses at once in each instance (Kafka and HTTP together), not across instances.",
    )
    max_buffered: int = Field(default=1000, ge=1, description="Records buffered before partitions pause.")
    max_transcript_bytes: int = Field(default=1_048_576, ge=1)
    shutdown_timeout_s: float = Field(default=30.0, ge=0)

    http_host: str = "0.0.0.0"  # noqa: S104 - the sidecar serves the container network by default
    http_port: int = Field(default=8000, ge=0, le=65535)
    api_keys: SecretStr | None = Field(
        default=None, description="Comma-separated keys the sidecar accepts; unset = no authentication."
    )
    auth_protect_ops: bool = Field(
        default=False, description="Require a key on /live, /health, /ready, /metrics."
    )
    cors_origins: str = Field(default="", description="Comma-separated browser origins allowed, or *.")
    http_rate_limit_rpm: float = Field(default=0, ge=0, description="Requests per minute per key; 0 = off.")
    http_rate_limit_burst: int = Field(default=10, ge=1, description="Requests a key may send at once.")
    http_request_timeout_s: float = Field(default=120.0, gt=0, description="Deadline of /analyze_call.")
    idempotency_ttl_hours: float = Field(default=24.0, gt=0, description="How long Idempotency-Keys hold.")
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop",
        description="The service's event loop: uvloop's where it is installed, or asyncio's own.",
    )
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line; text: for a terminal."
    )

    @model_validator(mode="after")
    def _transport_security_is_coherent(self) -> Self:
        problems = security_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def secret_values(self) -> list[str]:
        """Every secret among the settings (SecretStr values, the DATABASE_URL password), for
        masking them wherever text leaves the process."""
        values: list[str] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            items = value if isinstance(value, list | tuple | set | frozenset) else [value]
            values += [item.get_secret_value() for item in items if isinstance(item, SecretStr)]
        parts = [part.strip() for value in values if "," in value for part in value.split(",")]  # API_KEYS
        return [*values, *parts, *url_secrets(self.database_url.get_secret_value())]

    @property
    def provider(self) -> Literal["gemini", "offline"]:
        """The analyzer in use: ``auto`` means Gemini when a key is set, else offline."""
        if self.llm_provider == "auto":
            has_key = self.gemini_api_key is not None and self.gemini_api_key.get_secret_value().strip()
            return "gemini" if has_key or self.google_genai_use_vertexai else "offline"
        return self.llm_provider
