"""The statistics and delivery DAGs run end to end with ``dag.test()`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{dag_id}.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag(dag_id)


def test_a_month_nobody_reported_ends_with_a_note_and_no_package(airflow_env, warehouse_url, dagbag):
    """``dag.test(logical_date=<local midnight 1 July>)`` runs June; the warehouse has nothing for it."""
    from chufei.core.periods import local_midnight, month_period

    from sqlalchemy import select

    from chufei.core.units import units
    from chufei.ops.watch import period_missing
    from chufei.warehouse.schema import engine_for

    run = dagbag.dags["case_statistics_monthly"].test(logical_date=local_midnight(month_period(2020, 7).start))
    assert str(run.state) == "success"
    tis = {ti.task_id: ti for ti in run.get_task_instances()}
    states = {task_id: str(ti.state) for task_id, ti in tis.items()}
    # "2020-06 尚无报送数据，未生成报表包", no Asset event
    assert states == {"wait_for_submissions": "success", "build_package": "skipped"}
    assert not (airflow_env.outbox / "case_statistics_monthly" / "2020-06").exists()
    # The grace deadline is long past: the sensor went ahead and, at its last poke, recorded every
    # unit (all owe their case ledger) as missing, in the warehouse and in its XCom.
    everyone = sorted(unit.code for unit in units())
    with engine_for(warehouse_url).connect() as connection:
        recorded = connection.execute(select(period_missing.c.unit_code).where(
            period_missing.c.report == "case_statistics_monthly", period_missing.c.period_key == "2020-06")).scalars()
        assert sorted(recorded) == everyone
    assert sorted(tis["wait_for_submissions"].xcom_pull(task_ids="wait_for_submissions", key="missing_units")) == everyone


def test_quarterly_dag_run_writes_a_reconciling_package(airflow_env, warehouse_url):
    from chufei.core.periods import local_midnight, quarter_period
    from chufei.warehouse.schema import engine_for, ensure_schema
    from tests.statsfacts import generate, load_facts

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    load_facts(engine, *generate())
    run = _dag("case_statistics_quarterly").test(logical_date=local_midnight(quarter_period(2020, 3).end))
    assert str(run.state) == "success"
    root = airflow_env.outbox / "case_statistics_quarterly" / "2020Q3"
    assert (root / "latest").read_text().strip() == "v1"
    manifest = json.loads((root / "v1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2020Q3"
    assert manifest["version"] == "v1"
    assert {f["name"] for f in manifest["files"]} == {
        "case_statistics_quarterly_2020Q3.xlsx", "case_statistics_quarterly_2020Q3.csv",
        "case_statistics_quarterly_2020Q3_by_industry.xlsx", "case_statistics_quarterly_2020Q3_by_industry.csv"}


def test_provincial_delivery_dag_uses_the_airflow_connections(airflow_env, warehouse_url, monkeypatch):
    from chufei.outbox.case_reports import build_case_statistics_package
    from chufei.core.periods import month_period
    from chufei.warehouse.schema import engine_for, ensure_schema
    from tests.loopback import Portal, SmtpServer
    from tests.statsfacts import generate, load_facts

    dag = _dag("provincial_delivery")
    assert dag.doc_md
    assert dag.default_args["retries"] >= 2
    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    load_facts(engine, *generate())
    build_case_statistics_package(engine, airflow_env, month_period(2020, 1), "case_statistics_monthly")
    smtp = SmtpServer()
    with Portal(fail_first=2) as portal, smtp:
        monkeypatch.setenv("AIRFLOW_CONN_PROVINCIAL_PORTAL", json.dumps({
            "conn_type": "http", "host": "127.0.0.1", "port": portal.port, "schema": "http",
            "extra": {"endpoint": "/upload", "backoff_factor": 0.01, "read_timeout": 5}}))
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": smtp.port,
            "extra": {"disable_ssl": True, "disable_tls": True}}))
        run = dag.test()
        assert str(run.state) == "success"
        assert len(portal.state.requests) == 3
        assert portal.state.requests[-1]["path"] == "/upload"
        assert list(portal.state.accepted) == ["chufei:case_statistics_monthly:2020-01:v1"]
        assert len(smtp.messages) == 1
        assert sorted(smtp.messages[0]["to"]) == ["bangongshi@ezhou.example.gov.cn", "tongji@ezhou.example.gov.cn"]


def test_provincial_delivery_without_connections_leaves_packages_in_outbox(airflow_env, warehouse_url):
    from chufei.outbox.case_reports import build_case_statistics_package
    from chufei.core.periods import month_period
    from chufei.warehouse.schema import engine_for, ensure_schema

    from tests.statsfacts import generate, load_facts

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    load_facts(engine, *generate())  # a month nobody reported would have no package to leave
    manifest = build_case_statistics_package(engine, airflow_env, month_period(2020, 1), "case_statistics_monthly")
    run = _dag("provincial_delivery").test()
    assert str(run.state) == "success"
    assert (Path(manifest["folder"]) / "manifest.json").is_file()


def test_situation_analysis_second_half_run_writes_the_annual_analysis(airflow_env, warehouse_url):
    from chufei.core.periods import half_period, local_midnight
    from chufei.warehouse.schema import engine_for, ensure_schema
    from tests.statsfacts import generate, load_facts

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    load_facts(engine, *generate())
    run = _dag("situation_analysis").test(logical_date=local_midnight(half_period(2020, 2).end))
    assert str(run.state) == "success"
    folder = airflow_env.outbox / "situation_analysis" / "2020" / "v1"
    assert (folder / "situation_analysis_2020_summary.txt").read_text(encoding="utf-8").startswith("2020年")
