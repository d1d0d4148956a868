"""The Helm chart in deploy/helm/call-insights: `helm lint` passes, and `helm template` renders the
probes, drain, resources, secrets, disruption budget and lag-based scaling the service needs, with
the service's own setting names; values that cannot work are refused with the reason.

Helm comes from ``scripts/go-tool helm`` (built once from the Go module proxy; needs Go).
"""

from __future__ import annotations

import re
import subprocess
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from consumer.http.access import OPS_PATHS
from consumer.settings import Settings
from tests.go_tools import go_tool
from tests.unit.sidecar import make_app

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "call-insights"
RELEASE = "ci"
FULLNAME = "ci-call-insights"
HTTP_SHUTDOWN_S = 10  # web.AppRunner(shutdown_timeout=10.0) in consumer/app.py
HELM_TIMEOUT_S = 120

# The contract's setting names the chart sets.
CONTRACT_SETTINGS = {
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_INPUT_TOPIC",
    "KAFKA_OUTPUT_TOPIC",
    "KAFKA_DLQ_TOPIC",
    "KAFKA_GROUP_ID",
    "LLM_PROVIDER",
    "GEMINI_MODEL",
    "MAX_IN_FLIGHT",
    "LOG_LEVEL",
}

# A cold build of helm takes minutes; every helm command has its own timeout below.
pytestmark = pytest.mark.timeout(1800)


# --- helm ----------------------------------------------------------------------------------------


def helm() -> str:
    """The path of the helm binary, built on first use."""
    return go_tool("helm")


