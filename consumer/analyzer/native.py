"""The offline analyzer's compiled core: its hot modules built to C extensions with mypyc.

``scripts/build_core.py`` (``make core``) compiles ``COMPILED`` into ``consumer/analyzer/_core/``
and writes ``manifest.json`` there: each module's extension file and the SHA-256 of the source it
was built from. ``install`` (run when ``consumer.analyzer`` is imported, before any module of the
analyzer is) puts a finder first on ``sys.meta_path`` that loads those extensions instead of the
sources, but only when the build fits this interpreter and every source is still the one it was
built from: the compiled modules call each other directly, so one edited source means none of the
build can be used. Otherwise, or with ``ANALYZER_NATIVE=off``, the same modules run as Python,
with the same results (``tests/unit/analyzer/test_native.py`` compares them), about half as fast.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

PACKAGE_DIR: Final = Path(__file__).resolve().parent  # consumer/analyzer
BUILD_DIR: Final = PACKAGE_DIR / "_core"
GROUP: Final = "call_insights_core"  # the build's shared library is the module f"{GROUP}__mypyc"
ENV: Final = "ANALYZER_NATIVE"  # "off": run the sources even when a build fits

# Where the analysis spends its time: the text layer, the rules, the details and the learned model;
# the lexicon tables too, so the rules read their constants natively. Not ``offline``, which joins
# them: its ``OfflineAnalyzer`` is subclassed (a compiled class cannot be).
COMPILED: Final[tuple[str, ...]] = (
    "consumer.analyzer.text.checksums",
    "consumer.analyzer.text.date_words",
    "consumer.analyzer.text.dates",
    "consumer.analyzer.text.fold",
    "consumer.analyzer.text.lexicon",
    "consumer.analyzer.text.matcher",
    "consumer.analyzer.text.money",
    "consumer.analyzer.text.numbers",
    "consumer.analyzer.text.redact",
    "consumer.analyzer.text.regex_starts",
    "consumer.analyzer.text.regex_tree",
    "consumer.analyzer.text.speakers",
    "consumer.analyzer.rules.analyze",
    "consumer.analyzer.rules.cues",
    "consumer.analyzer.rules.decide",
    "consumer.analyzer.rules.describe",
    "consumer.analyzer.rules.lexicons",
    "consumer.analyzer.rules.phrases",
    "consumer.analyzer.rules.turns",
    "consumer.analyzer.details.call",
    "consumer.analyzer.details.conduct",
    "consumer.analyzer.details.fields",
    "consumer.analyzer.details.lexicons",
    "consumer.analyzer.details.promise",
    "consumer.analyzer.learned",
    "consumer.analyzer.enrich",
)


def source_path(module: str) -> Path:
    """The source file of one of ``COMPILED``."""
    return PACKAGE_DIR.parent.parent.joinpath(*module.split(".")).with_suffix(".py")


def source_sha256(module: str) -> str:
    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def abi_tag() -> str:
    """The extension suffix of this interpreter without its dot and ``.so``:
    ``cpython-311-x86_64-linux-gnu``."""
    suffix = str(sysconfig.get_config_var("EXT_SUFFIX") or "")
    return suffix.removeprefix(".").rsplit(".", 1)[0]


def extension_file(module: str) -> Path:
    """Where a build keeps the extension of one of ``COMPILED`` (relative to the build)."""
    return Path(*module.split(".")).with_suffix(f".{abi_tag()}.so")


def library_file() -> str:
    """The build's shared library (relative to the build): all the compiled code is in it."""
    return f"{GROUP}__mypyc.{abi_tag()}.so"


def manifest(sources: Mapping[str, str]) -> dict[str, Any]:
    """The ``manifest.json`` of a build for this interpreter of ``COMPILED`` from the sources of
    these SHA-256 digests (by module name): what ``check_build`` reads."""
    modules = {name: {"file": str(extension_file(name)), "source_sha256": sources[name]} for name in COMPILED}
    return {"abi": abi_tag(), "library": library_file(), "modules": modules}


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the analysis runs compiled, and if not, why."""

    compiled: bool
    reason: str  # "compiled (mypyc, 26 modules)", "no build (make core)", "source changed ...", ...

    @property
    def label(self) -> str:
        return "compiled" if self.compiled else "python"


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the build's extension modules by name, before the path finder finds their sources."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


_status: Status | None = None


def check_build(build_dir: Path = BUILD_DIR) -> tuple[Status, dict[str, Path]]:
    """Whether the build in ``build_dir`` can be used here, and its files by module name."""
    manifest = build_dir / "manifest.json"
    if not manifest.exists():
        return Status(False, "no build (make core)"), {}
    try:
        spec = json.loads(manifest.read_text(encoding="utf-8"))
        abi, modules = spec["abi"], spec["modules"]
        files = {f"{GROUP}__mypyc": build_dir / spec["library"]}
        built = {name: (entry["source_sha256"], build_dir / entry["file"]) for name, entry in modules.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Status(False, f"unreadable build manifest ({type(exc).__name__})"), {}
    if abi != abi_tag():
        return Status(False, f"build for {abi}, not {abi_tag()}"), {}
    if sorted(built) != sorted(COMPILED):
        return Status(False, "build of other modules (make core)"), {}
    for name in COMPILED:
        digest, files[name] = built[name]
        if digest != source_sha256(name):
            return Status(False, f"source changed since the build: {name} (make core)"), {}
    missing = [str(f) for f in files.values() if not f.exists()]
    if missing:
        return Status(False, f"build incomplete: {missing[0]} missing"), {}
    return Status(True, f"compiled (mypyc, {len(COMPILED)} modules)"), files


def install(build_dir: Path = BUILD_DIR) -> Status:
    """Load the compiled modules from now on when the build in ``build_dir`` can be used (decided
    once per process)."""
    global _status  # decided once per process, before the first analyzer module is imported
    if _status is not None:
        return _status
    if os.environ.get(ENV, "auto").strip().lower() in ("off", "0", "false", "no"):
        _status = Status(False, f"{ENV}=off")
        return _status
    already = [name for name in COMPILED if name in sys.modules]
    status, files = check_build(build_dir)
    if status.compiled and already:
        status, files = Status(False, f"imported before the build could be used: {already[0]}"), {}
    if status.compiled:
        finder = _Finder(files)
        sys.meta_path.insert(0, finder)
        try:  # the shared library holds all the compiled code: a build that cannot load fails here
            importlib.import_module(f"{GROUP}__mypyc")
        except ImportError as exc:
            sys.meta_path.remove(finder)
            status = Status(False, f"build does not load: {exc}"[:300])
    _status = status
    return status


def status() -> Status:
    """How this process runs the analysis (``install`` decides it)."""
    return install()
