"""The documentation against the code: settings, metrics and routes are listed where the docs say,
names the docs list exist, relative links lead somewhere, and the README stays short."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from aiohttp import web
from pydantic import AliasChoices

from consumer.observability.metrics import Metrics
from consumer.settings import Settings
from tests.unit.sidecar import make_app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 200

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ENV_NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")
_ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")
_METRIC = re.compile(r"(?<![\w/.-])(insights_[a-z0-9_]+)")
_METRIC_WILDCARD = re.compile(r"`([a-z][a-z0-9]*_)\*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HISTOGRAM_SAMPLES = ("_bucket", "_count", "_sum")


# --- reading Markdown ----------------------------------------------------------------------------


def without_code_blocks(text: str) -> str:
    """The text with fenced code blocks blanked out (their lines kept, so line numbers still match)."""
    return _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def section(text: str, title: str) -> str:
    """The section under the heading ``title``, up to the next heading of the same or a higher level."""
    lines = without_code_blocks(text).splitlines()
    for start, line in enumerate(lines):
        found = _HEADING.match(line)
        if found and found.group(2) == title:
            level = len(found.group(1))
            body = []
            for following in lines[start + 1 :]:
                nested = _HEADING.match(following)
                if nested and len(nested.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body)
    pytest.fail(f"no heading {title!r}")


def first_cells(text: str) -> list[str]:
    """The first cell of every table row (header rows included; separator rows left out)."""
    cells = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[\s:|-]+\|?", line.strip()):
            cells.append(re.split(r"(?<!\\)\|", line)[1])
    return cells


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: formatting dropped, lower case, no punctuation, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = re.sub(r"[`*_]", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a page (a repeated heading gets -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = {}
    found = set()
    for line in without_code_blocks(page.read_text(encoding="utf-8")).splitlines():
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


# --- what the code has ---------------------------------------------------------------------------


def setting_env_names() -> set[str]:
    """The environment variable of every field of ``Settings`` (its alias, else prefix + field name)."""
    config = Settings.model_config
    prefix = config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, str):
            choices = [alias]
        elif isinstance(alias, AliasChoices):
            choices = [choice for choice in alias.choices if isinstance(choice, str)]
        else:
            choices = [prefix + name]
        names.update(choices if config.get("case_sensitive") else (c.upper() for c in choices))
    return names


def metric_families() -> dict[str, str]:
    """Every metric family the service registers (process metrics included), as exposed, with its type."""
    families = {}
    for family in Metrics(process=True).registry.collect():
        exposed = f"{family.name}_total" if family.type == "counter" else family.name
        families[exposed] = family.type
    return families


def sidecar_routes() -> set[str]:
    """``METHOD /path`` of every sidecar route but HEAD; a static prefix reads as ``prefix/{filename}``."""
    routes = set()
    for route in make_app().router.routes():
        if route.method == "HEAD" or route.resource is None:
            continue
        path = route.resource.canonical
        if isinstance(route.resource, web.StaticResource):
            path += "/{filename}"
        routes.add(f"{route.method} {path}")
    return routes


def database_name() -> str:
    """The default database's name, which reads like a metric name (``insights_db``) but is none."""
    default = Settings.model_fields["database_url"].default
    return urlsplit(default.get_secret_value()).path.lstrip("/")


# --- settings ------------------------------------------------------------------------------------


def documented_settings() -> set[str]:
    table = first_cells(section(read(DOCS / "configuration.md"), "Settings"))
    return {name for cell in table for name in _ENV_NAME.findall(cell)}


def test_every_setting_is_in_the_configuration_page() -> None:
    missing = setting_env_names() - documented_settings()
    assert not missing, f"settings not in docs/configuration.md: {sorted(missing)}"


def test_every_setting_the_configuration_page_lists_exists() -> None:
    unknown = documented_settings() - setting_env_names()
    assert not unknown, f"docs/configuration.md lists settings the service does not read: {sorted(unknown)}"


