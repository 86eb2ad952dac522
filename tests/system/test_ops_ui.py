"""The 处非统计 page end to end: a real api-server, Airflow's login form, headless Chromium.

The screenshot is kept as ``test-artifacts/chufei_page.png`` (git-ignored).
"""

from __future__ import annotations

import re
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
    stack = AirflowStack(tmp_path / "airflow", airflow_db / "airflow.db", ["case_statistics_monthly"], data.root,
                         extra_env={"AIRFLOW_CONN_CHUFEI_WAREHOUSE": warehouse})
    browser = None
    try:
        assert stack.cli("dags", "reserialize", timeout=300).returncode == 0  # the DAG the trigger names
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
        assert chufei["timetables"] == [  # the period schedules, and the others described in Chinese
            "chufei.dagkit.timetables.PeriodTimetable", "chufei.dagkit.schedules.ChineseCronTimetable",
            "chufei.dagkit.schedules.ChineseAssetTimetable", "chufei.dagkit.schedules.ChineseAssetOrTimeSchedule"]

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
                         "2018年底前陈案兑付清零", "数据质量", "案件台账", "报表包下载", "非法集资案件统计月报",
                         "新发案件数（件）：2020年与2019年逐月对比", "涉案金额（万元）：2020年与2019年逐月对比",
                         "case_statistics_monthly_2020-03.xlsx", "submission_matrix_2020-04-10.xlsx"):
            assert expected in text, f"{expected!r} not on the page"
        # two trend charts drawn in the page itself (no script, nothing fetched from the internet)
        charts = browser.evaluate("Array.from(document.querySelectorAll('figure.chart svg')).map("
                                  "s => [s.closest('figure').id, s.querySelectorAll('polyline').length])")
        assert [c for c, _ in charts] == ["trend_new_cases", "trend_amount"]
        assert all(lines >= 1 for _, lines in charts)
        assert browser.evaluate("performance.getEntriesByType('resource').filter("
                                "r => !r.name.startsWith(location.origin)).length") == 0
        # the rejected rows of the faulty demo files, each reason naming its column once
        reasons = browser.evaluate("Array.from(document.querySelectorAll('#rejections tr td:last-child'))"
                                   ".map(td => td.innerText)")
        assert reasons
        assert not [r for r in reasons if re.search(r"(^|；)(\S+) \2(\s|$)", r)]  # not "排查日期 排查日期 …"
        # the download link works for the logged-in browser, and so does the whole-package zip
        status = browser.evaluate(
            "fetch(document.querySelector(\"a[href$='manifest.json']\").href).then(r => r.status)")
        assert status == 200
        zipped = browser.evaluate(
            "fetch(document.querySelector(\"a.zip[href*='case_statistics_monthly/2020-03']\").href)"
            ".then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)))")
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(bytes(zipped))) as archive:
            assert "case_statistics_monthly_2020-03_v1/manifest.json" in archive.namelist()
            assert "case_statistics_monthly_2020-03_v1/case_statistics_monthly_2020-03.xlsx" in archive.namelist()

        # 截至: the matrix for another day, chosen in the page
        browser.evaluate("document.querySelector('input[name=as_of]').value = '2020-02-10'; "
                         "document.querySelector('form.as-of').submit()")
        browser.wait_until("location.search.includes('as_of=2020-02-10') && document.querySelector('#matrix') !== null",
                           60, "the matrix as of 2020-02-10")
        assert "截至 2020-02-10" in browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "chufei_page_as_of.png")

        # drill-down: from March's figures to the files they were computed from
        browser.goto(f"{stack.url}/chufei/")
        browser.wait_until("document.querySelector('a.sources') !== null", 60, "the figures' source links")
        browser.evaluate("document.querySelector('a.sources').click()")
        browser.wait_until("document.querySelector('#sources') !== null", 60, "the sources page")
        sources = browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "chufei_sources.png")
        assert "2020年3月 统计数据的来源报送" in sources
        for unit in ("鄂城区", "华容区", "市公安局"):
            assert unit in sources

        # a bad period is refused with what to type, in Chinese, by the REST API the trigger form calls
        refused = stack.api("POST", "/dags/case_statistics_monthly/dagRuns",
                            json={"logical_date": None, "conf": {"period": "2020-13"}})
        assert refused.status_code == 400, refused.text
        assert refused.json()["detail"] == "参数 period 填写有误（收到 '2020-13'）：报告期应为 YYYY-MM，如 2020-06。"
        # … and the operator sees it in Airflow's own trigger form
        browser.goto(f"{stack.url}/dags/case_statistics_monthly")
        open_form = ("(() => { const b = Array.from(document.querySelectorAll('button')).find("
                     "b => /^(Trigger|触发)/.test((b.innerText || b.getAttribute('aria-label') || '').trim()));"
                     " if (b) b.click(); return !!b; })()")
        browser.wait_until(open_form, 90, "the DAG page's Trigger button")
        show_params = ("(() => { const f = document.querySelector('#element_period'); if (f) return true;"
                       " Array.from(document.querySelectorAll('[role=dialog] button')).filter("
                       "b => /Run Parameters|运行参数|Advanced|高级/.test(b.innerText)).forEach(b => b.click());"
                       " return false; })()")
        browser.wait_until(show_params, 60, "the period field of the trigger form")
        browser.evaluate("document.querySelector('#element_period').select && "
                         "document.querySelector('#element_period').select()")
        browser.type_into("#element_period", "2020-13")
        submit = ("(() => { const b = Array.from(document.querySelectorAll('[role=dialog] button')).reverse().find("
                  "b => /^(Trigger|触发)/.test(b.innerText.trim())); if (b) b.click(); return !!b; })()")
        browser.wait_until(submit, 30, "the trigger form's submit button")
        browser.wait_until("document.body.innerText.includes('报告期应为 YYYY-MM，如 2020-06')", 60,
                           "the Chinese refusal in the trigger form")
        browser.screenshot(ARTIFACTS / "trigger_form_refusal.png")
    finally:
        if browser is not None:
            browser.close()
        stack.stop()
