"""A bad period is refused with what to type, in Chinese, where the operator sees it."""

from __future__ import annotations

import pytest


def _server_detail(schema: dict, value: object) -> str:
    """The api-server's 400 detail for ``value``, as Airflow words it (SerializedParamsDict.validate)."""
    from airflow.serialization.definitions.param import SerializedParam, SerializedParamsDict

    try:
        SerializedParamsDict({"period": SerializedParam(value, **schema)}).validate()
    except Exception as error:  # noqa: BLE001 - Airflow's ParamValidationError
        return str(error)
    raise AssertionError(f"{value!r} was accepted")


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("month", "2020-13", "参数 period 填写有误（收到 '2020-13'）：报告期应为 YYYY-MM，如 2020-06。"),
    ("month", "2020Q2", "参数 period 填写有误（收到 '2020Q2'）：报告期应为 YYYY-MM，如 2020-06。"),
    ("month", "2020年6月", "参数 period 填写有误（收到 '2020年6月'）：报告期应为 YYYY-MM，如 2020-06。"),
    ("quarter", "2020-06", "参数 period 填写有误（收到 '2020-06'）：报告期应为 YYYYQn（n 为 1–4），如 2020Q2。"),
    ("half", "2020H3", "参数 period 填写有误（收到 '2020H3'）：报告期应为 YYYYH1 或 YYYYH2，如 2020H1。"),
    ("year", "20", "参数 period 填写有误（收到 '20'）：报告期应为 YYYY，如 2020。"),
])
def test_the_api_servers_refusal_reads_in_chinese(kind, value, message):
    from chufei.dagkit import period_param
    from chufei.ops.param_messages import chinese_param_error

    detail = _server_detail(period_param(kind).schema, value)
    assert detail.startswith("Invalid input for param period:")  # what Airflow says by itself
    assert chinese_param_error(detail) == message


def test_other_refusals_pass_unchanged():
    from chufei.ops.param_messages import chinese_param_error

    assert chinese_param_error("DAG with dag_id: 'x' not found") is None
    assert chinese_param_error("Invalid input for param n: 'a' is not of type 'integer'") is None


def test_the_middleware_rewrites_only_param_refusals():
    from fastapi import FastAPI, HTTPException
    from fastapi.testclient import TestClient

    from chufei.dagkit import period_param
    from chufei.ops.param_messages import ChineseParamErrors

    detail = _server_detail(period_param("month").schema, "2020-13")
    app = FastAPI()

    @app.post("/api/v2/dags/{dag_id}/dagRuns")
    def trigger(dag_id: str):
        if dag_id == "missing":
            raise HTTPException(404, "not found")
        if dag_id == "other":
            raise HTTPException(400, "something else")
        raise HTTPException(400, detail)

    @app.get("/api/v2/dags/{dag_id}/dagRuns")
    def runs(dag_id: str):
        return {"dag_runs": []}

    app.add_middleware(ChineseParamErrors)
    client = TestClient(app)
    refused = client.post("/api/v2/dags/case_statistics_monthly/dagRuns", json={"conf": {"period": "2020-13"}})
    assert refused.status_code == 400
    assert refused.json() == {"detail": "参数 period 填写有误（收到 '2020-13'）：报告期应为 YYYY-MM，如 2020-06。"}
    assert client.post("/api/v2/dags/other/dagRuns").json() == {"detail": "something else"}
    assert client.post("/api/v2/dags/missing/dagRuns").status_code == 404
    assert client.get("/api/v2/dags/x/dagRuns").json() == {"dag_runs": []}
