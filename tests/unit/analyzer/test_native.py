"""The compiled analysis core (consumer.analyzer.native): when a build is used, and that it gives
exactly the analyses the sources give."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consumer.analyzer import native

ROOT = Path(__file__).resolve().parents[3]


def _fake_build(tmp_path: Path, **changes: object) -> Path:
    """A build folder whose manifest names every compiled module with its current source hash,
    and empty files in place of the extensions (``check_build`` does not load them)."""
    manifest = native.manifest({name: native.source_sha256(name) for name in native.COMPILED})
    for file in [manifest["library"], *(entry["file"] for entry in manifest["modules"].values())]:
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).touch()
    manifest.update(changes)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def test_a_build_that_fits_names_every_module_and_its_library(tmp_path: Path) -> None:
    status, files = native.check_build(_fake_build(tmp_path))
    assert status.compiled, status.reason
    assert set(files) == {*native.COMPILED, f"{native.GROUP}__mypyc"}
    assert all(f.is_file() for f in files.values())


def test_no_build_runs_the_sources(tmp_path: Path) -> None:
    status, files = native.check_build(tmp_path)
    assert (status.compiled, files) == (False, {})
    assert "make core" in status.reason


def test_a_build_for_another_interpreter_is_not_used(tmp_path: Path) -> None:
    status, _ = native.check_build(_fake_build(tmp_path, abi="cpython-312-x86_64-linux-gnu"))
    assert not status.compiled
    assert "cpython-312" in status.reason


def test_one_edited_source_disables_the_whole_build(tmp_path: Path) -> None:
    build = _fake_build(tmp_path)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    edited = "consumer.analyzer.rules.decide"
    manifest["modules"][edited]["source_sha256"] = "0" * 64
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status, files = native.check_build(build)
    assert (status.compiled, files) == (False, {})
    assert edited in status.reason


def test_a_build_of_other_modules_or_missing_files_is_not_used(tmp_path: Path) -> None:
    build = _fake_build(tmp_path / "a")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    del manifest["modules"]["consumer.analyzer.learned"]
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert not native.check_build(build)[0].compiled

    build = _fake_build(tmp_path / "b")
    next(build.glob(f"{native.GROUP}__mypyc*")).unlink()
    status, _ = native.check_build(build)
    assert not status.compiled
    assert "missing" in status.reason

    for text in ("{not json", '{"abi": "x", "library": "y", "modules": {"a": {}}}', "[]"):
        (build / "manifest.json").write_text(text, encoding="utf-8")
        assert "unreadable" in native.check_build(build)[0].reason


def _python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


_WHERE = (
    "from consumer.analyzer import native; import consumer.analyzer.text.matcher as m; "
    "print(native.status().label, m.__file__)"
)


def test_analyzer_native_off_runs_the_sources() -> None:
    label, file = _python(_WHERE, ANALYZER_NATIVE="off").split()
    assert label == "python"
    assert file.endswith("matcher.py")


needs_build = pytest.mark.skipif(
    not native.check_build()[0].compiled, reason="no compiled core fits the sources: make core"
)

# Every labelled call, analysed with the learned model and with the rules alone;
# one JSON document per line.
_ANALYSES = """
from consumer.analyzer import native
from consumer.analyzer.evaluate.dataset import load_labelled, split_files
from consumer.analyzer.learned import shipped_model
from consumer.analyzer.offline import analyze_offline
rows = [(r.transcript, r.call_started_at) for f in split_files("all") for r in load_labelled(f)]
model = shipped_model()
print(native.status().label, len(rows))
for transcript, at in rows:
    for m in (model, None):
        print(analyze_offline(transcript, at, m).model_dump_json())
"""


@needs_build
def test_the_compiled_core_loads_its_extensions() -> None:
    label, file = _python(_WHERE).split()
    assert label == "compiled"
    assert file.endswith(f".{native.abi_tag()}.so")


@needs_build
def test_the_compiled_core_gives_exactly_the_analyses_of_the_sources() -> None:
    compiled = _python(_ANALYSES).splitlines()
    source = _python(_ANALYSES, ANALYZER_NATIVE="off").splitlines()
    assert compiled[0].split()[0] == "compiled"
    assert source[0].split()[0] == "python"
    rows = int(compiled[0].split()[1])
    assert rows > 1_500
    assert len(compiled) == len(source) == 1 + 2 * rows
    differing = [i for i, (a, b) in enumerate(zip(compiled[1:], source[1:], strict=True), 1) if a != b]
    assert differing == [], f"{len(differing)} analyses differ, first at line {differing[0]}"


def test_a_build_that_does_not_load_is_set_aside(tmp_path: Path) -> None:
    """A build that fits but does not load (here: empty files) leaves the analyzer on its sources."""
    build = _fake_build(tmp_path)
    code = (
        "import os; from consumer.analyzer import native; "  # (imported with ANALYZER_NATIVE=off)
        "os.environ.pop('ANALYZER_NATIVE'); native._status = None; "
        f"s = native.install(__import__('pathlib').Path({str(build)!r})); "
        "import consumer.analyzer.text.matcher as m; print(s.label, m.__file__); print(s.reason)"
    )
    where, reason = _python(code, ANALYZER_NATIVE="off").splitlines()[-2:]
    label, file = where.split()
    assert (label, Path(file).name) == ("python", "matcher.py")
    assert reason.startswith("build does not load")
