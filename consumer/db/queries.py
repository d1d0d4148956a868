"""Reading insights and dead letters back from PostgreSQL: keyset pages, one record, window statistics.

The SQL is built here from validated query models only (values always travel as parameters); the
functions that shape rows into response models are pure, so they are tested without a database.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from consumer.db.insights import call_item, call_record
from schemas import IntentCategory, Sentiment, Severity
from schemas.query import (
    Bucket,
    CallPage,
    CallRecord,
    CallsQuery,
    CallStats,
    DeadLetterItem,
    DeadLetterPage,
    DeadLettersQuery,
    LLMUsage,
    ModelUsage,
    StatsBucket,
    StatsQuery,
)

log = logging.getLogger(__name__)

DEFAULT_STATS_WINDOW = timedelta(hours=24)
HOURLY_UP_TO = timedelta(days=3)
MAX_BUCKETS = 1000
BUCKET_WIDTH: dict[str, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH)


class InvalidCursorError(ValueError):
    """The cursor was not produced by this service."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: the (created_at, id) of its last item."""

    at: datetime
    id: int


def encode_cursor(position: Position) -> str:
    """An opaque cursor: base64url (unpadded) of ``[iso timestamp, id]``."""
    raw = json.dumps([position.at.isoformat(), position.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor stands for; InvalidCursorError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, row_id = json.loads(raw)
        at = datetime.fromisoformat(at_text)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        msg = "not a cursor returned by this API"
        raise InvalidCursorError(msg) from exc
    if at.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool) or row_id < 0:
        msg = "not a cursor returned by this API"
        raise InvalidCursorError(msg)
    if row_id > 2**63 - 1:
        msg = "not a cursor returned by this API"
        raise InvalidCursorError(msg)
    return Position(at=at, id=row_id)


class _Params:
    """Collects positional parameters for asyncpg and hands back their placeholders."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def severity_path(at_least: Severity) -> str:
    """A jsonpath matching an insight with a conduct flag of ``at_least`` severity or higher."""
    wanted = SEVERITY_ORDER[SEVERITY_ORDER.index(at_least) :]
    test = " || ".join(f'@.severity == "{s.value}"' for s in wanted)
    return f"$.compliance_flags[*] ? ({test})"


_CALL_COLUMNS = (
    "id, unique_id, event_id, call_id, intent, intent_category, sentiment, action_required, summary, "
    "insight, analyzer_provider, analyzer_model, analyzer_usage, source, call_started_at, created_at"
)
_RECORD_COLUMNS = f"{_CALL_COLUMNS}, transcript, metadata, processing_time_ms, updated_at"
_SELECT_RECORD = f"SELECT {_RECORD_COLUMNS} FROM call_records WHERE unique_id = $1"  # noqa: S608 - constants
_DEAD_LETTER_COLUMNS = (
    "id, reason, error, original_topic, original_partition, original_offset, key, attempts, failed_at"
)
_HAS_PROMISE = "COALESCE(jsonb_typeof(insight->'promise_to_pay') = 'object', FALSE)"


def calls_sql(query: CallsQuery, after: Position | None) -> tuple[str, list[Any]]:
    """SELECT for one page of GET /calls (one row more than the limit, to tell if more follow)."""
    p = _Params()
    where: list[str] = []
    for column in ("sentiment", "intent_category", "priority", "contact_status"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = {p(value.value)}")
    if query.action_required is not None:
        where.append(f"action_required = {p(query.action_required)}")
    if query.needs_review is not None:
        where.append(f"needs_review = {p(query.needs_review)}")
    if query.call_id is not None:
        where.append(f"call_id = {p(query.call_id)}")
    if query.has_promise is not None:
        where.append(_HAS_PROMISE if query.has_promise else f"NOT {_HAS_PROMISE}")
    if query.has_distress is not None:
        where.append("distress <> '{}'" if query.has_distress else "distress = '{}'")
    if query.compliance_rule is not None:
        where.append(
            f"compliance_rules <> '{{}}' AND compliance_rules @> ARRAY[{p(query.compliance_rule.value)}]"
        )
    if query.compliance_severity is not None:
        where.append(f"insight @? {p(severity_path(query.compliance_severity))}::jsonpath")
    if query.since is not None:
        where.append(f"created_at >= {p(query.since)}")
    if query.until is not None:
        where.append(f"created_at < {p(query.until)}")
    return _page_sql(_CALL_COLUMNS, "call_records", "created_at", where, p, after, query.limit)


def dead_letters_sql(query: DeadLettersQuery, after: Position | None) -> tuple[str, list[Any]]:
    """SELECT for one page of GET /dead_letters."""
    p = _Params()
    where: list[str] = []
    if query.reason is not None:
        where.append(f"reason = {p(query.reason)}")
    return _page_sql(_DEAD_LETTER_COLUMNS, "dead_letters", "failed_at", where, p, after, query.limit)


def _page_sql(
    columns: str,
    table: str,
    time_column: str,
    where: list[str],
    p: _Params,
    after: Position | None,
    limit: int,
) -> tuple[str, list[Any]]:
    """Newest first by (``time_column``, id), after the cursor's position, one row over ``limit``
    (to tell whether more follow). All names are this module's constants; values are ``$n``."""
    if after is not None:
        where = [*where, f"({time_column}, id) < ({p(after.at)}::timestamptz, {p(after.id)}::bigint)"]
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"SELECT {columns} FROM {table} {condition} "  # noqa: S608 - fixed fragments; values are $n
        f"ORDER BY {time_column} DESC, id DESC LIMIT {p(limit + 1)}"
    )
    return sql, p.values