def test_the_readme_settings_exist() -> None:
    table = first_cells(section(read(README), "Settings people change first"))
    listed = {name for cell in table for name in _ENV_NAME.findall(cell)}
    assert len(listed) >= 10
    unknown = listed - setting_env_names()
    assert not unknown, f"README lists settings the service does not read: {sorted(unknown)}"


# --- metrics -------------------------------------------------------------------------------------


def metrics_section() -> str:
    return section(read(DOCS / "operations.md"), "Metrics")


def test_every_metric_is_in_the_metrics_section() -> None:
    text = metrics_section()
    listed = set(_METRIC.findall(text))
    wildcards = set(_METRIC_WILDCARD.findall(text))
    missing = {
        name
        for name in metric_families()
        if name not in listed and not any(name.startswith(prefix) for prefix in wildcards)
    }
    assert not missing, f"metrics not in the Metrics section of docs/operations.md: {sorted(missing)}"


def test_every_metric_wildcard_covers_a_registered_family() -> None:
    wildcards = set(_METRIC_WILDCARD.findall(metrics_section()))
    assert wildcards, "the Metrics section names the process metrics by prefix (process_*, python_*)"
    stale = {p for p in wildcards if not any(name.startswith(p) for name in metric_families())}
    assert not stale, f"no metric starts with {sorted(stale)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_metric_a_page_names_exists(page: Path) -> None:
    families = metric_families()
    known = set(families) | {
        name + suffix
        for name, kind in families.items()
        if kind == "histogram"
        for suffix in _HISTOGRAM_SAMPLES
    }
    named = set(_METRIC.findall(read(page))) - {database_name()}
    unknown = named - known
    assert not unknown, f"{page.name} names metrics the service does not register: {sorted(unknown)}"


# --- HTTP routes ---------------------------------------------------------------------------------


def documented_routes() -> set[str]:
    table = first_cells(section(read(DOCS / "http-api.md"), "Routes"))
    return {f"{method} {path}" for cell in table for method, path in _ROUTE.findall(cell)}


def test_every_route_is_in_the_http_page() -> None:
    missing = sidecar_routes() - documented_routes()
    assert not missing, f"routes not in docs/http-api.md: {sorted(missing)}"


def test_every_route_the_http_page_lists_exists() -> None:
    unknown = documented_routes() - sidecar_routes()
    assert not unknown, f"docs/http-api.md lists routes the sidecar does not serve: {sorted(unknown)}"


def test_every_get_route_answers_head_too() -> None:
    """The HTTP page says so."""
    routes = [(r.method, r.resource.canonical) for r in make_app().router.routes() if r.resource is not None]
    gets = {path for method, path in routes if method == "GET"}
    heads = {path for method, path in routes if method == "HEAD"}
    assert gets <= heads, sorted(gets - heads)


# --- links and length ----------------------------------------------------------------------------


def links(page: Path) -> list[str]:
    text = re.sub(r"`[^`\n]*`", "", without_code_blocks(read(page)))
    return [target for target in _LINK.findall(text) if not urlsplit(target).scheme]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_lead_to_files_and_headings_that_exist(page: Path) -> None:
    broken = []
    for target in links(page):
        path, _, fragment = target.partition("#")
        resolved = (page.parent / unquote(path)).resolve() if path else page
        outside = not resolved.exists() or ROOT not in (resolved, *resolved.parents)
        if outside or (fragment and resolved.suffix == ".md" and unquote(fragment) not in anchors(resolved)):
            broken.append(target)
    assert not broken, f"broken links in {page.relative_to(ROOT)}: {broken}"


def test_the_readme_links_every_docs_page() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README)}
    unlinked = [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


def test_the_readme_is_short_and_states_the_test_command() -> None:
    lines = read(README).splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"
    assert any(re.match(r"make test\b", line) for line in lines), (
        "README.md shows `make test` in a command block"
    )
