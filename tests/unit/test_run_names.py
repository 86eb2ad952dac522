"""A run triggered by hand for a period is named after the period it asks for, in the runs list."""

from __future__ import annotations

from datetime import datetime, UTC

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

NOW = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai


def test_a_period_param_names_the_run_and_notes_it():
    from chufei.ops.run_names import name_period_run

    body = {"logical_date": None, "conf": {"period": "2020-06"}}
    assert name_period_run(body, NOW) == {"logical_date": None, "conf": {"period": "2020-06"},
                                          "dag_run_id": "manual__2020-06_20261202T093000",
                                          "note": "报告期 2020-06（手动指定）"}
    # the requested run_after, not the clock, when the request has one
    quarter = name_period_run({"conf": {"period": "2020Q2"}, "run_after": "2020-07-13T02:00:00Z"}, NOW)
    assert quarter["dag_run_id"] == "manual__2020Q2_20200713T100000"


def test_what_the_operator_typed_is_kept():
    from chufei.ops.run_names import name_period_run

    named = name_period_run({"conf": {"period": "2020-06"}, "dag_run_id": "rerun-june", "note": "补报后重算"}, NOW)
    assert (named["dag_run_id"], named["note"]) == ("rerun-june", "补报后重算")
    only_id = name_period_run({"conf": {"period": "2020-06"}, "dag_run_id": "", "note": None}, NOW)
    assert (only_id["dag_run_id"], only_id["note"]) == ("manual__2020-06_20261202T093000", "报告期 2020-06（手动指定）")


def test_no_or_bad_period_leaves_the_trigger_to_airflow():
    from chufei.ops.run_names import name_period_run

    for body in ({"conf": {}}, {"conf": None}, {"conf": {"period": None}}, {"conf": {"period": ""}},
                 {"conf": {"period": "2020-13"}}, {"conf": {"period": "2020年6月"}}, {"conf": {"as_of": "2020-12-31"}}):
        assert name_period_run(body, NOW) is body


def test_the_middleware_completes_only_trigger_requests():
    from chufei.ops.run_names import PeriodRunNames

    app = FastAPI()  # (Request at module level: FastAPI resolves the string annotations there)

    @app.post("/api/v2/dags/{dag_id}/dagRuns")
    async def trigger(dag_id: str, request: Request):
        body = await request.body()
        return await request.json() if body.startswith(b"{") else {"raw": body.decode()}

    @app.post("/api/v2/dags/{dag_id}/dagRuns/list")
    async def listing(dag_id: str, request: Request):
        return await request.json()

    app.add_middleware(PeriodRunNames)
    client = TestClient(app)
    answer = client.post("/api/v2/dags/case_statistics_monthly/dagRuns",
                         json={"conf": {"period": "2020-06"}, "run_after": "2026-12-02T01:30:00Z"}).json()
    assert answer["dag_run_id"] == "manual__2020-06_20261202T093000"
    assert answer["note"] == "报告期 2020-06（手动指定）"
    assert client.post("/api/v2/dags/x/dagRuns/list", json={"conf": {"period": "2020-06"}}).json() == {
        "conf": {"period": "2020-06"}}
    assert client.post("/api/v2/dags/x/dagRuns", content=b"not json").json() == {"raw": "not json"}
