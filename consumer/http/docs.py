"""``GET /docs``: Swagger UI over the sidecar's OpenAPI document, with its assets shipped in the package.

The script, style sheet and icon are Swagger UI's own (``swagger-ui-dist``, vendored in
``consumer/static/swagger-ui`` by ``scripts/vendor-swagger-ui``; VENDORED.md there names the version).
Only those files are served, from memory, under ``/docs/static/``; nothing is loaded from elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from typing import Final

from aiohttp import web

STATIC_PREFIX: Final = "/docs/static/"
_CONTENT_TYPES: Final = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
}
PAGE_ASSETS: Final = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
"""What the page loads: every one must ship in the package."""

_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>call-insights API</title>
  <link rel="stylesheet" href="{STATIC_PREFIX}swagger-ui.css">
  <link rel="icon" type="image/png" href="{STATIC_PREFIX}favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{STATIC_PREFIX}swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true}});
  </script>
</body>
</html>
"""


class Asset:
    """One served file: its bytes, media type and entity tag."""

    __slots__ = ("body", "content_type", "etag")

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body = body
        self.content_type = content_type
        self.etag = hashlib.sha256(body).hexdigest()[:32]


@functools.cache
def load_assets() -> dict[str, Asset]:
    """The packaged Swagger UI files by name (read once per process: the bundle is ~2 MB)."""
    folder = resources.files("consumer").joinpath("static", "swagger-ui")
    assets: dict[str, Asset] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _CONTENT_TYPES:
            assets[entry.name] = Asset(entry.read_bytes(), _CONTENT_TYPES[suffix])
    missing = [name for name in PAGE_ASSETS if name not in assets]
    if missing:
        msg = f"Swagger UI's {', '.join(missing)} missing from the package (scripts/vendor-swagger-ui)"
        raise RuntimeError(msg)
    return assets


ASSETS = web.AppKey("swagger_ui_assets", dict)


async def docs(_: web.Request) -> web.Response:
    """GET /docs: Swagger UI, reading ``/openapi.json``."""
    return web.Response(text=_PAGE, content_type="text/html")


async def asset(request: web.Request) -> web.Response:
    """GET /docs/static/{name}: the page's script, style sheet and icon (revalidated by entity tag)."""
    found: Asset | None = request.app[ASSETS].get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound(reason="no such documentation asset")
    headers = {"ETag": f'"{found.etag}"', "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if f'"{found.etag}"' in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    charset = "utf-8" if found.content_type.startswith("text/") else None
    return web.Response(body=found.body, content_type=found.content_type, charset=charset, headers=headers)


def add_docs_routes(app: web.Application) -> None:
    """Register ``/docs`` and its assets."""
    app[ASSETS] = load_assets()
    app.router.add_get("/docs", docs)
    app.router.add_get(STATIC_PREFIX + "{name}", asset)
