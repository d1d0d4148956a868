"""What PromQL in the deployment files selects, and what the service's ``/metrics`` serves: shared by
the tests of the Grafana dashboard and of the alerting rules, with promtool."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from consumer.analyzer.offline import OfflineAnalyzer
from consumer.http.app import create_app
from consumer.http.deps import SidecarDeps
from consumer.observability.metrics import Metrics
from consumer.pipeline import Pipeline
from tests.fakes.store import FakeStore
from tests.go_tools import go_tool

ROOT = Path(__file__).resolve().parents[2]

# Series Prometheus makes itself for every target, not the service.
PROMETHEUS_SERIES = frozenset({"up"})

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring"}
)
LABEL_VALUES = re.compile(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: what is left once strings, label matchers,
    ranges, grouping labels, function names, keywords and numbers are taken out."""
    text = _STRING.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in _KEYWORDS}


async def served_metric_names() -> set[str]:
    """Every sample name ``GET /metrics`` of a sidecar can serve: each family's ``# TYPE`` name, and
    a histogram's ``_bucket``, ``_sum`` and ``_count``."""
    metrics = Metrics(process=True)
    pipeline = Pipeline(OfflineAnalyzer(), FakeStore(), max_in_flight=2, metrics=metrics)  # type: ignore[arg-type]
    deps = SidecarDeps(pipeline=pipeline, health_checks={}, metrics=metrics)
    async with TestClient(TestServer(create_app(deps))) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        text = await response.text()
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind == "histogram":
                names.update(f"{name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
    return names


def not_served(names: set[str], served: set[str]) -> set[str]:
    """The names neither the service (``served``) nor Prometheus itself provides."""
    return names - served - PROMETHEUS_SERIES


def promtool() -> str:
    """The path of the promtool binary, built on first use."""
    return go_tool("promtool")


# Grafana's variables, replaced by values of their kind so that promtool can parse a panel's query.
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "$job": ".+",
    "$instance": ".+",
}


def parse_errors(exprs: list[str]) -> dict[str, str]:
    """The expressions promtool cannot parse, with its message (Grafana variables replaced first)."""
    errors = {}
    for expr in exprs:
        text = expr
        for variable, stand_in in GRAFANA_VARIABLES.items():
            text = text.replace(variable, stand_in)
        parsed = subprocess.run(
            [promtool(), "--experimental", "promql", "format", text],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if parsed.returncode != 0:
            errors[expr] = (parsed.stdout + parsed.stderr).strip()
    return errors
