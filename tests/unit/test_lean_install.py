"""The service runs on its runtime dependencies alone: the tools extra (tqdm, PyYAML) is only for the
producer tools and ``schemas.generate``, and google-genai loads only when Gemini is configured.

Each check runs a fresh interpreter whose import system refuses the blocked packages, as if they
were not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from tests.conftest import ROOT

TOOLS = ("tqdm", "yaml")
INSTALL_HINT = "pip install 'call-insights[tools]'"
TRANSCRIPT = "Agent: EMI kab tak? Customer: Main kal 5000 pay kar dunga."

_BLOCKER = """
import importlib.abc
import sys

BLOCKED = {blocked!r}


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, Blocker())
"""


def run_blocked(
    code: str, *, blocked: tuple[str, ...] = TOOLS, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that cannot import ``blocked``."""
    prelude = _BLOCKER.format(blocked=blocked)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_", "LLM_"))}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        env={
            **base,
            "LLM_PROVIDER": "offline",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
            "DATABASE_URL": "postgresql://postgres:postgres@127.0.0.1:9/insights_db",
            **(env or {}),
        },
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_mains(module: str, *argvs: list[str]) -> list[tuple[int, str, str]]:
    """``module``'s ``main(argv)`` for each argv, in one interpreter without the tools extra: the exit
    code, stdout and stderr of each."""
    code = f"""
        import contextlib, importlib, io, json
        main = importlib.import_module({module!r}).main
        results = []
        for argv in {[list(a) for a in argvs]!r}:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
            results.append((code, out.getvalue(), err.getvalue()))
        print(json.dumps(results))
    """
    done = run_blocked(code)
    assert done.returncode == 0, done.stderr
    return [tuple(result) for result in json.loads(done.stdout.splitlines()[-1])]


def test_the_blocker_blocks() -> None:
    done = run_blocked("import tqdm")
    assert done.returncode == 1
    assert "ModuleNotFoundError: No module named 'tqdm'" in done.stderr


def test_every_service_module_imports_without_the_tools_extra() -> None:
    done = run_blocked("""
        import pkgutil, importlib, consumer
        names = [m.name for m in pkgutil.walk_packages(consumer.__path__, "consumer.")]
        for name in names:
            importlib.import_module(name)
        print(len(names))
        print(sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
    """)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.splitlines()
    assert int(count) > 40  # the walk really found the package's modules
    assert loaded == "[]"


def test_the_service_commands_run_without_the_tools_extra(tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"transcript": TRANSCRIPT}) + "\n", encoding="utf-8")
    labels = {"intent_category": "promise_to_pay", "sentiment": "Neutral", "action_required": True}
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(json.dumps({"transcript": TRANSCRIPT, "labels": labels}) + "\n", encoding="utf-8")
    analyze, evaluate, check, migrate = run_mains(
        "consumer.__main__", ["analyze", str(calls)], ["eval", str(labelled)], ["check"], ["migrate"]
    )
    assert analyze[0] == 0, analyze
    assert json.loads(analyze[1].splitlines()[0])["intent_category"] == "promise_to_pay"
    assert evaluate[0] == 0, evaluate
    assert json.loads(evaluate[1].splitlines()[-1])["n"] == 1
    # nothing listens on port 9: each runs, reports the refused connection and fails
    assert check[0] == 1, check
    assert "127.0.0.1:9" in check[1]
    assert migrate[0] == 1, migrate
    assert "cannot connect to PostgreSQL" in migrate[2]


def test_tools_that_draw_progress_name_the_extra_in_one_line() -> None:
    commands = ["send", "bench", "replay-dlq", "backfill"]
    argvs = [[command, *(["x.jsonl"] if command == "backfill" else [])] for command in commands]
    for command, (code, out, err) in zip(commands, run_mains("producer_tools.__main__", *argvs), strict=True):
        assert code == 2, (command, err)
        assert not out
        assert err == f"python -m producer_tools {command} needs tqdm from the tools extra: {INSTALL_HINT}\n"


def test_progress_bars_refuse_with_the_hint_when_used_directly() -> None:
    done = run_blocked("""
        from producer_tools.progress import tqdm
        tqdm(total=1)
    """)
    assert done.returncode == 1
    assert f"RuntimeError: progress bars need tqdm from the tools extra: {INSTALL_HINT}" in done.stderr


def test_generating_the_schemas_names_the_extra_in_one_line() -> None:
    [(code, out, err)] = run_mains("schemas.generate", ["--check"])
    assert code == 2
    assert not out
    assert err == f"python -m schemas.generate needs PyYAML from the tools extra: {INSTALL_HINT}\n"


def test_the_service_and_the_offline_analyzer_load_no_gemini_sdk() -> None:
    done = run_blocked(
        """
        import consumer.app
        import consumer.__main__
        from consumer.analyzer import build_analyzer
        from consumer.settings import Settings
        analyzer = build_analyzer(Settings())
        print(type(analyzer).__name__)
        print(sorted(m for m in sys.modules if m.startswith("google.genai")))
        """,
        blocked=(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["OfflineAnalyzer", "[]"]


def test_the_tools_extra_is_declared_and_the_dev_install_has_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {Requirement(r).name.lower() for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    tools = {Requirement(r).name.lower() for r in extras["tools"]}
    dev = {Requirement(r).name.lower() for r in extras["dev"]}
    assert tools == {"tqdm", "pyyaml"}
    assert not tools & runtime
    assert tools <= dev


def test_the_image_installs_neither_the_tools_nor_swagger_ui_py() -> None:
    from tests.unit.test_lock import read_lock

    runtime = read_lock("requirements-runtime.lock")
    assert not {"tqdm", "pyyaml", "swagger-ui-py", "jinja2"} & set(runtime), "run `make lock`"
    assert {"tqdm", "pyyaml"} <= set(read_lock("requirements.lock"))
