"""Write the JSON Schema files and the AsyncAPI document in this folder from the pydantic models.

``python -m schemas.generate`` rewrites them; ``--check`` exits 1 when any is out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel

from consumer.http.asyncapi import build_asyncapi
from schemas.models import CallAnalysis, InsightEvent, LLMAnswer, TranscriptEvent

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


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (transcripts) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def render_asyncapi() -> str:
    """The AsyncAPI document as written to disk (YAML)."""
    body = yaml.dump(build_asyncapi(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "# Generated from the pydantic models by `python -m schemas.generate`; do not edit.\n" + body


DOCUMENTS: dict[str, Callable[[], str]] = {"asyncapi.yaml": render_asyncapi}


def rendered() -> dict[str, str]:
    """Every generated file of this folder, by name, as it should read."""
    files = {name: render(model, mode) for name, (model, mode) in FILES.items()}
    return files | {name: build() for name, build in DOCUMENTS.items()}


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) every generated file."""
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
