"""The lock files pin, with hashes, every dependency pyproject.toml names, in a version it allows.

``make install`` (and the image) install only from the locks with ``--require-hashes``; a dependency
added to or changed in pyproject.toml without ``make lock`` fails here instead of drifting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


@dataclass(frozen=True)
class Pin:
    """One locked package."""

    version: Version
    hashes: tuple[str, ...]
    marker: str | None


def read_lock(name: str) -> dict[str, Pin]:
    """Pins of a lock file written by ``uv pip compile --generate-hashes``, by canonical name."""
    pins: dict[str, Pin] = {}
    current: tuple[str, str, str | None] | None = None
    hashes: list[str] = []

    def close() -> None:
        if current is not None:
            pins[canonicalize_name(current[0])] = Pin(Version(current[1]), tuple(hashes), current[2])

    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            close()
            match = _ENTRY.match(line)
            assert match, f"{name}: not a pinned requirement: {line!r}"
            current, hashes = (match["name"], match["version"], match["marker"]), []
        else:
            hashes.extend(re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
    close()
    return pins


def declared(*, dev: bool) -> list[Requirement]:
    """What pyproject.toml asks for: runtime dependencies and the build backend, and the dev extras."""
    names = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    if dev:
        names += PYPROJECT["project"]["optional-dependencies"]["dev"]
    return [Requirement(n) for n in names]


@pytest.mark.parametrize(("lock", "dev"), [("requirements.lock", True), ("requirements-runtime.lock", False)])
def test_every_declared_dependency_is_pinned_in_an_allowed_version(lock: str, dev: bool) -> None:
    pins = read_lock(lock)
    problems = []
    for requirement in declared(dev=dev):
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not in {lock}")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} but {lock} pins {pin.version}")
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-runtime.lock"])
def test_every_pin_has_hashes_and_a_valid_marker(lock: str) -> None:
    pins = read_lock(lock)
    assert len(pins) >= len(declared(dev=False))
    for name, pin in pins.items():
        assert pin.hashes, f"{name} has no --hash in {lock}"
        if pin.marker:
            Marker(pin.marker)  # raises on a malformed marker


def test_runtime_lock_agrees_with_the_dev_lock() -> None:
    """The image runs the versions the tests ran."""
    dev, runtime = read_lock("requirements.lock"), read_lock("requirements-runtime.lock")
    assert set(runtime) <= set(dev)
    assert {n: p.version for n, p in runtime.items()} == {n: dev[n].version for n in runtime}
    assert {n: set(p.hashes) for n, p in runtime.items()} == {n: set(dev[n].hashes) for n in runtime}
