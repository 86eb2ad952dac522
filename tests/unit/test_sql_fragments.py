"""Statements in include/sql that share a definition include it as a fragment: what runs is
complete SQL, with the fragment's text in place and no placeholder left."""

from chufei.core.settings import SQL_DIR
from chufei.core.sql import sql_text


def test_every_statement_resolves_its_fragments():
    for path in SQL_DIR.glob("*.sql"):
        assert "{{" not in sql_text(path.stem), path.name


def test_the_grid_clue_version_rule_is_included_where_a_clue_is_read_at_a_date():
    rule = "w.clue_no = v.clue_no AND w.version > v.version AND w.reported_at < :as_of"
    for name in ("grid_clue_year_counts", "grid_clue_grids_as_of", "grid_clue_days_as_of"):
        assert "{{ grid_clue_version_at }}" in (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        text = sql_text(name)
        assert text.count(rule) == 1, name
        assert "A fragment, not a statement" not in text  # its comment lines are left out mid-clause
