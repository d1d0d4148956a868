"""Migration files: found in order, named by number, each with a checksum of its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from consumer.db.migrations import CHECKOUT_SQL, Migration, edited, migrations_folder, read_migrations


def test_the_shipped_migrations_are_the_checkouts_sql_folder() -> None:
    names = [m.name for m in read_migrations()]
    assert names == sorted(p.name for p in CHECKOUT_SQL.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    assert names[0] == "0001_call_records.sql"
    assert [m.sql for m in read_migrations()] == [(CHECKOUT_SQL / n).read_text() for n in names]
    assert migrations_folder().joinpath(names[0]).is_file()


def test_only_numbered_sql_files_count_in_order(tmp_path: Path) -> None:
    for name in ("0002_b.sql", "0001_a.sql", "notes.sql", "0003_c.txt", "12_short.sql"):
        (tmp_path / name).write_text(f"-- {name}\n")
    assert [m.name for m in read_migrations(tmp_path)] == ["0001_a.sql", "0002_b.sql"]


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no migrations"):
        read_migrations(tmp_path)


def test_checksum_follows_the_text_but_not_line_endings() -> None:
    one = Migration("0001_a.sql", "CREATE TABLE a (x INT);\nCREATE INDEX ON a (x);\n")
    assert one.checksum == Migration("0001_a.sql", one.sql.replace("\n", "\r\n")).checksum
    assert one.checksum != Migration("0001_a.sql", one.sql + "-- more\n").checksum
    assert len(one.checksum) == 64


def test_edited_names_only_changed_files_with_a_recorded_checksum() -> None:
    a, b, c = (Migration(f"000{i}_{n}.sql", f"-- {n}\n") for i, n in enumerate("abc", 1))
    recorded = {a.name: a.checksum, b.name: "0" * 64, c.name: None}
    assert edited([a, b, c], recorded) == [b.name]
    assert edited([a], {}) == []
