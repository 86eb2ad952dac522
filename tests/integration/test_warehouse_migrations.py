"""The warehouse's Alembic migrations on SQLite and PostgreSQL: a warehouse left by the hand-written
upgrades (schema version 1 or 2, with data) is adopted with every row and figure unchanged; a fresh
warehouse at head has exactly the declared tables, columns and indexes; upgrading a current
warehouse again, or from several processes at once, changes nothing and costs one query."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, insert, inspect, select, text

from chufei.outbox.case_reports import case_statistics_forms
from chufei.core.periods import half_period, month_period, quarter_period, year_period
from chufei.warehouse import schema as warehouse
from chufei.warehouse.migrate import migrate
from chufei.warehouse.upgrade import LEGACY_VERSION_TABLE, VERSION_TABLE, head_revision, include_object
from tests.integration.test_case_facts import (expected_action_facts, expected_facts, stored_action_facts,
                                               stored_facts)
from tests.forms import FIGURES, as_number, cells, expected_figures
from tests.legacy_warehouse import LEGACY_VERSION, VERSION_2_TABLES, baseline_warehouse, make_legacy
from tests.statsfacts import generate, load_facts

PERIODS = [month_period(2020, 1), month_period(2020, 7), quarter_period(2020, 3), year_period(2020)]
# Rebuilt from the cases and actions when a version-1 warehouse is adopted; every other table keeps its rows.
DERIVED = {"case_month_fact", "admin_action_month_fact", "month_source", "old_case_year"}


def _diffs(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object,
                                                               "compare_type": True})
        return compare_metadata(context, warehouse.metadata)


def _revisions(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()


LATER_COLUMNS = {"received_file": ("arrived_at",), "file_arrival": ("arrived_at",),  # revision 0002
                 "publicity_row": ("community",),  # revision 0004
                 "submission_status": ("first_arrived_at", "first_processed_at", "zero_return"),  # revision 0006
                 "report_reward_row": ("reported_subject",)}  # revision 0007
# Tables later revisions add, new and empty on an adopted warehouse: the snapshot of the baseline leaves them out.
LATER_TABLES = {"work_task_completion_row",  # revision 0003
                "entity", "entity_event", "entity_source_mark", "entity_warning", "warning_notice",
                "warning_feedback_row",  # revision 0005
                "entity_touched", "entity_score_state", "entity_score_mark",  # revision 0009
                "grid_clue_day", "grid_clue_day_mark", "spike_baseline"}  # revision 0011


def _snapshot(engine) -> dict[str, list]:
    """Every row of every table but the derived ones, in key order, timestamps as UTC instants;
    the columns of the baseline revision only (later revisions add columns, NULL on old rows)."""
    out = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        present = set(inspector.get_table_names())
        for table in warehouse.metadata.sorted_tables:
            if table.name in present and table.name not in DERIVED | LATER_TABLES:
                columns = [c for c in table.columns if c.name not in LATER_COLUMNS.get(table.name, ())]
                rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
                out[table.name] = [tuple(v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v
                                         for v in row) for row in rows]
    return out


def _forms(engine) -> dict:
    return {p.key: {suffix: form.rows for suffix, form in case_statistics_forms(engine, p)[0].items()}
            for p in PERIODS}


@pytest.fixture
def legacy(warehouse_url):
    """An empty database at the pre-Alembic schema with generated cases and actions (truth kept)."""
    engine = warehouse.engine_for(warehouse_url)
    baseline_warehouse(engine)
    cases, actions = generate(seed=29)
    load_facts(engine, cases, actions)
    yield engine, cases, actions
    engine.dispose()


@pytest.mark.parametrize("version", [1, 2])
def test_a_warehouse_of_the_hand_written_upgrades_is_adopted_with_every_figure_unchanged(legacy, version):
    engine, cases, actions = legacy
    before, rows = _forms(engine), _snapshot(engine)
    make_legacy(engine, version)
    with engine.connect() as connection:
        assert not inspect(connection).has_table(VERSION_TABLE)
        assert inspect(connection).has_table("case_month_fact") is (version == 2)

    assert warehouse.ensure_schema(engine) == head_revision()
    assert _revisions(engine) == [head_revision()]
    assert _diffs(engine) == []  # every table, column and index it lacked is there now
    assert _snapshot(engine) == rows  # nothing lost or changed
    with engine.connect() as connection:  # the old version table is kept as it was
        assert connection.execute(select(LEGACY_VERSION.c.version)).scalars().all() == list(range(1, version + 1))
    # Version 1 had no monthly facts: they are filled from its cases and actions.
    assert stored_facts(engine) == expected_facts(cases)
    assert stored_action_facts(engine) == expected_action_facts(actions)

    after = _forms(engine)
    assert after == before
    for period in PERIODS:
        total = cells(case_statistics_forms(engine, period)[0][""], period.kind)
        expected = expected_figures(cases, actions, period.start, period.end, lambda unit, industry: True)
        for figure in FIGURES:
            assert as_number(total[("合计", figure, "本期")]) == expected[figure], (period.key, figure)

    # Every later task calls it again: nothing changes.
    assert warehouse.ensure_schema(engine) == head_revision()
    assert _revisions(engine) == [head_revision()]
    assert _snapshot(engine) == rows
    assert stored_facts(engine) == expected_facts(cases)


def test_concurrent_first_runs_adopt_a_version_1_warehouse_once(legacy):
    engine, cases, actions = legacy
    make_legacy(engine, 1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = list(pool.map(lambda _: warehouse.ensure_schema(engine), range(4)))
    assert revisions == [head_revision()] * 4
    assert _revisions(engine) == [head_revision()]
    assert stored_facts(engine) == expected_facts(cases)  # filled once, not once per caller
    assert stored_action_facts(engine) == expected_action_facts(actions)


def test_a_fresh_warehouse_at_head_has_exactly_the_declared_schema(warehouse_url):
    engine = warehouse.engine_for(warehouse_url)
    assert warehouse.ensure_schema(engine) == head_revision()
    assert _revisions(engine) == [head_revision()]
    assert _diffs(engine) == []
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == set(warehouse.metadata.tables) | {VERSION_TABLE}
    assert LEGACY_VERSION_TABLE not in tables
    assert not set(VERSION_2_TABLES) - tables

    # The grid_clue_current view answers with the latest version of each clue.
    clue = {"source": "file", "load_id": "x" * 64, "row_no": 1, "loaded_at": datetime(2020, 3, 1, tzinfo=UTC),
            "reported_at": datetime(2020, 3, 1, 9), "district_code": "420704", "town": "凤凰街道",
            "grid_code": "G1", "discovery_method": "巡查", "subject_name": "某公司", "industry": "其他",
            "judgement": "待研判", "status": "处置中"}
    with engine.begin() as connection:
        connection.execute(insert(warehouse.metadata.tables["grid_clue_version"]), [
            {**clue, "clue_no": "C1", "version": 1}, {**clue, "clue_no": "C1", "version": 2, "status": "已办结"}])
        current = connection.execute(text("SELECT clue_no, version, status FROM grid_clue_current")).all()
    assert [tuple(row) for row in current] == [("C1", 2, "已办结")]
    engine.dispose()


def test_a_current_warehouse_costs_one_query(engine):
    statements = []

    def record(connection, cursor, statement, *args) -> None:  # noqa: ANN001, ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert warehouse.ensure_schema(engine) == head_revision()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1, statements


# --- a warehouse built by the last chufei before Alembic, running that code itself -----------------
PRE_ALEMBIC = "5b5d2f6"  # the last commit whose ensure_schema upgraded by hand
# Run by the pre-Alembic code: build a warehouse from demo workbooks with its own ingest. Frozen on
# purpose: it talks to that code's API.
OLD_CODE = """
import sys
from pathlib import Path
from chufei.core.settings import DataDir
from chufei.ingest.submissions import ingest_submissions
from chufei.warehouse.schema import engine_for
from demo.generate import write_demo_inbox

