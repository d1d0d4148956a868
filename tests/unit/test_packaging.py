"""The build configuration names every package of the tree, and the migrations' data package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        tool: dict[str, object] = tomllib.load(f)["tool"]["setuptools"]
    return tool


def test_every_package_of_the_tree_is_built() -> None:
    tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("consumer", "producer_tools", "schemas")
        for init in (ROOT / top).rglob("__init__.py")
    }
    listed = set(_config()["packages"])  # type: ignore[arg-type]
    assert listed - {"consumer.db.sql"} == tree


def test_the_migrations_ship_as_consumer_db_sql() -> None:
    config = _config()
    assert config["package-dir"] == {"consumer.db.sql": "sql"}
    assert config["package-data"]["consumer.db.sql"] == ["*.sql"]  # type: ignore[index]
    assert sorted((ROOT / "sql").glob("*.sql")), "no migrations in sql/"
