"""No module under ``consumer/`` is longer than 600 lines, except the data tables listed here.

A long module is split into modules a reader can guess from their names; only a module that is
data (tables of patterns, word lists, lexicons written as literals) may be longer, and it must
say why below.
"""

from pathlib import Path

LIMIT = 600
CONSUMER = Path(__file__).resolve().parents[2] / "consumer"
DATA_TABLES: dict[str, str] = {
    "analyzer/rules/lexicons.py": "the offline rules' cue lists: about a hundred phrase families as literals",
}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _modules() -> dict[str, int]:
    return {p.relative_to(CONSUMER).as_posix(): _lines(p) for p in sorted(CONSUMER.rglob("*.py"))}


def test_no_module_is_longer_than_the_limit_unless_it_is_a_data_table() -> None:
    too_long = {name: n for name, n in _modules().items() if n > LIMIT and name not in DATA_TABLES}
    assert too_long == {}, f"split these modules (at most {LIMIT} lines each): {too_long}"


def test_each_listed_data_table_exists_needs_its_place_and_says_why() -> None:
    modules = _modules()
    for name, reason in DATA_TABLES.items():
        assert name in modules, f"{name} is listed as a data table but does not exist"
        assert modules[name] > LIMIT, f"{name} is within {LIMIT} lines: take it off the list"
        assert reason.strip(), f"{name} needs a reason to be listed"


def test_the_size_check_sees_the_modules() -> None:
    modules = _modules()
    assert "app.py" in modules
    assert "analyzer/rules/decide.py" in modules
