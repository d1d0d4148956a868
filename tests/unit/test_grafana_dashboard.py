"""The Grafana dashboard (``deploy/grafana/call-insights.json``): well formed, a query on the chosen
Prometheus in every panel that promtool parses, every metric it names served on ``/metrics``, and
the panels operators need. promtool comes from ``scripts/go-tool promtool`` (needs Go)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.unit.promql import LABEL_VALUES, metric_names, not_served, parse_errors, served_metric_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "call-insights.json"


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too, rows left out."""
    for panel in board["panels"]:
        if panel["type"] == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def dashboard_exprs() -> list[str]:
    return [target["expr"] for panel in panels(dashboard()) for target in panel["targets"]]


def template_metrics() -> set[str]:
    queries = [variable.get("query") for variable in dashboard()["templating"]["list"]]
    texts = [q["query"] if isinstance(q, dict) else q for q in queries if q]
    return {name for text in texts for name in LABEL_VALUES.findall(text)}


# --- reading PromQL ------------------------------------------------------------------------------


def test_metric_names_are_found_in_promql() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (job, le) "
        '(rate(a_seconds_bucket{x="b", y=~"$c"}[$__rate_interval])))'
        " > on (job) group_left (instance) b_total unless c offset 5m and deriv(d[15m:1m]) > bool 1e3"
        ' or absent(e{job="f"}) or label_replace(g, "h", "$1", "i", "(.*)")'
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "c", "d", "e", "g"}


async def test_a_name_that_is_not_served_is_found_out() -> None:
    served = await served_metric_names()
    wrong = metric_names(
        "insights_outbox_backlog_total + insights_nothing + rate(insights_consumer_lag_bucket[5m])"
    )
    assert not_served(wrong, served) == wrong
    assert not_served({"insights_outbox_backlog", "insights_end_to_end_seconds_count", "up"}, served) == set()


# --- the dashboard -------------------------------------------------------------------------------


async def test_every_metric_the_dashboard_names_is_served() -> None:
    named = {name for expr in dashboard_exprs() for name in metric_names(expr)} | template_metrics()
    assert "insights_end_to_end_seconds_bucket" in named
    missing = not_served(named, await served_metric_names())
    assert not missing, f"the dashboard names metrics /metrics does not serve: {sorted(missing)}"


def test_the_dashboard_picks_its_prometheus_and_instances() -> None:
    board = dashboard()
    assert board["uid"]
    assert board["schemaVersion"] >= 36
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert {"job", "instance"} <= set(variables)
    assert template_metrics() == {"insights_events_consumed_total"}


def test_every_panel_has_a_query_on_the_chosen_datasource() -> None:
    board = dashboard()
    ids = [panel["id"] for panel in board["panels"]] + [
        p["id"] for row in board["panels"] if row["type"] == "row" for p in row.get("panels", [])
    ]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in panels(board):
        title = panel["title"]
        assert panel["targets"], f"panel {title!r} has no query"
        assert panel["datasource"]["uid"] == "${datasource}", title
        for target in panel["targets"]:
            assert target["expr"].strip(), f"panel {title!r} has an empty query"
            assert target["datasource"]["uid"] == "${datasource}", title
            assert metric_names(target["expr"]), f"panel {title!r} selects no metric: {target['expr']}"
            assert 'instance=~"$instance"' in target["expr"], f"panel {title!r} ignores the instance filter"


def test_every_query_parses() -> None:
    assert parse_errors(dashboard_exprs()) == {}


def test_a_query_that_does_not_parse_is_found_out() -> None:
    broken = 'sum(rate(insights_events_consumed_total{instance=~"$instance"}[$__rate_interval])'
    assert list(parse_errors([broken, 'max(insights_outbox_backlog{instance=~"$instance"})'])) == [broken]


def test_panels_lie_on_the_grid_without_overlapping() -> None:
    taken: dict[tuple[int, int], str] = {}
    for panel in dashboard()["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in taken, f"{panel['title']!r} overlaps {taken[(x, y)]!r}"
                taken[(x, y)] = panel["title"]


def test_the_dashboard_shows_what_operators_watch() -> None:
    named = {name for expr in dashboard_exprs() for name in metric_names(expr)}
    assert {
        "insights_events_processed_total",  # throughput
        "insights_end_to_end_seconds_bucket",  # end-to-end latency
        "insights_consumer_lag",
        "insights_analyses_in_flight",
        "insights_llm_request_duration_seconds_bucket",  # LLM latency
        "insights_llm_request_duration_seconds_count",  # LLM outcomes, errors among them
        "insights_llm_circuit_state",
        "insights_llm_tokens_total",
        "insights_llm_estimated_cost_usd_total",
        "insights_dead_letters_total",
        "insights_outbox_backlog",
        "insights_db_pool_connections",
    } <= named
