"""/docs: Swagger UI from the assets vendored in the package, and nothing else under /docs/static."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from consumer.http.docs import PAGE_ASSETS, load_assets
from tests.unit.sidecar import sidecar

ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def _vendored() -> list[str]:
    return [entry.name for entry in resources.files("consumer").joinpath("static", "swagger-ui").iterdir()]


async def test_the_page_loads_only_vendored_assets_and_the_sidecars_openapi() -> None:
    async with sidecar() as client:
        resp = await client.get("/docs")
        assert resp.status == 200
        assert resp.content_type == "text/html"
        page = await resp.text()
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(refs) == sorted(f"/docs/static/{name}" for name in PAGE_ASSETS)
    assert all(name in _vendored() for name in PAGE_ASSETS)
    assert 'url: "/openapi.json"' in page
    assert not re.search(r"https?://", page), "the page refers to another host"


@pytest.mark.parametrize(("name", "content_type"), ASSET_TYPES.items())
async def test_each_asset_answers_with_its_type(name: str, content_type: str) -> None:
    on_disk = resources.files("consumer").joinpath("static", "swagger-ui", name).read_bytes()
    async with sidecar() as client:
        resp = await client.get(f"/docs/static/{name}")
        assert resp.status == 200
        assert resp.content_type == content_type
        assert await resp.read() == on_disk
        etag = resp.headers["ETag"]
        again = await client.get(f"/docs/static/{name}", headers={"If-None-Match": etag})
        assert again.status == 304
        assert await again.read() == b""
        head = await client.head(f"/docs/static/{name}")
        assert head.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/docs/static/swagger-ui-bundle.js.map",
        "/docs/static/swagger-ui.css.map",
        "/docs/static/swagger-editor-bundle.js",
        "/docs/static/swagger-editor.css",
        "/docs/static/swagger-ui-es-bundle.js",
        "/docs/static/LICENSE",
        "/docs/static/VENDORED.md",
        "/docs/static/",
    ],
)
async def test_nothing_else_is_served_under_docs_static(path: str) -> None:
    async with sidecar() as client:
        resp = await client.get(path)
        assert resp.status == 404, path
        assert resp.content_type == "application/json"


def test_the_vendored_folder_holds_no_source_maps_and_names_its_version() -> None:
    names = _vendored()
    assert not [name for name in names if name.endswith(".map")]
    assert not [name for name in names if "editor" in name]
    assert {"LICENSE", "NOTICE", "VENDORED.md"} <= set(names)
    note = resources.files("consumer").joinpath("static", "swagger-ui", "VENDORED.md").read_text()
    assert re.search(r"swagger-ui-dist@\d+\.\d+\.\d+", note)
    for name, asset in load_assets().items():
        if asset.content_type.startswith("text/"):
            assert b"sourceMappingURL" not in asset.body, f"{name} still asks for a source map"
    assert set(load_assets()) == set(ASSET_TYPES)


def test_the_wheel_ships_the_vendored_assets() -> None:
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["consumer"]
    assert "static/swagger-ui/*" in data
    dependencies = " ".join(config["project"]["dependencies"])
    assert "swagger-ui-py" not in dependencies
