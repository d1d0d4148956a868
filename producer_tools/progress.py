"""Progress bars for the tools: tqdm, from the ``tools`` extra, which the service does not install.

The tools import ``tqdm`` from here, so a tool that draws no bar (``tail``) runs without the extra;
``python -m producer_tools`` checks with ``missing_tools`` before it starts one that draws bars.
"""

from __future__ import annotations

import importlib
from typing import Any, Final, NoReturn

TOOLS_INSTALL: Final = "pip install 'call-insights[tools]'"


def missing_module(module: str) -> bool:
    """Whether ``module`` cannot be imported because it (not one of its own imports) is missing."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return True
    return False


def missing_tools(command: str, modules: tuple[str, ...] = ("tqdm",)) -> str | None:
    """The one-line error for a tool whose extra is not installed, None when it is."""
    absent = [module for module in modules if missing_module(module)]
    if not absent:
        return None
    return f"{command} needs {', '.join(absent)} from the tools extra: {TOOLS_INSTALL}"


class _Missing:
    """Stands in for tqdm when it is not installed: any use raises with the install hint."""

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        msg = f"progress bars need tqdm from the tools extra: {TOOLS_INSTALL}"
        raise RuntimeError(msg)

    __call__ = _refuse

    def __getattr__(self, name: str) -> Any:
        self._refuse()


def _load() -> Any:
    if missing_module("tqdm"):
        return _Missing()
    from tqdm import tqdm as bar

    return bar


tqdm: Any = _load()
"""``tqdm.tqdm``, or a stand-in that refuses to draw when the tools extra is missing."""