url, root = sys.argv[1], Path(sys.argv[2])
data = DataDir(root).ensure()
write_demo_inbox(data, unit_codes=["420704", "420702", "EZGD01", "D01"], months=[1, 2, 3], other_kinds=True)
ingest_submissions(engine_for(url), data)
"""


def _figures(engine) -> dict:
    """Every form's rows of the case-statistics (old-case forms included) and office reports."""
    from chufei.outbox.grid_reports import grid_monitoring_forms
    from chufei.outbox.office_reports import reward_forms, risk_rollup_forms, warning_forms

    builders = {"report_reward_quarterly": reward_forms, "risk_ledger_rollup": risk_rollup_forms,
                "warnings_actions_quarterly": warning_forms, "grid_monitoring_monthly": grid_monitoring_forms}

    figures = {}
    for period in (month_period(2020, 3), quarter_period(2020, 1), half_period(2020, 1), year_period(2020)):
        if period.kind != "half":
            figures[period.key] = {s: f.rows for s, f in case_statistics_forms(engine, period)[0].items()}
        for report, build in sorted(builders.items()):
            if (report == "risk_ledger_rollup") == (period.kind == "half"):
                figures[f"{report} {period.key}"] = {s: f.rows for s, f in build(engine, period)[0].items()}
    return figures