async def _fetch_page(
    pool: asyncpg.Pool, built: tuple[str, list[Any]], limit: int, at: str
) -> tuple[list[asyncpg.Record], str | None]:
    """One keyset page: its rows (the query asks for ``limit`` + 1) and the cursor of the next page,
    None when this one is the last."""
    sql, args = built
    rows = await pool.fetch(sql, *args)
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(Position(at=last[at], id=last["id"]))


async def list_calls(pool: asyncpg.Pool, query: CallsQuery) -> CallPage:
    """One page of stored insights, newest first. Raises InvalidCursorError for a foreign cursor."""
    after = decode_cursor(query.cursor) if query.cursor else None
    rows, next_cursor = await _fetch_page(pool, calls_sql(query, after), query.limit, "created_at")
    return CallPage(items=[call_item(row) for row in rows], next_cursor=next_cursor)


async def get_call(pool: asyncpg.Pool, unique_id: str) -> CallRecord | None:
    """The record with this unique_id, transcript included; None when there is none."""
    row = await pool.fetchrow(_SELECT_RECORD, unique_id)
    return call_record(row) if row is not None else None


async def list_dead_letters(pool: asyncpg.Pool, query: DeadLettersQuery) -> DeadLetterPage:
    """One page of recorded dead letters, newest first."""
    after = decode_cursor(query.cursor) if query.cursor else None
    rows, next_cursor = await _fetch_page(pool, dead_letters_sql(query, after), query.limit, "failed_at")
    return DeadLetterPage(items=[DeadLetterItem(**dict(row)) for row in rows], next_cursor=next_cursor)


@dataclass(frozen=True, slots=True)
class StatsWindow:
    """A resolved /stats window: defaults applied, the bucket chosen."""

    since: datetime
    until: datetime
    bucket: Bucket
    tz: str


class UnknownTimeZoneError(ValueError):
    """A time zone Python knows and PostgreSQL does not."""


class WindowTooLongError(ValueError):
    """The window holds more buckets than one answer may carry."""


def stats_window(query: StatsQuery, now: datetime) -> StatsWindow:
    """Apply the defaults: until = now, since = until - 24 h, hourly buckets up to 3 days."""
    until = query.until or now.astimezone(UTC)
    since = query.since or until - DEFAULT_STATS_WINDOW
    if since >= until:
        msg = "since must be earlier than until"
        raise WindowTooLongError(msg)
    bucket: Bucket = query.bucket or ("hour" if until - since <= HOURLY_UP_TO else "day")
    buckets = math.ceil((until - since) / BUCKET_WIDTH[bucket]) + 1
    if buckets > MAX_BUCKETS:
        msg = (
            f"the window holds {buckets} {bucket} buckets, more than {MAX_BUCKETS}; "
            "use bucket=day or a shorter window"
        )
        raise WindowTooLongError(msg)
    return StatsWindow(since=since, until=until, bucket=bucket, tz=query.tz)


