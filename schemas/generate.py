"""Write the JSON Schema files in this folder from the pydantic models.

``python -m schemas.generate`` rewrites them; ``--check`` exits 1 when any is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

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


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) every schema file."""
    check = "--check" in argv
    stale = []
    for name, (model, mode) in FILES.items():
        path = HERE / name
        text = render(model, mode)
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
