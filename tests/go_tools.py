"""The Go-built tools some tests run (helm, promtool): ``scripts/go-tool`` builds each once from the
Go module proxy (``make test`` does so first), so a test finds it cached."""

from __future__ import annotations

import subprocess
from functools import cache

import pytest

from tests.conftest import ROOT

BUILD_TIMEOUT_S = 1700


@cache
def go_tool(name: str) -> str:
    """The path of ``name`` (``helm`` or ``promtool``), built on first use; a machine without Go
    fails here, loudly."""
    try:
        found = subprocess.run(
            [str(ROOT / "scripts" / "go-tool"), name], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"scripts/go-tool {name} did not finish building {name} within {BUILD_TIMEOUT_S} s")
    if found.returncode != 0:
        pytest.fail(
            f"cannot get {name} (scripts/go-tool {name} exited {found.returncode}): {found.stderr[-2000:]}"
        )
    return found.stdout.strip().splitlines()[-1]
