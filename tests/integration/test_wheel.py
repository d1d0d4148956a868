"""The wheel is the product: built from this tree, installed in a fresh virtual environment with the
runtime lock, it migrates a database and analyzes a transcript from outside the checkout."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from consumer.db.migrations import CHECKOUT_SQL
from producer_tools.databases import scratch_database
from tests.conftest import Stack

ROOT = Path(__file__).resolve().parents[2]
PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input"]


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built with the build backend of the development environment from a
    copy of the tracked files (a checkout's own build/ folder could hold stale modules)."""
    source = tmp_path_factory.mktemp("source")
    tracked = _run(["git", "ls-files", "-z"], cwd=ROOT).split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            *PIP,
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        cwd=out,
    )
    (built,) = out.glob("call_insights-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the runtime lock's packages and the wheel: its python."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--clear", str(venv)], cwd=venv)
    python = venv / "bin" / "python"
    # pip first, pinned and hashed as the Makefile installs it (older pips refuse the lock's extras)
    lock = (ROOT / "requirements.lock").read_text()
    pip_entry = re.search(r"^pip==.*?(?=^\S)", lock, flags=re.MULTILINE | re.DOTALL)
    assert pip_entry is not None, "requirements.lock pins no pip"
    pin = venv / "pip.txt"
    pin.write_text(pip_entry.group(0))
    _run([str(python), *PIP, "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(pin)], cwd=venv)
    runtime = ROOT / "requirements-runtime.lock"
    _run([str(python), *PIP, "install", "--quiet", "--require-hashes", "-r", str(runtime)], cwd=venv)
    _run([str(python), *PIP, "install", "--quiet", "--no-deps", str(wheel)], cwd=venv)
    return python


@pytest.fixture
async def database(stack: Stack) -> AsyncIterator[str]:
    async with scratch_database(stack.admin_dsn, "insights_wheel") as dsn:
        yield dsn


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the checkout on the path or a configured LLM."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, "LLM_PROVIDER": "offline", **extra}


def test_the_wheel_carries_the_migrations_model_and_assets(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = {
            n.removeprefix("consumer/db/sql/"): archive.read(n)
            for n in names
            if n.startswith("consumer/db/sql/")
        }
    assert shipped == {p.name: p.read_bytes() for p in CHECKOUT_SQL.glob("*.sql")}
    assert "consumer/analyzer/learned_model.json" in names
    assert "consumer/static/dashboard/index.html" in names
    assert "producer_tools/samples/transcripts.jsonl" in names
    assert not [n for n in names if n.startswith("tests/") or n.endswith(".map")]


async def test_the_installed_wheel_migrates_and_analyzes(
    installed: Path, database: str, tmp_path: Path
) -> None:
    where = _run(
        [str(installed), "-c", "import consumer; print(consumer.__file__)"], cwd=tmp_path, env=_clean_env()
    )
    assert str(installed.parent.parent) in where, where  # the venv's copy, not the checkout

    out = _run(
        [str(installed), "-m", "consumer", "migrate"], cwd=tmp_path, env=_clean_env(DATABASE_URL=database)
    )
    applied = json.loads(out.splitlines()[0])["applied"]
    assert applied == sorted(p.name for p in CHECKOUT_SQL.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    conn = await asyncpg.connect(database)
    try:
        rows = {
            r["name"]: r["checksum"] for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
    finally:
        await conn.close()
    assert rows == {name: hashlib.sha256((CHECKOUT_SQL / name).read_bytes()).hexdigest() for name in applied}

    again = _run(
        [str(installed), "-m", "consumer", "migrate"], cwd=tmp_path, env=_clean_env(DATABASE_URL=database)
    )
    assert json.loads(again.splitlines()[0])["applied"] == []

    call = {
        "transcript": "Agent: Namaste, main Priya, Sugam Finance se. Customer: Haan ji, kal 5000 bhar dunga."
    }
    transcripts = tmp_path / "calls.jsonl"
    transcripts.write_text(json.dumps(call) + "\n")
    out = _run(
        [str(installed), "-m", "consumer", "analyze", str(transcripts)], cwd=tmp_path, env=_clean_env()
    )
    answer = json.loads(out.splitlines()[0])
    assert answer["intent_category"] == "promise_to_pay"
    assert answer["promise_to_pay"]["amount_inr"] == 5000
    assert answer["analyzer"]["provider"] == "offline"
