"""Content negotiation at /, the packaged dashboard assets and the OpenAPI description of the read API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from consumer.http.dashboard import CONTENT_SECURITY_POLICY, _load_assets, prefers_html
from consumer.http.openapi import build_openapi

CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (CHROME, True),
        (FIREFOX, True),
        ("text/html", True),
        ("text/*", True),
        ("application/json", False),
        ("*/*", False),
        ("", False),
        ("text/html;q=0.5, application/json", False),
        ("application/json;q=0.5, text/html", True),
        ("text/html, application/json", False),  # a tie keeps the JSON answer
        ("text/html;q=0", False),
        ("text/html;q=abc", False),
        ("application/*, text/html;q=0.9", False),
        ("*/*;q=0.1, text/html;q=0.2", True),
        ("TEXT/HTML", True),
        (",,;;", False),
    ],
)
def test_browsers_get_the_page_and_api_clients_json(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html


def test_assets_ship_in_the_package_and_load_nothing_from_elsewhere() -> None:
    assets = _load_assets()
    assert {"index.html", "dashboard.js", "dashboard.css", "icon.svg"} <= set(assets)
    assert assets["dashboard.js"][1] == "text/javascript"
    assert assets["dashboard.css"][1] == "text/css"
    page = assets["index.html"][0].decode()
    for body, _ in assets.values():
        text = body.decode()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), "an asset refers to another host"
        assert "<script>" not in text, "inline scripts would need a weaker Content-Security-Policy"
    assert 'src="/dashboard/dashboard.js"' in page
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def test_openapi_describes_the_read_api_with_its_parameters() -> None:
    spec = build_openapi("test")
    paths = spec["paths"]
    for path in ("/calls", "/calls/{unique_id}", "/stats", "/dead_letters"):
        assert "get" in paths[path], path
    names = {p["name"] for p in paths["/calls"]["get"]["parameters"]}
    assert {"sentiment", "action_required", "intent_category", "since", "until", "limit", "cursor"} <= names
    assert {p["name"] for p in paths["/stats"]["get"]["parameters"]} == {"since", "until", "bucket", "tz"}
    assert {p["name"] for p in paths["/dead_letters"]["get"]["parameters"]} == {"reason", "limit", "cursor"}
    limit = next(p for p in paths["/calls"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500
    assert limit["schema"]["default"] == 50
    item = spec["components"]["schemas"]["CallItem"]
    assert "raw_transcript" not in item["properties"]
    assert "raw_transcript" in spec["components"]["schemas"]["CallRecord"]["properties"]
    assert "text/html" in paths["/"]["get"]["responses"]["200"]["content"]
    schemas = spec["components"]["schemas"]
    for ref in _refs(spec):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_the_script_only_looks_up_elements_the_page_has() -> None:
    assets = _load_assets()
    page = assets["index.html"][0].decode()
    script = assets["dashboard.js"][0].decode()
    ids = set(re.findall(r'\$\("([\w-]+)"\)', script))
    assert {"llm-prompt", "llm-cached", "llm-thought", "llm-output", "llm-cost", "table-llm"} <= ids
    for element in ids:
        assert f'id="{element}"' in page, element


def test_openapi_describes_the_llm_usage_of_stats_and_records() -> None:
    schemas = build_openapi("test")["components"]["schemas"]
    stats = schemas["CallStats"]
    assert stats["properties"]["llm"]["$ref"] == "#/components/schemas/LLMUsage"
    assert "llm" in stats["required"]
    llm = schemas["LLMUsage"]["properties"]
    fields = {"calls", "requests", "prompt_tokens", "cached_tokens", "thought_tokens", "output_tokens"}
    assert fields | {"estimated_cost_usd", "priced_calls", "by_model"} <= set(llm)
    assert {"type": "null"} in llm["estimated_cost_usd"]["anyOf"]
    assert llm["by_model"]["items"]["$ref"] == "#/components/schemas/ModelUsage"
    assert fields | {"model"} <= set(schemas["ModelUsage"]["properties"])
    analyzer = schemas["AnalyzerInfo"]["properties"]
    assert {"usage", "estimated_cost_usd"} <= set(analyzer)