def run_helm(
    *args: str, values: dict[str, Any] | None = None, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    command = [helm(), *args]
    if values is not None:
        values_file = tmp_path / f"values-{len(list(tmp_path.iterdir()))}.yaml"
        values_file.write_text(yaml.safe_dump(values), encoding="utf-8")
        command += ["--values", str(values_file)]
    return subprocess.run(command, capture_output=True, text=True, timeout=HELM_TIMEOUT_S, cwd=ROOT)


Manifests = dict[tuple[str, str], dict[str, Any]]


def render(tmp_path: Path, values: dict[str, Any] | None = None) -> Manifests:
    """The rendered manifests by (kind, name); fails the test when helm refuses the values."""
    done = run_helm("template", RELEASE, str(CHART), "--namespace", "calls", values=values, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    manifests: Manifests = {}
    for document in yaml.safe_load_all(done.stdout):
        if document:
            manifests[(document["kind"], document["metadata"]["name"])] = document
    return manifests


def refused(tmp_path: Path, values: dict[str, Any]) -> str:
    """helm template's error for values the chart must refuse."""
    done = run_helm("template", RELEASE, str(CHART), values=values, tmp_path=tmp_path)
    assert done.returncode != 0, f"helm template accepted {values}"
    return done.stderr


def deployment(manifests: Manifests) -> dict[str, Any]:
    return manifests[("Deployment", FULLNAME)]


def container(manifests: Manifests) -> dict[str, Any]:
    containers = deployment(manifests)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


def secret_env(manifests: Manifests) -> dict[str, dict[str, Any]]:
    """The container's variables taken from a Secret: name -> secretKeyRef."""
    return {
        entry["name"]: entry["valueFrom"]["secretKeyRef"]
        for entry in container(manifests).get("env", [])
        if "secretKeyRef" in entry.get("valueFrom", {})
    }


# --- what the service has ------------------------------------------------------------------------


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def secret_setting_names() -> set[str]:
    """The settings the service reads as secrets (SecretStr, possibly optional)."""
    names = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if annotation is SecretStr or SecretStr in typing.get_args(annotation):
            names.add(name.upper())
    return names


def sidecar_get_routes() -> set[str]:
    return {
        route.resource.canonical
        for route in make_app().router.routes()
        if route.method == "GET" and route.resource is not None
    }


FULL_VALUES: dict[str, Any] = {
    "image": {"repository": "registry.example/call-insights", "tag": "1.2.3"},
    "kafka": {"partitions": 12},
    "config": {"OFFLINE_WORKERS": "2", "KAFKA_BOOTSTRAP_SERVERS": "kafka-0.kafka:9092,kafka-1.kafka:9092"},
    "secrets": {
        "create": True,
        "values": {"DATABASE_URL": "postgresql://u:p@db:5432/insights_db", "GEMINI_API_KEY": "g-key"},
    },
    "autoscaling": {"enabled": True, "minReplicaCount": 2},
    "metrics": {"serviceMonitor": {"enabled": True}},
    "extraEnv": [{"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector:4317"}],
}


# --- lint ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [None, FULL_VALUES], ids=["defaults", "full"])
def test_helm_lint_passes_strictly(tmp_path: Path, values: dict[str, Any] | None) -> None:
    done = run_helm("lint", "--strict", str(CHART), values=values, tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in done.stdout


# --- probes and drain ----------------------------------------------------------------------------


def test_liveness_asks_only_the_process_and_readiness_asks_ready(tmp_path: Path) -> None:
    spec = container(render(tmp_path))
    assert spec["livenessProbe"]["httpGet"] == {"path": "/live", "port": "http"}
    assert spec["startupProbe"]["httpGet"] == {"path": "/live", "port": "http"}
    assert spec["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert spec["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    # the sidecar serves them, open like every ops route
    assert {"/live", "/ready"} <= sidecar_get_routes()
    assert {"/live", "/ready"} <= OPS_PATHS
    # the start (migrations, up to 120 s waiting for the broker) fits in the startup probe's budget
    startup = spec["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 150


def pre_stop_seconds(spec: dict[str, Any]) -> int:
    command = spec["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    return int(command[1])


@pytest.mark.parametrize(
    ("config", "expected_grace"),
    [({}, 60), ({"SHUTDOWN_TIMEOUT_S": "120"}, 150), ({"SHUTDOWN_TIMEOUT_S": "7.5"}, 38)],
)
def test_the_grace_period_covers_prestop_and_the_drain(
    tmp_path: Path, config: dict[str, str], expected_grace: int
) -> None:
    manifests = render(tmp_path, {"config": config})
    pod = deployment(manifests)["spec"]["template"]["spec"]
    spec = container(manifests)
    drain_s = float(manifests[("ConfigMap", FULLNAME)]["data"]["SHUTDOWN_TIMEOUT_S"])
    pre_stop = pre_stop_seconds(spec)
    assert pre_stop >= 1
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + drain_s + HTTP_SHUTDOWN_S
    assert pod["terminationGracePeriodSeconds"] == expected_grace


def test_a_grace_period_shorter_than_the_drain_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, {"drain": {"terminationGracePeriodSeconds": 30}})
    assert "drain.terminationGracePeriodSeconds=30 is shorter than" in error
    longer = render(tmp_path, {"drain": {"terminationGracePeriodSeconds": 90}})
    assert deployment(longer)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 90


# --- resources and security ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "cpu"),
    [
        ({}, "500m"),
        ({"config": {"OFFLINE_WORKERS": "2"}}, "2000m"),
        ({"config": {"OFFLINE_WORKERS": 1}}, "1250m"),
        ({"resources": {"requests": {"cpu": "3", "memory": "400Mi"}, "limits": {"memory": "1Gi"}}}, "3"),
    ],
)
def test_resources_follow_the_measured_rss_and_the_worker_count(
    tmp_path: Path, values: dict[str, Any], cpu: str
) -> None:
    resources = container(render(tmp_path, values))["resources"]
    assert resources["requests"]["cpu"] == cpu
    if "resources" in values:
        assert resources["requests"]["memory"] == "400Mi"
        assert resources["limits"] == {"memory": "1Gi"}
    else:  # peak RSS 260 MiB with two workers under a full-speed drain
        assert resources["requests"]["memory"] == "300Mi"
        assert resources["limits"] == {"memory": "512Mi"}


def test_the_pod_runs_unprivileged_on_a_read_only_root(tmp_path: Path) -> None:
    manifests = render(tmp_path)
    pod = deployment(manifests)["spec"]["template"]["spec"]
    spec = container(manifests)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert spec["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert {"name": "tmp", "mountPath": "/tmp"} in spec["volumeMounts"]
    # the image's user is the one the chart runs as (runAsNonRoot needs a numeric USER)
    user = re.search(r"^USER (\d+):(\d+)$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.MULTILINE)
    assert user is not None, "the Dockerfile's USER is not numeric"
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (
        int(user.group(1)),
        int(user.group(2)),
    )


# --- settings and secrets ------------------------------------------------------------------------


def test_settings_go_by_the_services_own_names(tmp_path: Path) -> None:
    manifests = render(tmp_path)
    config = manifests[("ConfigMap", FULLNAME)]["data"]
    assert set(config) >= CONTRACT_SETTINGS
    unknown = set(config) - setting_names()
    assert not unknown, f"the ConfigMap sets variables the service does not read: {sorted(unknown)}"
    assert config["KAFKA_INPUT_TOPIC"] == "telephony.transcripts"
    assert config["KAFKA_OUTPUT_TOPIC"] == "call.insights"
    assert config["KAFKA_DLQ_TOPIC"] == "telephony.transcripts.dlq"
    assert config["KAFKA_GROUP_ID"] == "insights-consumer"
    assert config["KAFKA_TOPIC_PARTITIONS"] == "3"
    assert config["GEMINI_MODEL"] == Settings.model_fields["gemini_model"].default
    assert container(manifests)["envFrom"] == [{"configMapRef": {"name": FULLNAME}}]


def test_every_secret_setting_comes_from_the_existing_secret(tmp_path: Path) -> None:
    refs = secret_env(render(tmp_path))
    assert set(refs) == secret_setting_names()
    assert {ref["name"] for ref in refs.values()} == {"call-insights"}
    assert all(ref["key"] == name for name, ref in refs.items())
    assert refs["DATABASE_URL"]["optional"] is False
    assert all(ref["optional"] is True for name, ref in refs.items() if name != "DATABASE_URL")


def test_the_chart_can_create_the_secret_and_map_keys(tmp_path: Path) -> None:
    manifests = render(tmp_path, FULL_VALUES)
    secret = manifests[("Secret", FULLNAME)]
    assert secret["stringData"] == FULL_VALUES["secrets"]["values"]
    assert {ref["name"] for ref in secret_env(manifests).values()} == {FULLNAME}
    annotations = deployment(manifests)["spec"]["template"]["metadata"]["annotations"]
    assert "checksum/secret" in annotations  # a changed secret rolls the pods
    env = container(manifests)["env"]
    assert {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector:4317"} in env

    mapped = secret_env(
        render(tmp_path, {"secrets": {"existingSecret": "db", "keys": {"DATABASE_URL": "dsn"}}})
    )
    assert mapped["DATABASE_URL"] == {"name": "db", "key": "dsn", "optional": False}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"config": {"GEMINI_API_KEY": "in-the-clear"}}, "config.GEMINI_API_KEY is a secret"),
        ({"config": {"DATABASE_URL": "postgresql://u:p@db/x"}}, "config.DATABASE_URL is a secret"),
        (
            {"secrets": {"create": True, "values": {"GEMINI_API_KEY": "g"}}},
            "needs secrets.values.DATABASE_URL",
        ),
        ({"secrets": {"existingSecret": ""}}, "secrets.existingSecret"),
        ({"config": {"AUTH_PROTECT_OPS": "true"}}, "Kubernetes probes cannot send"),
        ({"config": {"HTTP_HOST": "127.0.0.1"}}, "must not be a loopback address"),
        ({"config": {"KAFKA_TOPIC_PARTITIONS": "6"}}, "comes from kafka.partitions"),
    ],
)
def test_values_that_cannot_work_are_refused(tmp_path: Path, values: dict[str, Any], message: str) -> None:
    assert message in refused(tmp_path, values)


# --- disruption and scaling ----------------------------------------------------------------------


def test_a_disruption_budget_lets_one_instance_go_at_a_time(tmp_path: Path) -> None:
    manifests = render(tmp_path)
    budget = manifests[("PodDisruptionBudget", FULLNAME)]
    assert budget["spec"]["maxUnavailable"] == 1
    pod_labels = deployment(manifests)["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_without_autoscaling_the_replicas_are_fixed(tmp_path: Path) -> None:
    manifests = render(tmp_path, {"replicaCount": 3})
    assert deployment(manifests)["spec"]["replicas"] == 3
    assert not [key for key in manifests if key[0] == "ScaledObject"]
    assert ("Secret", FULLNAME) not in manifests


def test_keda_scales_on_the_groups_lag_up_to_the_partition_count(tmp_path: Path) -> None:
    manifests = render(tmp_path, FULL_VALUES)
    scaled = manifests[("ScaledObject", FULLNAME)]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    spec = scaled["spec"]
    assert spec["scaleTargetRef"]["name"] == FULLNAME
    assert spec["minReplicaCount"] == 2
    assert spec["maxReplicaCount"] == 12 == FULL_VALUES["kafka"]["partitions"]
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["topic"] == "telephony.transcripts"
    assert trigger["metadata"]["consumerGroup"] == "insights-consumer"
    assert trigger["metadata"]["bootstrapServers"] == "kafka-0.kafka:9092,kafka-1.kafka:9092"
    assert int(trigger["metadata"]["lagThreshold"]) > 0
    assert trigger["metadata"]["allowIdleConsumers"] == "false"
    assert "replicas" not in deployment(manifests)["spec"]  # KEDA's HPA owns the count

    fewer = render(
        tmp_path, {"autoscaling": {"enabled": True, "maxReplicaCount": 2}, "kafka": {"partitions": 6}}
    )
    assert fewer[("ScaledObject", FULLNAME)]["spec"]["maxReplicaCount"] == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"autoscaling": {"enabled": True, "maxReplicaCount": 4}, "kafka": {"partitions": 3}},
            "autoscaling.maxReplicaCount=4 exceeds kafka.partitions=3",
        ),
        ({"replicaCount": 5, "kafka": {"partitions": 3}}, "replicaCount=5 exceeds kafka.partitions=3"),
        (
            {"autoscaling": {"enabled": True, "minReplicaCount": 4}, "kafka": {"partitions": 3}},
            "autoscaling.minReplicaCount=4 must be between 1 and maxReplicaCount=3",
        ),
    ],
)
def test_more_replicas_than_partitions_are_refused(
    tmp_path: Path, values: dict[str, Any], message: str
) -> None:
    assert message in refused(tmp_path, values)


def test_metrics_are_scraped(tmp_path: Path) -> None:
    default = render(tmp_path)
    annotations = deployment(default)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == "8000"
    monitor = render(tmp_path, FULL_VALUES)[("ServiceMonitor", FULLNAME)]
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    assert default[("Service", FULLNAME)]["spec"]["ports"][0]["targetPort"] == "http"
