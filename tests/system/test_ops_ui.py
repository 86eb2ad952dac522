"""The 处非统计 page end to end: a real api-server, Airflow's login form, headless Chromium.

The screenshot is kept as ``test-artifacts/chufei_page.png`` (git-ignored).
"""

from __future__ import annotations

from datetime import date

import pytest
import requests

from tests.system.ops_browser import Browser
from tests.system.ops_stack import REPO, AirflowStack

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def seeded_data(tmp_path):
    from chufei.outbox.case_reports import build_case_statistics_package
    from chufei.core.settings import DataDir
    from demo.generate import write_demo_inbox
    from chufei.ingest.submissions import ingest_submissions
    from chufei.core.periods import month_period
    from chufei.warehouse.schema import engine_for
    from chufei.ops.watch import run_watch

    data = DataDir(tmp_path / "data").ensure()
    warehouse = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = engine_for(warehouse)
    write_demo_inbox(data, year=2020, seed=11, unit_codes=["420704", "420703", "D13"], months=[1, 2, 3],
                     faults=True)
    ingest_submissions(engine, data)
    run_watch(engine, data.outbox, date(2020, 4, 10))
    build_case_statistics_package(engine, data, month_period(2020, 3), "case_statistics_monthly")
    return data, warehouse


def test_page_behind_login_renders_in_headless_chromium(airflow_db, tmp_path, seeded_data):
    data, warehouse = seeded_data
    stack = AirflowStack(tmp_path / "airflow", airflow_db / "airflow.db", [], data.root,
                         extra_env={"AIRFLOW_CONN_CHUFEI_WAREHOUSE": warehouse})
    browser = None
    try:
        stack.start("api-server")
        stack.wait_http()
        # without a login: sent to Airflow's login page, downloads refused too
        anonymous = requests.get(f"{stack.url}/chufei/", allow_redirects=False, timeout=30)
        assert anonymous.status_code == 302
        assert "/auth/login" in anonymous.headers["location"]
        download = f"{stack.url}/chufei/download/case_statistics_monthly/2020-03/manifest.json"
        assert requests.get(download, allow_redirects=False, timeout=30).status_code == 302
        # the plugin's page is in Airflow's navigation
        plugins = stack.api("GET", "/plugins").json()["plugins"]
        chufei = next(p for p in plugins if p["name"] == "chufei")
        assert chufei["external_views"][0]["href"] == "/chufei/"
        assert chufei["timetables"] == ["chufei.dagkit.timetables.PeriodTimetable"]

        browser = Browser(tmp_path / "chromium-profile")
        browser.goto(f"{stack.url}/chufei/")
        browser.wait_until("document.querySelector('input[type=password]') !== null", 60, "the login form")
        browser.type_into("input:not([type=password])", "admin")
        browser.type_into("input[type=password]", "admin")
        browser.evaluate("document.querySelector('button[type=submit]').click()")
        browser.wait_until("document.querySelector('#targets') !== null", 60, "the 处非统计 page after login")
        text = browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "chufei_page.png")

        for expected in ("处非统计", "报送完成情况", "截至 2020-04-10", "鄂城区", "华容区", "市公安局",
                         "最新统计数据与工作目标", "最近报告月份：2020年3月", "2020年第一季度",
                         "陈案处置下降50%", "风险提示每区全年3次以上", "暂无风险提示数据",
                         "2018年底前陈案兑付清零", "数据质量", "案件台账", "报表包下载",
                         "case_statistics_monthly_2020-03.xlsx", "submission_matrix_2020-04-10.xlsx"):
            assert expected in text, f"{expected!r} not on the page"
        # the download link works for the logged-in browser
        status = browser.evaluate(
            "fetch(document.querySelector(\"a[href$='manifest.json']\").href).then(r => r.status)")
        assert status == 200
    finally:
        if browser is not None:
            browser.close()
        stack.stop()