_STATS_SERIES = """
WITH counts AS (
    SELECT date_trunc($3, created_at) AS start, sentiment, intent_category, action_required, count(*) AS n
    FROM call_records
    WHERE created_at >= $1 AND created_at < $2
    GROUP BY 1, 2, 3, 4
)
SELECT s.start, c.sentiment, c.intent_category, c.action_required, COALESCE(c.n, 0) AS n
FROM generate_series(
    date_trunc($3, $1::timestamptz), $2::timestamptz - interval '1 microsecond', ('1 ' || $3)::interval
) AS s(start)
LEFT JOIN counts c ON c.start = s.start
ORDER BY s.start
"""

_STATS_TOTALS = """
SELECT count(*) FILTER (WHERE jsonb_typeof(insight->'promise_to_pay') = 'object') AS promises_to_pay,
       COALESCE(sum(ptp_amount_inr), 0)::bigint AS promised_amount_inr,
       count(*) FILTER (WHERE distress <> '{}') AS distress,
       count(*) FILTER (WHERE insight @? $3::jsonpath) AS compliance_high,
       count(*) FILTER (WHERE needs_review) AS needs_review
FROM call_records
WHERE created_at >= $1 AND created_at < $2
"""

_USAGE_COUNTS = ("requests", "prompt_tokens", "cached_tokens", "thought_tokens", "output_tokens")


def _usage_number(key: str) -> str:
    """A number of the ``analyzer_usage`` JSON; NULL when absent or not a number, so that one odd
    row cannot fail /stats. ``key`` is one of this module's constants."""
    value = f"analyzer_usage->'{key}'"
    return f"CASE WHEN jsonb_typeof({value}) = 'number' THEN ({value})::numeric END"


_SUMS = ",\n       ".join(f"COALESCE(sum({k}), 0)::bigint AS {k}" for k in _USAGE_COUNTS)
_NUMBERS = ",\n           ".join(f"{_usage_number(k)} AS {k}" for k in _USAGE_COUNTS)

# The window's LLM usage in one pass: a row per model and, flagged by GROUPING, the total row (which
# an empty window has too). The same created_at range as the other totals, so the same index serves.
_STATS_LLM = f"""
SELECT GROUPING(model) = 1 AS total, model, count(*) AS calls,
       {_SUMS},
       sum(cost)::float8 AS estimated_cost_usd, count(cost) AS priced_calls
FROM (
    SELECT COALESCE(analyzer_model, 'unknown') AS model,
           {_NUMBERS},
           {_usage_number("estimated_cost_usd")} AS cost
    FROM call_records
    WHERE created_at >= $1 AND created_at < $2 AND analyzer_usage IS NOT NULL
) AS used
GROUP BY GROUPING SETS ((model), ())
ORDER BY GROUPING(model) DESC, estimated_cost_usd DESC NULLS LAST, calls DESC, model
"""  # noqa: S608 - built from this module's constants only

_STATS_DEAD_LETTERS = "SELECT count(*) FROM dead_letters WHERE failed_at >= $1 AND failed_at < $2"


def _zeros(kind: type[Sentiment] | type[IntentCategory]) -> dict[Any, int]:
    return dict.fromkeys(kind, 0)


def series_buckets(rows: Iterable[Mapping[str, Any]]) -> list[StatsBucket]:
    """Fold (start, sentiment, intent_category, action_required, n) rows into one bucket per start.

    Rows with no sentiment (written by the original app) count as Neutral, as their records read.
    """
    buckets: dict[datetime, StatsBucket] = {}
    for row in rows:
        start = row["start"]
        bucket = buckets.get(start)
        if bucket is None:
            bucket = buckets[start] = StatsBucket(
                start=start,
                total=0,
                sentiment=_zeros(Sentiment),
                intent_category=_zeros(IntentCategory),
                action_required=0,
            )
        n = int(row["n"])
        if not n:
            continue
        bucket.total += n
        bucket.sentiment[Sentiment(row["sentiment"] or Sentiment.NEUTRAL)] += n
        bucket.intent_category[IntentCategory(row["intent_category"])] += n
        if row["action_required"]:
            bucket.action_required += n
    return [buckets[start] for start in sorted(buckets)]