@pytest.fixture(scope="module")
def pre_alembic_code(tmp_path_factory):
    """The pre-Alembic code (plugins, include, demo) from git; skipped where history is missing."""
    repo = Path(__file__).resolve().parents[2]
    if shutil.which("git") is None or subprocess.run(["git", "-C", str(repo), "cat-file", "-e", PRE_ALEMBIC],
                                                     capture_output=True).returncode:
        pytest.skip(f"commit {PRE_ALEMBIC} (the pre-Alembic code) is not in this checkout")
    root = tmp_path_factory.mktemp("pre-alembic")
    archive = subprocess.run(["git", "-C", str(repo), "archive", PRE_ALEMBIC, "plugins", "include", "demo"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    return root


def test_a_warehouse_built_by_the_pre_alembic_code_upgrades_with_identical_figures(pre_alembic_code, warehouse_url,
                                                                                   tmp_path):
    env = {**os.environ, "PYTHONPATH": f"{pre_alembic_code / 'plugins'}{os.pathsep}{pre_alembic_code}",
           "CHUFEI_DATA_DIR": str(tmp_path / "old-data")}
    env.pop("AIRFLOW_CONN_CHUFEI_WAREHOUSE", None)
    run = subprocess.run([sys.executable, "-c", OLD_CODE, warehouse_url, str(tmp_path / "old-data")],
                         env=env, capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    engine = warehouse.engine_for(warehouse_url)
    with engine.connect() as connection:
        assert connection.execute(select(LEGACY_VERSION.c.version)).scalars().all() == [2]
        assert not inspect(connection).has_table(VERSION_TABLE)
    rows = _snapshot(engine)
    assert rows["case_ledger_row"]
    assert rows["report_reward_row"]
    # Today's figures of these rows, read from a copy at head (the move tool reads the source only).
    copy = warehouse.engine_for(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(engine, copy)
    before = _figures(copy)
    assert before["2020"][""]

    assert warehouse.ensure_schema(engine) == head_revision()
    assert _diffs(engine) == []
    after = _snapshot(engine)
    assert {name: after[name] for name in rows} == rows
    # Tables the old code created only when first used (the submission watch's) are there, empty.
    assert all(not after[name] for name in set(after) - set(rows))
    assert _figures(engine) == before
    assert warehouse.ensure_schema(engine) == head_revision()
    assert _revisions(engine) == [head_revision()]
    engine.dispose()
    copy.dispose()


# --- a later revision that alters a table on SQLite (batch mode) -----------------------------------
LATER_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot alter a column in place: batch mode rebuilds received_file, which three tables reference.
    with op.batch_alter_table("received_file") as batch_op:
        batch_op.add_column(sa.Column("checked_by", sa.Text, nullable=False, server_default="无"))
        batch_op.alter_column("message", existing_type=sa.Text, type_=sa.String(2000))


def downgrade() -> None:
    pass
'''


def test_a_later_revision_can_alter_a_referenced_table_without_losing_rows(warehouse_url, monkeypatch, tmp_path):
    from chufei.warehouse import upgrade

    engine = warehouse.engine_for(warehouse_url)
    cases, actions = generate(seed=41)
    warehouse.ensure_schema(engine)
    load_facts(engine, cases, actions)
    before, forms = _snapshot(engine), _forms(engine)
    baseline_head = head_revision()

    later = tmp_path / "versions"
    later.mkdir()
    (later / "9999_later.py").write_text(LATER_REVISION.format(rev="9999", down=baseline_head), encoding="utf-8")
    monkeypatch.setattr(upgrade, "VERSION_LOCATIONS", [*upgrade.VERSION_LOCATIONS, later])
    upgrade.head_revision.cache_clear()
    try:
        assert warehouse.ensure_schema(engine) == "9999"
    finally:
        upgrade.head_revision.cache_clear()
    with engine.connect() as connection:
        columns = {c["name"]: c for c in inspect(connection).get_columns("received_file")}
        assert "checked_by" in columns
        assert connection.execute(text("SELECT DISTINCT checked_by FROM received_file")).scalars().all() == ["无"]
        if connection.dialect.name == "sqlite":  # the pooled connection enforces foreign keys again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    assert _snapshot(engine) == before  # the declared columns of every row, the rebuilt table's included
    assert _forms(engine) == forms
    engine.dispose()


def test_a_database_shared_with_airflow_keeps_airflow_s_revision(warehouse_url):
    """Airflow records its own schema in ``alembic_version``; the warehouse's revisions never read or touch it."""
    engine = warehouse.engine_for(warehouse_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('29ce7909c52b')"))
    assert warehouse.ensure_schema(engine) == head_revision()
    assert warehouse.ensure_schema(engine) == head_revision()
    assert _revisions(engine) == [head_revision()]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["29ce7909c52b"]
    engine.dispose()
