"""Bodies of the sidecar's operational endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CheckResult(BaseModel):
    """One readiness condition: whether it holds, why not, and what the check saw."""

    model_config = ConfigDict(extra="allow")

    ok: bool
    error: str | None = Field(default=None, description="Why the condition does not hold.")


class Liveness(BaseModel):
    """``GET /live``: 200 with ``alive`` whenever the process answers; it asks no dependency."""

    status: Literal["alive"]


class Readiness(BaseModel):
    """``GET /ready``: 200 with ``ready`` when every check passes, else 503 with ``not_ready``."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, CheckResult] = Field(description="database, migrations and consumer, at least.")
    failing: list[str] = Field(default_factory=list, description="The checks that failed.")