def _usage_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    cost = row["estimated_cost_usd"]
    return {
        "calls": int(row["calls"]),
        **{key: int(row[key]) for key in _USAGE_COUNTS},
        "estimated_cost_usd": float(cost) if cost is not None else None,
        "priced_calls": int(row["priced_calls"]),
    }


def llm_usage(rows: Iterable[Mapping[str, Any]]) -> LLMUsage:
    """Fold the rows of the LLM usage query (a total row and one per model) into /stats' ``llm``."""
    total: dict[str, Any] = {
        "calls": 0,
        **dict.fromkeys(_USAGE_COUNTS, 0),
        "estimated_cost_usd": None,
        "priced_calls": 0,
    }
    by_model: list[ModelUsage] = []
    for row in rows:
        if row["total"]:
            total = _usage_fields(row)
        else:
            by_model.append(ModelUsage(model=row["model"], **_usage_fields(row)))
    return LLMUsage(**total, by_model=by_model)


def summarize(
    window: StatsWindow,
    series: list[StatsBucket],
    totals: Mapping[str, Any],
    dead: int,
    llm: LLMUsage | None = None,
) -> CallStats:
    """The /stats body: window totals summed from the series, plus the detail counts."""
    sentiment = _zeros(Sentiment)
    intent = _zeros(IntentCategory)
    for bucket in series:
        for mood, n in bucket.sentiment.items():
            sentiment[mood] += n
        for category, n in bucket.intent_category.items():
            intent[category] += n
    total = sum(b.total for b in series)
    required = sum(b.action_required for b in series)
    return CallStats(
        since=window.since,
        until=window.until,
        bucket=window.bucket,
        tz=window.tz,
        total=total,
        sentiment=sentiment,
        intent_category=intent,
        action_required={"true": required, "false": total - required},
        promises_to_pay=totals["promises_to_pay"],
        promised_amount_inr=totals["promised_amount_inr"],
        distress=totals["distress"],
        compliance_high=totals["compliance_high"],
        needs_review=totals["needs_review"],
        dead_letters=dead,
        llm=llm if llm is not None else llm_usage([]),
        series=series,
    )


async def call_stats(pool: asyncpg.Pool, window: StatsWindow) -> CallStats:
    """Counts over the window, bucketed in the window's time zone (buckets with no calls included)."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute("SELECT set_config('TimeZone', $1, true)", window.tz)
        rows = await conn.fetch(_STATS_SERIES, window.since, window.until, window.bucket)
        totals = await conn.fetchrow(_STATS_TOTALS, window.since, window.until, severity_path(Severity.HIGH))
        dead = await conn.fetchval(_STATS_DEAD_LETTERS, window.since, window.until)
        llm = await conn.fetch(_STATS_LLM, window.since, window.until)
    return summarize(window, series_buckets(rows), totals, int(dead), llm_usage(llm))


class InsightReader:
    """The read API's door to PostgreSQL: the queries above on a pool of the service, and the
    message for connection trouble (with the DSN's secrets masked)."""

    def __init__(self, pool: asyncpg.Pool, unreachable: Callable[[BaseException], str]) -> None:
        self._pool = pool
        self.unreachable = unreachable

    async def calls(self, query: CallsQuery) -> CallPage:
        """``list_calls``."""
        return await list_calls(self._pool, query)

    async def call(self, unique_id: str) -> CallRecord | None:
        """``get_call``."""
        return await get_call(self._pool, unique_id)

    async def dead_letters(self, query: DeadLettersQuery) -> DeadLetterPage:
        """``list_dead_letters``."""
        return await list_dead_letters(self._pool, query)

    async def stats(self, window: StatsWindow) -> CallStats:
        """``call_stats``; UnknownTimeZoneError when PostgreSQL does not know the window's zone."""
        try:
            return await call_stats(self._pool, window)
        except asyncpg.exceptions.InvalidParameterValueError as exc:
            raise UnknownTimeZoneError(str(exc)) from exc
