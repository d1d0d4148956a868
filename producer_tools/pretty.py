"""How ``tail`` shows insight events and dead letters: filters and text blocks, no I/O."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schemas.dead_letter import (
    ATTEMPTS,
    ERROR,
    FAILED_AT,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TOPIC,
)
from schemas.dead_letter import REASON as DLQ_REASON

_RESET = "\033[0m"
_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "red_bold": "1;31",
    "yellow_bold": "1;33",
}
_SENTIMENT_STYLE = {"Positive": "green", "Neutral": "yellow", "Negative": "red"}
_PRIORITY_STYLE = {"high": "red_bold", "normal": "yellow", "low": "dim"}


class Painter:
    """ANSI colours when ``enabled``, plain text otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        """``text`` in ``style`` (a key of the style table), or unchanged."""
        if not self.enabled or style is None:
            return text
        return f"\033[{_STYLES[style]}m{text}{_RESET}"


@dataclass(frozen=True)
class InsightFilter:
    """Which insight events to show; an empty set lets every value through."""

    sentiments: frozenset[str] = field(default_factory=frozenset)
    intents: frozenset[str] = field(default_factory=frozenset)
    priorities: frozenset[str] = field(default_factory=frozenset)
    action_required: bool | None = None

    def accepts(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` passes every filter given."""
        checks = (
            (self.sentiments, event.get("sentiment")),
            (self.intents, event.get("intent_category")),
            (self.priorities, event.get("priority")),
        )
        if any(allowed and value not in allowed for allowed, value in checks):
            return False
        return self.action_required is None or event.get("action_required") is self.action_required


def inr(amount: int) -> str:
    """Rupees with Indian digit grouping: 150000 → ₹1,50,000."""
    digits = str(abs(amount))
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        digits = ",".join([head, *groups, tail])
    return f"{'-' if amount < 0 else ''}₹{digits}"


def _time(stamp: Any) -> str:
    text = str(stamp or "")
    return text[11:19] if len(text) >= 19 else text


def _promise_line(ptp: Mapping[str, Any], paint: Painter) -> str:
    parts = ["PTP"]
    if ptp.get("amount_inr") is not None:
        parts.append(paint(inr(int(ptp["amount_inr"])), "bold"))
    if ptp.get("is_partial"):
        parts.append("(part)")
    if ptp.get("due_date"):
        parts.append(f"due {paint(str(ptp['due_date']), 'bold')}")
    elif ptp.get("date_unresolved_reason"):
        parts.append(f"date unresolved: {ptp['date_unresolved_reason']}")
    if ptp.get("due_text"):
        parts.append(f'("{ptp["due_text"]}")')
    instalments = ptp.get("instalments") or []
    if instalments:
        parts.append(f"in {len(instalments)} instalments")
    return " ".join(parts)


def _flags(event: Mapping[str, Any], paint: Painter) -> list[str]:
    flags: list[str] = []
    distress = event.get("distress") or {}
    if distress.get("kinds"):
        flags.append(paint(f"distress: {', '.join(distress['kinds'])}", "red_bold"))
    for flag in event.get("compliance_flags") or []:
        style = "red" if flag.get("severity") == "high" else "magenta"
        flags.append(paint(f"{flag.get('rule')}/{flag.get('severity')}", style))
    if event.get("contact_status") in ("third_party", "wrong_number"):
        flags.append(str(event["contact_status"]))
    if event.get("needs_review"):
        flags.append(paint("needs_review", "yellow"))
    return flags


def format_insight(event: Mapping[str, Any], paint: Painter) -> str:
    """One compact block: the headline, then the promise, the flags and the summary when present."""
    sentiment = str(event.get("sentiment", "?"))
    priority = str(event.get("priority", "normal"))
    action = paint("ACTION", "yellow_bold") if event.get("action_required") else paint("no action", "dim")
    head = " · ".join(
        [
            paint(str(event.get("call_id", "?")), "bold"),
            paint(str(event.get("intent_category", "?")), "cyan"),
            paint(sentiment, _SENTIMENT_STYLE.get(sentiment)),
            action,
            paint(f"priority {priority}", _PRIORITY_STYLE.get(priority)),
        ]
    )
    dot = paint("●", _SENTIMENT_STYLE.get(sentiment))
    lines = [f"{dot} {paint(_time(event.get('processed_at')), 'dim')} {head}"]
    if event.get("promise_to_pay"):
        lines.append(f"  {_promise_line(event['promise_to_pay'], paint)}")
    flags = _flags(event, paint)
    if flags:
        lines.append(f"  flags: {' · '.join(flags)}")
    if event.get("summary"):
        lines.append(f"  {event['summary']}")
    return "\n".join(lines)


def _preview(value: bytes | None, limit: int = 160) -> str:
    if value is None:
        return "(null)"
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return f"{len(value)} bytes, not UTF-8: {value[: limit // 4]!r}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_dead_letter(
    headers: Mapping[str, str], key: bytes | None, value: bytes | None, paint: Painter
) -> str:
    """One block for a dead letter: the reason, where it came from, the error and the value's start."""
    origin = f"{headers.get(ORIGINAL_TOPIC, '?')}[{headers.get(ORIGINAL_PARTITION, '?')}]"
    origin += f"@{headers.get(ORIGINAL_OFFSET, '?')}"
    head = " · ".join(
        [
            paint(headers.get(DLQ_REASON, "?"), "red_bold"),
            f"from {origin}",
            f"attempts {headers.get(ATTEMPTS, '?')}",
            paint(headers.get(FAILED_AT, "?"), "dim"),
        ]
    )
    key_text = key.decode("utf-8", "replace") if key is not None else "(null)"
    lines = [
        f"{paint('✗ DEAD LETTER', 'red_bold')} {head}",
        f"  key {paint(key_text, 'bold')}",
    ]
    if headers.get(ERROR):
        lines.append(f"  error: {headers[ERROR]}")
    lines.append(f"  value: {_preview(value)}")
    return "\n".join(lines)


def dead_letter_json(
    topic: str,
    partition: int,
    offset: int,
    headers: Iterable[tuple[str, str]],
    key: bytes | None,
    value: bytes | None,
) -> str:
    """A dead letter as one JSON line; ``value`` is the text when it is UTF-8, always also base64."""
    text: str | None
    try:
        text = value.decode("utf-8") if value is not None else None
    except UnicodeDecodeError:
        text = None
    body = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key": key.decode("utf-8", "replace") if key is not None else None,
        "headers": dict(headers),
        "value": text,
        "value_base64": base64.b64encode(value).decode() if value is not None else None,
    }
    return json.dumps(body, ensure_ascii=False)
