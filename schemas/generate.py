"""Write the JSON Schema files and the AsyncAPI document in this folder from the pydantic models.

``python -m schemas.generate`` rewrites them; ``--check`` exits 1 when any is out of date. Writing
YAML needs PyYAML, from the ``tools`` extra (the service serves the written file and never needs it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from consumer.http.asyncapi import build_asyncapi
from schemas.models import CallAnalysis, InsightEvent, LLMAnswer, TranscriptEvent

if TYPE_CHECKING:
    import yaml

HERE = Path(__file__).resolve().parent

FILES: dict[str, tuple[type[BaseModel], str]] = {
    "transcript_event.schema.json": (TranscriptEvent, "validation"),
    "insight_event.schema.json": (InsightEvent, "serialization"),
    "call_analysis.schema.json": (CallAnalysis, "validation"),
    "llm_answer.schema.json": (LLMAnswer, "validation"),
}


def render(model: type[BaseModel], mode: str) -> str:
    """The JSON Schema document for one model, as written to disk."""
    schema = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


TOOLS_INSTALL = "pip install 'call-insights[tools]'"


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _dump_yaml(document: Any) -> str:
    """YAML with multi-line strings (transcripts) as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, _str)
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def render_asyncapi() -> str:
    """The AsyncAPI document as written to disk (YAML)."""
    body = _dump_yaml(build_asyncapi())
    return "# Generated from the pydantic models by `python -m schemas.generate`; do not edit.\n" + body


DOCUMENTS: dict[str, Callable[[], str]] = {"asyncapi.yaml": render_asyncapi}


def rendered() -> dict[str, str]:
    """Every generated file of this folder, by name, as it should read."""
    files = {name: render(model, mode) for name, (model, mode) in FILES.items()}
    return files | {name: build() for name, build in DOCUMENTS.items()}


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) every generated file."""
    try:
        import yaml  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "yaml":
            raise
        message = f"python -m schemas.generate needs PyYAML from the tools extra: {TOOLS_INSTALL}"
        print(message, file=sys.stderr)
        return 2
    check = "--check" in argv
    stale = []
    for name, text in rendered().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run `python -m schemas.generate`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
