"""The dashboard: a single page served by the sidecar at ``/`` to browsers, with its assets.

The page and its script and style sheet ship in the package (``consumer/static/dashboard``); nothing
is loaded from elsewhere, and a strict Content-Security-Policy says so to the browser. The page reads
the JSON API (/stats, /calls, /dead_letters, /health) and refreshes itself every few seconds.
"""

from __future__ import annotations

from importlib import resources
from typing import Final

from aiohttp import web

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_CONTENT_TYPES: Final = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}
_HTML_TYPES: Final = ("text/html", "application/xhtml+xml")
ASSET_PREFIX: Final = "/dashboard/"


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def prefers_html(accept: str) -> bool:
    """True when an Accept header ranks HTML above JSON (a browser), False for JSON, */* or none.

    Each side takes the quality of its most specific match (``text/html`` over ``text/*`` over
    ``*/*``); a tie goes to JSON, so ``curl`` and API clients keep getting the service info.
    """
    best: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media:
            best[media] = max(best.get(media, 0.0), _quality(params))

    def quality(exact: tuple[str, ...], family: str) -> float:
        found = [best[m] for m in exact if m in best]
        if found:
            return max(found)
        return best.get(family, best.get("*/*", 0.0))

    html = quality(_HTML_TYPES, "text/*")
    json = quality(("application/json",), "application/*")
    return html > 0 and html > json


def _load_assets() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("consumer").joinpath("static", "dashboard")
    assets: dict[str, tuple[bytes, str]] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _CONTENT_TYPES:
            assets[entry.name] = (entry.read_bytes(), _CONTENT_TYPES[suffix])
    if "index.html" not in assets:
        msg = "the dashboard's index.html is missing from the package"
        raise RuntimeError(msg)
    return assets


ASSETS = web.AppKey("dashboard_assets", dict)


def _respond(body: bytes, content_type: str, *, cache: str) -> web.Response:
    response = web.Response(body=body, content_type=content_type, charset="utf-8")
    response.headers.update(
        {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": cache,
        }
    )
    return response


def dashboard_page(request: web.Request) -> web.Response:
    """The page itself (what GET / answers a browser)."""
    body, content_type = request.app[ASSETS]["index.html"]
    response = _respond(body, content_type, cache="no-cache")
    response.headers["Vary"] = "Accept"
    return response


async def asset(request: web.Request) -> web.Response:
    """GET /dashboard/{name}: the page's script, style sheet and icon."""
    found = request.app[ASSETS].get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound(reason="no such dashboard asset")
    body, content_type = found
    return _respond(body, content_type, cache="no-cache")


def add_dashboard_routes(app: web.Application) -> None:
    """Load the assets and register their route (``/`` itself stays with the service-info handler)."""
    app[ASSETS] = _load_assets()
    app.router.add_get(ASSET_PREFIX + "{name}", asset)
