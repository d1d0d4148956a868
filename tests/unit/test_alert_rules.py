"""The Prometheus alerting rules (``deploy/prometheus/alerts.yml``): ``promtool check rules`` and
their unit tests (``promtool test rules deploy/prometheus/alerts.test.yml``) pass, every metric they
name is served on ``/metrics``, and every alert has its section in the runbook.

promtool comes from ``scripts/go-tool promtool`` (built once from the Go module proxy; needs Go).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.promql import metric_names, not_served, promtool, served_metric_names
from tests.unit.test_docs import anchors

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
ALERT_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
RUNBOOK = ROOT / "docs" / "runbook.md"

# --- promtool ------------------------------------------------------------------------------------


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_promtool_accepts_the_rules() -> None:
    checked = run_promtool("check", "rules", str(ALERTS))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in checked.stdout


def test_the_unit_tests_of_the_rules_pass() -> None:
    tested = run_promtool("test", "rules", str(ALERT_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_promtool_refuses_a_broken_rule(tmp_path: Path) -> None:
    """The checks above can fail: a rule with a PromQL syntax error is refused."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        yaml.safe_dump(
            {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "sum(rate(insights_x[5m])"}]}]}
        ),
        encoding="utf-8",
    )
    assert run_promtool("check", "rules", str(broken)).returncode != 0


# --- the rules -----------------------------------------------------------------------------------


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_the_alerts_the_service_needs_are_there() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "CallInsightsDown",
        "CallInsightsConsumerLagGrowing",
        "CallInsightsNoProgress",
        "CallInsightsDeadLetterRate",
        "CallInsightsLLMCircuitOpen",
        "CallInsightsAnalyzerDown",
        "CallInsightsOutboxBacklog",
    } <= names


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_every_alert_waits_has_a_severity_and_says_what_happened(rule: dict[str, Any]) -> None:
    assert rule.get("for"), "an alert that fires on one evaluation pages on every blip"
    assert rule["labels"]["severity"] in {"critical", "warning"}
    for annotation in ("summary", "description", "runbook_url"):
        assert rule["annotations"].get(annotation, "").strip(), f"no {annotation}"


def test_every_alert_has_its_runbook_section_and_every_section_its_alert() -> None:
    sections = anchors(RUNBOOK)
    headings = {
        line[3:].strip()
        for line in RUNBOOK.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    for rule in alert_rules():
        path, _, fragment = rule["annotations"]["runbook_url"].partition("#")
        assert path == RUNBOOK.relative_to(ROOT).as_posix(), rule["alert"]
        assert fragment in sections, f"{rule['alert']}: no section #{fragment} in docs/runbook.md"
        assert fragment == rule["alert"].lower(), f"{rule['alert']} links the section of another alert"
    assert headings == {rule["alert"] for rule in alert_rules()}


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    cases = [
        case
        for test in yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    fires = {case["alertname"] for case in cases if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fires == set(), "alerts with no test that fires them"
    assert names - quiet == set(), "alerts with no test where they must stay quiet"


# --- the metrics they name -----------------------------------------------------------------------


async def test_every_metric_the_rules_name_is_served() -> None:
    named = {name for rule in alert_rules() for name in metric_names(rule["expr"])}
    assert "insights_consumer_lag" in named
    missing = not_served(named, await served_metric_names())
    assert not missing, f"the alerting rules name metrics /metrics does not serve: {sorted(missing)}"
