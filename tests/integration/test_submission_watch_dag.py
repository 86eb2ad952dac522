"""The daily submission watch, run for real: the completeness matrix of the day asked for."""

from __future__ import annotations


def test_submission_watch_run_writes_the_matrix_for_the_day_asked(airflow_env, warehouse_url, dagbag):
    from sqlalchemy import func, select

    from chufei.warehouse.schema import engine_for
    from chufei.ops.watch import submission_status

    run = dagbag.dags["submission_watch"].test(run_conf={"as_of": "2020-12-31"})
    assert str(run.state) == "success"
    folder = airflow_env.outbox / "submission_watch" / "2020-12-31" / "v1"
    assert (folder / "submission_matrix_2020-12-31.xlsx").is_file()
    assert (folder / "submission_matrix_2020-12-31.csv").is_file()
    assert (folder / "manifest.json").is_file()
    with engine_for(warehouse_url).connect() as connection:
        statuses = dict(connection.execute(select(submission_status.c.status, func.count())
                                           .group_by(submission_status.c.status)).all())
    # empty warehouse: everything due in 2020 is missing. Due by 31 Dec (work_plan_tasks.json):
    # case ledgers Jan–Nov × 20 units, old-case progress Jan–Nov × 5, report rewards Q1–Q3 × 7 (the
    # districts, 市公安局, 地方金融局), risk warnings Q1–Q3 × 5, admin actions Q1–Q3 × 9 (the districts,
    # 人行, 银保监分局, 市场监管局, 地方金融局), publicity Q1–Q3 × 20, risk ledgers H1+H2 × 20.
    assert statuses == {"missing": 11 * 20 + 11 * 5 + 3 * 7 + 3 * 5 + 3 * 9 + 3 * 20 + 2 * 20}
