"""The dashboard in a real browser (headless Chromium) against the running service."""

from __future__ import annotations

import asyncio
import html
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image

from producer_tools.databases import scratch_database
from producer_tools.samples import load_rows, to_event
from schemas import AnalyzerInfo, TokenUsage
from tests.conftest import ROOT, Stack, fresh_topics, unused_port
from tests.integration.helpers import make_settings, publish, publish_events, running_service, store_history

# the first test may wait for scripts/chromium to install the browser
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

# promises with amounts, distress (self-harm, medical), a threatening agent, a calm reminder, a refusal
SAMPLE_IDS = ("s008", "s017", "s182", "s148", "s120", "s044", "s011", "s058")
# two more, stored as if Gemini had analysed them: the LLM usage panel sums them, one row per model
LLM_SAMPLE_IDS = ("s001", "s002")
LLM_ANALYZERS = (
    AnalyzerInfo(
        provider="gemini",
        model="gemini-2.5-flash",
        usage=TokenUsage(prompt_tokens=12000, cached_tokens=8000, thought_tokens=700, output_tokens=450),
        estimated_cost_usd=0.0031,
    ),
    AnalyzerInfo(
        provider="gemini",
        model="gemini-2.5-pro",
        usage=TokenUsage(prompt_tokens=3456, thought_tokens=1200, output_tokens=321, requests=2),
        estimated_cost_usd=0.0153,
    ),
)
WIDTH, HEIGHT = 1280, 1600
SENTIMENT_COLOURS = {
    "Positive": (0x2F, 0x9E, 0x44),
    "Neutral": (0x86, 0x8E, 0x96),
    "Negative": (0xE0, 0x31, 0x31),
}


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium's path; scripts/chromium installs Debian's package when it is missing."""
    found = subprocess.run(
        [str(ROOT / "scripts" / "chromium")], capture_output=True, text=True, timeout=900, check=False
    )
    if found.returncode != 0:
        pytest.fail(f"no Chromium for the dashboard test: {found.stderr.strip()}")
    return found.stdout.strip().splitlines()[-1]


@dataclass
class Fed:
    base: str
    items: list[dict[str, Any]]  # what GET /calls says about each fed event
    dead_key: str


@pytest.fixture(scope="module")
async def fed(stack: Stack, free_port_module: int) -> AsyncIterator[Fed]:
    """The service on a database of its own, fed the samples above and one broken record."""
    by_id = {row["id"]: row for row in load_rows()}
    events = [to_event(by_id[sample]) for sample in SAMPLE_IDS]
    async with scratch_database(stack.admin_dsn, "insights_dashboard") as dsn:
        settings = make_settings(stack, fresh_topics(), free_port_module, database_url=dsn)
        async with running_service(settings) as base, aiohttp.ClientSession() as http:
            await publish_events(stack.bootstrap, settings.kafka_input_topic, events)
            await publish(
                stack.bootstrap, settings.kafka_input_topic, [b"\x00garbage"], [b"dashboard-broken"]
            )
            await store_history(
                dsn,
                [by_id[sample] for sample in LLM_SAMPLE_IDS],
                [datetime.now(UTC)] * len(LLM_SAMPLE_IDS),
                list(LLM_ANALYZERS),
                output_topic=settings.kafka_output_topic,
            )
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while True:
                async with http.get(f"{base}/calls", params={"limit": "100"}) as resp:
                    items = (await resp.json())["items"]
                async with http.get(f"{base}/dead_letters") as resp:
                    dead = (await resp.json())["items"]
                if len(items) == len(events) + len(LLM_SAMPLE_IDS) and dead:
                    break
                assert loop.time() < deadline, "the fed events were not all stored"
                await asyncio.sleep(0.3)
            yield Fed(base=base, items=items, dead_key="dashboard-broken")


@pytest.fixture(scope="module")
def free_port_module() -> int:
    return unused_port()


async def run_chromium(chromium: str, profile: Path, *args: str) -> bytes:
    """Run headless Chromium to completion without blocking the loop the service runs in."""
    proc = await asyncio.create_subprocess_exec(
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out


def _table(dom: str, table_id: str) -> str:
    start = dom.index(f'id="{table_id}"')
    return dom[start : dom.index("</table>", start)]


async def test_dashboard_shows_the_fed_calls(chromium: str, fed: Fed, tmp_path: Path) -> None:
    out = await run_chromium(
        chromium, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", fed.base + "/"
    )
    dom = html.unescape(out.decode())
    assert "Update failed" not in dom
    assert f'id="kpi-total">{len(fed.items)}<' in dom

    action = _table(dom, "table-action")
    flags = _table(dom, "table-flags")
    amounts = 0
    flagged = 0
    for item in fed.items:
        if item["action_required"]:
            assert f'data-call-id="{item["call_id"]}"' in action, item["call_id"]
        else:
            assert item["call_id"] not in action
        promise = item["promise_to_pay"] or {}
        if promise.get("amount_inr") and item["action_required"]:  # the table lists what needs action
            amounts += 1
            assert f'data-amount-inr="{promise["amount_inr"]}"' in action
            assert f"₹{promise['amount_inr']:,}" in action  # below a lakh, Indian and Western grouping agree
        serious = any(f["severity"] == "high" for f in item["compliance_flags"])
        if item["distress"] or serious:
            flagged += 1
            assert f'data-call-id="{item["call_id"]}"' in flags, item["call_id"]
        for kind in (item["distress"] or {}).get("kinds", []):
            assert kind.replace("_", " ") in flags
    assert amounts >= 3, "the samples should include promises with amounts"
    assert flagged >= 2, "the samples should include distress and a serious conduct flag"
    assert fed.dead_key in _table(dom, "table-dead")
    _check_llm_panel(dom)


def _text(dom: str, element_id: str) -> str:
    start = dom.index(">", dom.index(f'id="{element_id}"')) + 1
    return dom[start : dom.index("<", start)]


def _check_llm_panel(dom: str) -> None:
    """The LLM usage panel sums the fed Gemini usage and lists it per model; no NaN anywhere."""
    usages = [a.usage for a in LLM_ANALYZERS if a.usage is not None]
    assert _text(dom, "llm-prompt") == f"{sum(u.prompt_tokens for u in usages):,}"  # below a lakh
    assert _text(dom, "llm-cached") == f"{sum(u.cached_tokens for u in usages):,}"
    assert _text(dom, "llm-thought") == f"{sum(u.thought_tokens for u in usages):,}"
    assert _text(dom, "llm-output") == f"{sum(u.output_tokens for u in usages):,}"
    spend = sum(a.estimated_cost_usd or 0.0 for a in LLM_ANALYZERS)
    assert _text(dom, "llm-cost") == f"${spend:.4f}"
    assert "2 calls" in _text(dom, "llm-note")
    models = _table(dom, "table-llm")
    for analyzer in LLM_ANALYZERS:
        assert f'data-model="{analyzer.model}"' in models, analyzer.model
        assert f"${analyzer.estimated_cost_usd:.4f}" in models
    assert 'id="llm-models" hidden' not in dom
    assert 'id="llm-empty" hidden' in dom
    assert "NaN" not in dom


def _near(colour: tuple[int, ...], target: tuple[int, int, int], tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=False))


async def test_dashboard_screenshot_draws_the_charts(chromium: str, fed: Fed, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    await run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        "--virtual-time-budget=5000",
        fed.base + "/",
    )
    assert shot.exists()
    with Image.open(shot) as image:
        assert image.size == (WIDTH, HEIGHT)
        colours = image.convert("RGB").getcolors(maxcolors=WIDTH * HEIGHT)
    assert colours is not None
    total = WIDTH * HEIGHT
    commonest = max(count for count, _ in colours)
    assert commonest < 0.8 * total, "the page is (nearly) blank"
    assert len(colours) > 200
    expected = {s: sum(i["sentiment"] == s for i in fed.items) for s in SENTIMENT_COLOURS}
    for sentiment, target in SENTIMENT_COLOURS.items():
        pixels = sum(count for count, rgb in colours if _near(rgb, target))
        if expected[sentiment]:
            # a stacked bar per call is hundreds of pixels; the legend swatch alone is about 100
            assert pixels > 300, f"no {sentiment} bar in the sentiment chart ({pixels} pixels)"
    assert sum(1 for n in expected.values() if n) >= 2, "the samples should span sentiments"
