"""The sidecar's read API: GET /calls, /calls/{unique_id}, /stats and /dead_letters.

Every parameter is validated by its model in ``schemas.query``; a bad one is answered with 400 and a
JSON body naming it. The list items leave out the transcript (it may hold personal data); one record,
fetched by its unique_id, carries it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from consumer.db.pool import TRANSIENT_DB_ERRORS
from consumer.db.queries import (
    InsightReader,
    InvalidCursorError,
    UnknownTimeZoneError,
    WindowTooLongError,
    stats_window,
)
from consumer.http.deps import DEPS
from consumer.http.errors import json_error
from schemas.query import CallsQuery, DeadLettersQuery, StatsQuery

Query = TypeVar("Query", bound=BaseModel)


class ParameterError(Exception):
    """A query parameter is wrong; carries the 400 response that says which."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems

    def response(self) -> web.Response:
        """400 with ``{"error": "invalid_parameter", "parameter": first, "detail": [...]}``."""
        return json_error(400, "invalid_parameter", self.problems, parameter=self.problems[0]["parameter"])


def _problem(parameter: str, message: str) -> ParameterError:
    return ParameterError([{"parameter": parameter, "message": message}])


def parse_query(model: type[Query], request: web.Request) -> Query:
    """Validate the query string with ``model``; ParameterError names every bad parameter."""
    params: dict[str, str] = {}
    for name in request.query:
        values = request.query.getall(name)
        if len(values) > 1:
            raise _problem(name, "given more than once")
        if "\x00" in values[0]:
            raise _problem(name, "NUL characters are not allowed")  # no PostgreSQL text holds them
        params[name] = values[0]
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0]) if error["loc"] else "query"
            message = "unknown parameter" if error["type"] == "extra_forbidden" else error["msg"]
            message = message.removeprefix("Value error, ")
            problems.append({"parameter": name, "message": message})
        raise ParameterError(problems) from exc


def _reader(request: web.Request) -> InsightReader:
    reader = request.app[DEPS].reader
    if reader is None:
        msg = "the sidecar was built without a database reader"
        raise web.HTTPServiceUnavailable(reason=msg)
    return reader


def _json(model: BaseModel) -> web.Response:
    response = web.Response(text=model.model_dump_json(), content_type="application/json", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _unavailable(request: web.Request, exc: BaseException) -> web.Response:
    return json_error(503, "db_unavailable", _reader(request).unreachable(exc))


async def _keyset_page(
    request: web.Request,
    model: type[Query],
    lister: Callable[[InsightReader, Query], Awaitable[BaseModel]],
) -> web.Response:
    """Parse the query into ``model``, read one page with ``lister``; errors as JSON."""
    try:
        query = parse_query(model, request)
        page = await lister(_reader(request), query)
    except ParameterError as exc:
        return exc.response()
    except InvalidCursorError as exc:
        return _problem("cursor", str(exc)).response()
    except TRANSIENT_DB_ERRORS as exc:
        return _unavailable(request, exc)
    return _json(page)


async def calls(request: web.Request) -> web.Response:
    """GET /calls: stored insights, newest first, filtered, one keyset page at a time."""
    return await _keyset_page(request, CallsQuery, InsightReader.calls)


async def call(request: web.Request) -> web.Response:
    """GET /calls/{unique_id}: one stored insight with its transcript."""
    raw = request.match_info["unique_id"]
    try:
        unique_id = str(uuid.UUID(raw))
    except ValueError:
        return _problem("unique_id", "not a UUID").response()
    try:
        record = await _reader(request).call(unique_id)
    except TRANSIENT_DB_ERRORS as exc:
        return _unavailable(request, exc)
    if record is None:
        return json_error(404, "not_found", f"no call record with unique_id {unique_id}")
    return _json(record)


async def stats(request: web.Request) -> web.Response:
    """GET /stats: counts by sentiment, intent and action over a window, and per time bucket."""
    try:
        query = parse_query(StatsQuery, request)
        window = stats_window(query, datetime.now(UTC))
        body = await _reader(request).stats(window)
    except ParameterError as exc:
        return exc.response()
    except WindowTooLongError as exc:
        return _problem("since", str(exc)).response()
    except UnknownTimeZoneError as exc:
        return _problem("tz", str(exc)).response()
    except TRANSIENT_DB_ERRORS as exc:
        return _unavailable(request, exc)
    return _json(body)


async def dead_letters(request: web.Request) -> web.Response:
    """GET /dead_letters: records sent to the dead-letter topic, newest first."""
    return await _keyset_page(request, DeadLettersQuery, InsightReader.dead_letters)


def add_query_routes(app: web.Application) -> None:
    """Register the read API on the sidecar."""
    app.router.add_get("/calls", calls)
    app.router.add_get("/calls/{unique_id}", call)
    app.router.add_get("/stats", stats)
    app.router.add_get("/dead_letters", dead_letters)
