"""Compile the offline analyzer's hot modules (``consumer.analyzer.native.COMPILED``) with mypyc
into ``consumer/analyzer/_core/``, where ``consumer.analyzer.native`` finds them.

    .venv/bin/python scripts/build_core.py          # `make core`; `make test` runs it
    .venv/bin/python scripts/build_core.py --check  # exit 1 unless the build fits the sources

A build is kept in the cache shared by every clone (``$DEVSTACK_CACHE``, default
``~/.cache/call-insights``), named by what it was built from (the interpreter, mypy, the sources,
this script): the first build takes a few minutes of CPU, later ones copy it at once. Needs mypy
(the dev extra) and a C compiler; the service itself needs neither.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["ANALYZER_NATIVE"] = "off"  # this process only reads the sources

from consumer.analyzer import native  # noqa: E402

CACHE = Path(os.environ.get("DEVSTACK_CACHE") or Path.home() / ".cache" / "call-insights") / "core"
COPIED = ("consumer", "schemas")  # the packages the compiled modules import (mypy reads them)


def build_key(sources: dict[str, str]) -> str:
    """What a build depends on: this interpreter, mypy, this script and the compiled sources."""
    import mypy.version

    h = hashlib.sha256()
    h.update(f"{native.abi_tag()} {sys.version} mypy {mypy.version.__version__}\n".encode())
    h.update(Path(__file__).read_bytes())
    for name, digest in sorted(sources.items()):
        h.update(f"{name} {digest}\n".encode())
    return h.hexdigest()[:20]


def mypy_ini() -> str:
    """The project's [tool.mypy] as a mypy.ini, so the compiled code is checked as `make lint` does."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]

    def value(v: object) -> str:
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)

    lines = ["[mypy]"]
    lines += [f"{k} = {value(v)}" for k, v in config.items() if k != "overrides"]
    for override in config.get("overrides", []):
        modules = override["module"]
        lines.append(f"[mypy-{','.join(modules) if isinstance(modules, list) else modules}]")
        lines += [f"{k} = {value(v)}" for k, v in override.items() if k != "module"]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _quiet_notes() -> Iterator[None]:
    """mypyc's notes on how it compiles a construct go to a buffer; anything else is printed."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        for line in buffer.getvalue().splitlines():
            if "warning: Treating generator comprehension as list" not in line:
                print(line)


def compile_to(target: Path, sources: dict[str, str], jobs: int) -> None:
    """Build into ``target`` (a new folder): the extension files and ``manifest.json``."""
    from mypyc.build import mypycify
    from setuptools import setup

    with tempfile.TemporaryDirectory(prefix="core-build-") as tmp_name:
        tmp = Path(tmp_name)
        for package in COPIED:
            skip = shutil.ignore_patterns("_core", "__pycache__")
            shutil.copytree(ROOT / package, tmp / package, ignore=skip)
        copied = {name: hashlib.sha256((tmp / rel(name)).read_bytes()).hexdigest() for name in sources}
        if copied != sources:
            msg = "a source changed while the build started; run it again"
            raise SystemExit(msg)
        (tmp / "mypy.ini").write_text(mypy_ini(), encoding="utf-8")
        with contextlib.chdir(tmp), _quiet_notes():
            extensions = mypycify(
                [str(rel(name)) for name in native.COMPILED],
                opt_level="3",
                multi_file=True,  # several smaller C files: a third less compile time than one
                group_name=native.GROUP,
                target_dir=str(tmp / "c"),
            )
            setup(
                name="call-insights-core",
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--build-lib",
                    str(tmp / "lib"),
                    "--build-temp",
                    str(tmp / "temp"),
                    "--parallel",
                    str(jobs),
                ],
            )
        spec = native.manifest(sources)
        for file in [spec["library"], *(entry["file"] for entry in spec["modules"].values())]:
            (target / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tmp / "lib" / file, target / file)
        (target / "manifest.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


def rel(module: str) -> Path:
    """The source of one of ``native.COMPILED``, relative to the checkout."""
    return native.source_path(module).relative_to(ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 unless the build fits the sources")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="extensions compiled at once")
    args = parser.parse_args()
    status, _ = native.check_build()
    if args.check or status.compiled:
        print(f"analysis core: {status.reason}")
        return 0 if status.compiled else 1
    sources = {name: native.source_sha256(name) for name in native.COMPILED}
    cached = CACHE / build_key(sources)
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time, however many clones ask
        if not (cached / "manifest.json").exists():
            print(f"analysis core: compiling {len(native.COMPILED)} modules with mypyc (once)", flush=True)
            started = time.monotonic()
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=CACHE))
            shutil.rmtree(staging)
            compile_to(staging, sources, args.jobs)
            staging.rename(cached)
            print(f"analysis core: built in {time.monotonic() - started:.0f} s", flush=True)
    shutil.rmtree(native.BUILD_DIR, ignore_errors=True)
    shutil.copytree(cached, native.BUILD_DIR)
    status, _ = native.check_build()
    print(f"analysis core: {status.reason}")
    return 0 if status.compiled else 1


if __name__ == "__main__":
    sys.exit(main())
