"""陈案处置进展 reconciled with the 案件台账: the 核对 form of the monthly and annual case-statistics
packages, and the warnings on the receipts, against disagreements written into the files by hand
or planted by the demo (expected values computed here from what was written)."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal

from chufei.core.periods import month_period, year_period
from chufei.core.units import resolve_unit
from chufei.ingest.submissions import ingest_submissions, sha256_of
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
import openpyxl

from chufei.outbox import layout
from chufei.outbox.case_reports import case_statistics_forms
from chufei.outbox.reports import write_xlsx
from demo.generate import write_demo_inbox

CHECK = "_old_case_check"


def wan_text(fen: int) -> str:
    return f"{Decimal(fen) / 1_000_000:,.2f}"


def body(form) -> list[list]:
    assert form.rows[-1][1] == "合计"
    return form.rows[:-1]


def receipt_of(data, sha256: str) -> dict:
    return json.loads((data.receipts / f"{sha256}.json").read_text(encoding="utf-8"))


def test_the_demo_check_form_finds_exactly_the_planted_disagreements(engine, data):
    demo = write_demo_inbox(data, unit_codes=["420704", "420703", "D15"], months=[3, 6, 12], other_kinds=True)
    progress = [f for f in demo.other_kinds if f.dataset == "old_case_progress"]
    planted = {(f.unit_code, f.period_key, case_no, item) for f in progress for case_no, item in f.planted}
    # the middle month: 未兑付本金, 处置阶段, a case left out; the last: 已清退金额, 化解, a case the ledger lacks
    assert sorted(item for *_, item in planted) == sorted(
        ["核实未兑付本金(万元)", "处置阶段", "是否列报", "已清退金额(万元)", "是否化解/结案日期", "是否列报"])
    assert {key for _, key, *_ in planted} == {"2020-06", "2020-12"}
    digests = {f.path: sha256_of(f.path) for f in progress}
    # whichever of a month's two reports arrived second carries the disagreements in its receipt
    # (the demo's files arrive at realistic, seeded moments, so either order occurs)
    second = {}
    for sent in progress:
        ledger = sent.path.with_name(sent.path.name.replace("陈案处置进展", "案件台账"))
        later = sent.path if sent.path.stat().st_mtime >= ledger.stat().st_mtime else ledger
        second[sent.path] = (later.name, sha256_of(later))
    ingest_submissions(engine, data)
    cases = {c.case_no: c for c in demo.cases}
    for period in (month_period(2020, 3), month_period(2020, 6), month_period(2020, 12), year_period(2020)):
        forms, sources = case_statistics_forms(engine, period)
        form = forms[CHECK]
        month = "2020-12" if period.kind == "year" else period.key
        found = {(row[0], month, row[2], row[4]) for row in body(form)}
        assert found == {p for p in planted if p[1] == month}, period.key
        assert len(body(form)) == len(found)  # one line per case and field
        assert form.rows[-1][4] == f"{len(found)}项"
        assert {digests[f.path] for f in progress if f.period_key == month} <= set(sources)
        write_xlsx(form, data.root / f"check_{period.key}.xlsx", "2021-01-01")
        sheet = openpyxl.load_workbook(data.root / f"check_{period.key}.xlsx").active
        assert sheet.title == "核对"
        assert int(sheet.page_setup.scale) >= layout.MIN_SCALE  # the names and receipts fit A4 landscape
        for row in body(form):
            sent = next(f for f in progress if f.unit_code == row[0] and f.period_key == month)
            written = {r["案件编号"]: r for r in sent.rows}
            case = cases.get(row[2])
            if row[4] == "核实未兑付本金(万元)":
                assert row[5:7] == [wan_text(round(Decimal(written[row[2]]["核实未兑付本金(万元)"]) * 1_000_000)),
                                    wan_text(case.unpaid_fen)]
            elif row[4] == "已清退金额(万元)":
                assert row[5] == wan_text(round(Decimal(written[row[2]]["累计清退金额(万元)"]) * 1_000_000))
                assert row[6] == (wan_text(case.repaid_fen_when_closed) if case.repaid_fen_when_closed
                                  and case.stage_on(date(2020, 12, 31)) in ("清退", "结案") else "未填（按0计）")
            elif row[4] == "处置阶段":
                assert row[5] == written[row[2]]["处置阶段"] != row[6]
            elif row[4] == "是否化解/结案日期":
                assert row[5] == f"是（{written[row[2]]['化解日期'].isoformat()}）"
                assert row[6] == "否"
            elif row[2] in written:  # listed by the progress report only
                assert row[5].startswith("第 ")
                assert row[6] == "未列报"
                assert case is None
            else:
                assert row[5] == "未列报"
                assert row[6].startswith("第 ")
                assert case.filed < date(2020, 1, 1)
            assert row[7] == digests[sent.path][:12]
    for sent in progress:
        name, sha256 = second[sent.path]
        assert receipt_of(data, digests[sent.path])["status"] == "accepted"  # a disagreement is a warning
        receipt = receipt_of(data, sha256)
        checked = [w for w in receipt["warnings"] if "案件台账" in w["message"] and "尚未" not in w["message"]]
        assert len(checked) == len(sent.planted), (name, receipt["warnings"])
        for case_no, item in sent.planted:
            assert any(case_no in w["message"] and (item == "是否列报" or item in w["message"]) for w in checked)


def _ledger_row(case_no, filed, stage, unpaid, repaid, closed=None, name="某某投资管理有限公司非法吸收公众存款案"):
    return {"案件编号": case_no, "案件名称": name, "立案日期": filed, "承办单位": "华容区公安分局", "行业领域": "其他",
            "涉案金额(万元)": 1000, "集资参与人数": 50, "是否跨区域": "否", "处置阶段": stage,
            "核实未兑付本金(万元)": unpaid, "已清退金额(万元)": repaid, "是否陈案": "是" if filed.year < 2020 else "否",
            "结案日期": closed}


def _progress_row(case_no, filed, stage, unpaid, repaid, resolved=None, name="某某投资管理有限公司非法吸收公众存款案"):
    return {"案件编号": case_no, "案件名称": name, "立案日期": filed, "核实未兑付本金(万元)": unpaid,
            "累计清退金额(万元)": repaid, "处置阶段": stage, "是否化解": "是" if resolved else "否",
            "化解日期": resolved}


def _send(data, name: str, dataset: str, unit_name: str, period, rows, when: int):
    path = data.inbox("submissions") / name
    write_submission(path, DATASETS[dataset], unit_name, period.label, rows, "李四", "0711-3123456", str(period.end))
    arrived = 1_600_000_000 + when  # September 2020, after the period: only the order matters
    os.utime(path, (arrived, arrived))
    return sha256_of(path)  # the file leaves the inbox


def test_either_order_and_every_kind_of_disagreement(engine, data):
    """华容区's May: the progress report first (no ledger yet: it says so), then the ledger (its
    receipt names each disagreement); 鄂城区 owes a progress report and sent none; 梁子湖区 sent a
    progress report without its ledger."""
    may = month_period(2020, 5)
    huarong, echeng, liangzihu = (resolve_unit(n) for n in ("华容区", "鄂城区", "梁子湖区"))
    old = date(2018, 3, 1)
    progress_rows = [
        _progress_row("HR-1", old, "清退", "100.00", "40.00"),           # agrees
        _progress_row("HR-2", old, "清退", "100.01", "40.00"),           # 未兑付本金 off by 1 百元
        _progress_row("HR-3", old, "执行", "80", "0"),                   # ledger leaves 已清退金额 empty: 0 = 0
        _progress_row("HR-4", old, "执行", "80", "5"),                   # …but 5 万元 ≠ empty
        _progress_row("HR-5", old, "审判", "60", "0"),                   # stage differs
        _progress_row("HR-6", old, "结案", "60", "60", date(2020, 5, 3)),  # 化解 on another day than 结案
        _progress_row("HR-7", old, "清退", "60", "10", date(2020, 5, 3)),  # 化解, the ledger has no 结案日期
        _progress_row("HR-8", old, "执行", "10", "0"),                   # not in the ledger
    ]
    ledger_rows = [
        _ledger_row("HR-1", old, "清退", "100", "40"),
        _ledger_row("HR-2", old, "清退", "100", "40"),
        _ledger_row("HR-3", old, "执行", "80", None),
        _ledger_row("HR-4", old, "执行", "80", None),
        _ledger_row("HR-5", old, "执行", "60", "0"),
        _ledger_row("HR-6", old, "结案", "60", "60", date(2020, 5, 4)),
        _ledger_row("HR-7", old, "清退", "60", "10"),
        _ledger_row("HR-9", old, "起诉", "20", None),                      # not in the progress report
        _ledger_row("HR-10", date(2020, 2, 1), "侦查", "20", None),        # this year's case: not an old one
        _ledger_row("HR-11", date(2019, 1, 1), "结案", "20", "20", date(2019, 12, 1)),  # closed before the year
    ]
    progress = _send(data, "华容区_2020-05_陈案处置进展.xlsx", "old_case_progress", "华容区", may, progress_rows, 1)
    ingest_submissions(engine, data)
    first = receipt_of(data, progress)
    assert first["status"] == "accepted"
    assert [w["message"] for w in first["warnings"]] == [
        "本单位2020年5月的案件台账尚未报送，本表暂未与案件台账核对；台账报送后，核对结果见该月案件统计月报的核对表"]
    ledger = _send(data, "华容区_2020-05_案件台账.xlsx", "case_ledger", "华容区", may, ledger_rows, 2)
    _send(data, "鄂城区_2020-05_案件台账.xlsx", "case_ledger", "鄂城区", may,
          [_ledger_row("EC-1", old, "执行", "10", None)], 3)
    _send(data, "梁子湖区_2020-05_陈案处置进展.xlsx", "old_case_progress", "梁子湖区", may,
          [_progress_row("LZ-1", old, "执行", "10", "0"), _progress_row("LZ-2", old, "执行", "10", "0")], 4)
    ingest_submissions(engine, data)

    # by hand: (unit, 案件编号, 核对项目, 进展, 台账)
    expected = [
        (huarong.code, "HR-2", "核实未兑付本金(万元)", "100.01", "100.00"),
        (huarong.code, "HR-4", "已清退金额(万元)", "5.00", "未填（按0计）"),
        (huarong.code, "HR-5", "处置阶段", "审判", "执行"),
        (huarong.code, "HR-6", "是否化解/结案日期", "是（2020-05-03）", "是（2020-05-04）"),
        (huarong.code, "HR-7", "是否化解/结案日期", "是（2020-05-03）", "否"),
        (huarong.code, "HR-8", "是否列报", "第 13 行", "未列报"),
        (huarong.code, "HR-9", "是否列报", "未列报", "第 13 行"),
        (echeng.code, "", "报送情况", "未报送", "陈案 1 件"),
        (liangzihu.code, "", "报送情况", "陈案 2 件", "未报送"),
    ]
    forms = case_statistics_forms(engine, may)[0]
    form = forms[CHECK]
    # the 陈案 form says which report its figures follow
    assert any("以案件台账为准" in note and "核对" in note for note in forms["_old_cases"].notes)
    rows = body(form)
    ordered = sorted(expected, key=lambda e: (e[0], e[1].split("-")[0], int(e[1].split("-")[1]) if e[1] else 0))
    got = sorted(((r[0], "" if r[2] == "—" else r[2], r[4], r[5], r[6]) for r in rows),
                 key=lambda e: (e[0], e[1].split("-")[0], int(e[1].split("-")[1]) if e[1] else 0))
    assert got == ordered
    assert form.rows[-1][2:5] == ["7件", "", "9项"]
    assert {r[7] for r in rows if r[0] == huarong.code} == {progress[:12]}
    assert {r[8] for r in rows if r[0] == huarong.code} == {ledger[:12]}
    assert {r[8] for r in rows if r[0] == liangzihu.code} == {"—"}

    # the ledger came second: its receipt names each disagreement by its own cell
    second = receipt_of(data, ledger)
    assert second["status"] == "accepted"
    assert len(second["warnings"]) == 7, second["warnings"]
    by_case = {re.search(r"案件 ([A-Z]+-\d+)", w["message"]).group(1): w for w in second["warnings"]}
    assert set(by_case) == {"HR-2", "HR-4", "HR-5", "HR-6", "HR-7", "HR-8", "HR-9"}, second["warnings"]
    assert by_case["HR-2"]["column"] == "核实未兑付本金(万元)"
    assert by_case["HR-2"]["row"] == 7
    assert by_case["HR-2"]["cell"].endswith("7")
    assert by_case["HR-2"]["value"] == "100.00"
    assert "陈案处置进展为 100.01" in by_case["HR-2"]["message"]
    assert by_case["HR-6"]["column"] == "结案日期"
    assert by_case["HR-8"]["row"] is None
    assert "本表未列报" in by_case["HR-8"]["message"]
    assert by_case["HR-9"]["row"] == 13
    assert "没有这一本年陈案" in by_case["HR-9"]["message"]
    assert all("以案件台账为准" in w["message"] for w in second["warnings"])
    text = (data.receipts / f"{ledger}.txt").read_text(encoding="utf-8")
    assert "处理结果：已接收" in text
    assert "提醒（不影响本次入库，请核对）：" in text
    assert "案件 HR-5" in text
    assert "“处置阶段”" in text

    # the annual package reconciles December: nobody reported it
    year_form = case_statistics_forms(engine, year_period(2020))[0][CHECK]
    assert body(year_form) == []
    assert year_form.period_label == "2020年12月"
