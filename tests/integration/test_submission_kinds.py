"""Every submission kind end to end through ``ingest_submissions``, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text
from stdnum.cn import ric, uscc

from chufei.kinds.registry import DATASETS
from chufei.ingest.submissions import ingest_submissions
from chufei.core.pseudonym import KEY_ENV, PREFIX, key_path
from chufei.kinds.templates import write_submission
from chufei.warehouse.schema import rejected_row, row_table, submission


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def _ric(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


CODE_A, CODE_B = _uscc("91420700MA4F0XK21"), _uscc("92420704MA4F1YC3X")
_RIGHT = _uscc("52420700MA4F2YD4L")
WRONG_USCC = _RIGHT[:-1] + ("0" if _RIGHT[-1] != "0" else "1")
REPORTER_ID = _ric("42070419850312001")
REPORTER_NAME = "欧阳明远"

# kind → (unit, period label, rows, expected accepted count, {row number: rejected column label})
CASES = {
    "risk_ledger": ("人行", "2020年6月20日", [
        {"主体名称": "鑫源投资管理有限公司", "统一社会信用代码": CODE_A, "主体类型": "企业", "行业领域": "私募股权投资",
         "线索来源": "网格排查", "发现日期": "2020-03-02", "风险表现": "承诺高额回报", "涉及人数": 40,
         "涉及金额(万元)": "120万", "风险等级": "高", "责任单位": "人行", "责任人": "李建国", "是否化解": "否"},
        {"主体名称": "康乐养老服务中心", "统一社会信用代码": WRONG_USCC,
         "主体类型": "社会组织", "行业领域": "养老服务", "线索来源": "群众举报", "发现日期": "2020-04-02",
         "风险表现": "预售床位", "风险等级": "中", "责任单位": "人行", "责任人": "李建国", "是否化解": "是"},
    ], 1, {7: {"统一社会信用代码", "化解/销号日期"}}),
    "report_reward": ("鄂城区", "2020年第二季度", [
        {"举报编号": "JB-2020-001", "受理日期": "2020-04-03", "来源渠道": "12345", "线索等级": "一级",
         "是否有效线索": "是", "举报人": REPORTER_NAME, "举报人身份证号": REPORTER_ID, "是否兑现": "是",
         "奖励人数": 1, "奖励金额(元)": "5,000", "兑现日期": "2020-06-01"},
        {"举报编号": "JB-2020-002", "受理日期": "2020-05-03", "来源渠道": "平台", "线索等级": "二级",
         "是否有效线索": "否", "举报人": REPORTER_NAME, "举报人身份证号": REPORTER_ID[:-1] + ("0" if REPORTER_ID[-1] != "0" else "1"),
         "是否兑现": "否"},
    ], 1, {7: {"举报人身份证号"}}),
    "old_case_progress": ("华容区", "2020年5月", [
        {"案件编号": "420703-2016-001", "案件名称": "华晟非法吸收公众存款案", "立案日期": "2016-08-01",
         "核实未兑付本金(万元)": 800, "累计清退金额(万元)": 200, "累计清退人数": 90, "处置阶段": "清退",
         "是否化解": "否"},
        {"案件编号": "420703-2020-002", "案件名称": "本年案件", "立案日期": "2020-02-01",
         "核实未兑付本金(万元)": 100, "累计清退金额(万元)": 150, "处置阶段": "侦查", "是否化解": "否"},
    ], 1, {7: {"立案日期", "累计清退金额(万元)"}}),
    "risk_warning": ("梁子湖区", "2020Q3", [
        {"发布日期": "2020-07-15", "提示标题": "警惕以养老为名的非法集资", "发布渠道": "微信公众号", "覆盖人数": 12000},
        {"发布日期": "2020-10-01", "提示标题": "远离虚拟货币投资陷阱", "发布渠道": "官方网站"},
    ], 1, {7: {"发布日期"}}),
    "admin_action": ("市场监管局", "2020年第一季度", [
        {"处置日期": "2020-02-10", "处置对象": "恒通商贸有限公司", "统一社会信用代码": CODE_B, "处置方式": "行政处罚",
         "行业领域": "商贸零售", "罚没金额(万元)": "3.5"},
        {"处置日期": "2020-03-10", "处置对象": "聚福投资咨询有限公司", "处置方式": "约谈劝导", "行业领域": "投资咨询",
         "罚没金额(万元)": 1},
    ], 1, {7: {"罚没金额(万元)"}}),
    "publicity": ("宣传部", "2020年第二季度", [
        {"活动日期": "2020-06-15", "活动名称": "防范非法集资宣传月启动仪式", "活动形式": "宣讲", "参与人数": 300,
         "发放资料份数": 1000},
        {"活动日期": "2020-06-16", "活动名称": "进社区发放资料", "活动形式": "发放资料", "参与人数": 50},
    ], 1, {7: {"发放资料份数"}}),
    "warning_feedback": ("鄂城区", "2020年7月", [
        {"预警编号": "yj-zt0123456789-1", "核查结论": "属实", "核查日期": "2020-07-20", "核查说明": "已移交公安"},
        {"预警编号": "ZT0123456789", "核查结论": "不属实", "核查日期": "2020-07-21"},
    ], 1, {7: {"预警编号"}}),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_loads_valid_rows_and_quarantines_faulty_ones(kind, engine, data):
    unit, period, rows, accepted, rejected = CASES[kind]
    dataset = DATASETS[kind]
    write_submission(data.inbox("submissions") / f"{kind}.xlsx", dataset, unit, period, rows, "王丽", "13900001111")
    summary = ingest_submissions(engine, data)
    assert (summary.files, summary.partially_accepted, summary.rows_accepted, summary.rows_rejected) == \
        (1, 1, accepted, len(rows) - accepted)
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["dataset"] == kind
    assert receipt["unit"]["name"] == unit
    by_row: dict[int, set[str]] = {}
    for error in receipt["errors"]:
        by_row.setdefault(error["row"], set()).add(error["column"])
        assert error["cell"]
        assert error["sheet"] == dataset.title
    assert by_row == rejected
    with engine.connect() as connection:
        stored = connection.execute(select(row_table(dataset))).mappings().all()
        assert [r["row_no"] for r in stored] == [6]
        current = connection.execute(select(submission.c.dataset, submission.c.is_current)).all()
        assert current == [(kind, True)]
        assert connection.execute(select(rejected_row.c.row_no)).scalars().all() == [7]


def test_values_are_typed_and_identifiers_canonical(engine, data):
    unit, period, rows, _, _ = CASES["admin_action"]
    rows = [dict(rows[0], **{"统一社会信用代码": " " + CODE_B.lower() + " "})]
    write_submission(data.inbox("submissions") / "a.xlsx", DATASETS["admin_action"], unit, period, rows)
    assert ingest_submissions(engine, data).accepted == 1
    with engine.connect() as connection:
        row = connection.execute(select(row_table(DATASETS["admin_action"]))).mappings().one()
    assert (row["credit_code"], row["penalty_fen"], row["action_date"]) == (CODE_B, 3_500_000, date(2020, 2, 10))  # 3.5 万元 = 35,000 元


def _everything_written(engine, data) -> str:
    """Every table of the warehouse dumped as text, plus every file the data directory holds
    outside the byte-for-byte archive (receipts, work, outbox)."""
    parts = []
    with engine.connect() as connection:
        from chufei.warehouse.schema import metadata
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).all():
                parts.append(repr(tuple(row)))
    for path in data.root.rglob("*"):
        if path.is_file() and data.archive not in path.parents and path.suffix in {".json", ".txt", ".csv", ".log"}:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def test_reporter_identity_never_stored_or_shown_in_clear(engine, data, monkeypatch, caplog):
    monkeypatch.delenv(KEY_ENV, raising=False)
    unit, period, rows, _, _ = CASES["report_reward"]
    write_submission(data.inbox("submissions") / "r.xlsx", DATASETS["report_reward"], unit, period, rows)
    with caplog.at_level("DEBUG"):
        ingest_submissions(engine, data)
    dumped = _everything_written(engine, data) + caplog.text
    for secret in (REPORTER_NAME, REPORTER_ID, REPORTER_ID[:-1], REPORTER_ID[6:14]):
        assert secret not in dumped
    with engine.connect() as connection:
        stored = connection.execute(select(row_table(DATASETS["report_reward"]))).mappings().one()
        raw = json.loads(connection.execute(select(rejected_row.c.raw_json)).scalar_one())
    assert stored["reporter_name"].startswith(PREFIX)
    assert len(stored["reporter_name"]) == len(PREFIX) + 64
    assert stored["reporter_id_no"].startswith(PREFIX)
    # the same person gives the same pseudonym (repeat reporters can be counted), in rejected rows too
    assert raw["reporter_name"] == stored["reporter_name"]
    assert raw["reporter_id_no"].startswith(PREFIX)
    assert raw["reporter_id_no"] != stored["reporter_id_no"]
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert [e["value"] for e in receipt["errors"] if e["column"] == "举报人身份证号"] == ["（已隐去）"]
    # the key was created once in the data directory, readable by its owner only
    assert key_path(data).stat().st_mode & 0o077 == 0


def test_the_pseudonym_depends_on_the_key(engine, data, monkeypatch):
    unit, period, rows, _, _ = CASES["report_reward"]
    names = []
    for key in ("first-key", "second-key"):
        monkeypatch.setenv(KEY_ENV, key)
        write_submission(data.inbox("submissions") / f"{key}.xlsx", DATASETS["report_reward"], unit, period,
                         rows[:1], filled_by=key)
        ingest_submissions(engine, data)
        with engine.connect() as connection:
            names.append(connection.execute(text(
                "SELECT r.reporter_name FROM report_reward_row r JOIN submission s ON s.id = r.submission_id "
                "WHERE s.is_current")).scalar_one())
    assert names[0] != names[1]
    assert not key_path(data).exists()


def test_formula_like_cells_are_stored_and_reported_as_text(engine, data):
    rows = [{"发布日期": "2020-07-0" + str(i + 1), "提示标题": t, "发布渠道": "其他", "备注": t}
            for i, t in enumerate(["=HYPERLINK(\"http://x\",\"点我\")", "+8613800000000", "-警惕集资", "@SUM(A1:A2)"])]
    rows.append({"发布日期": "2020-01-01", "提示标题": "=1+1 过期提示", "发布渠道": "其他"})
    write_submission(data.inbox("submissions") / "f.xlsx", DATASETS["risk_warning"], "鄂城区", "2020Q3", rows)
    ingest_submissions(engine, data)
    with engine.connect() as connection:
        titles = connection.execute(select(row_table(DATASETS["risk_warning"]).c.title)
                                    .order_by(text("row_no"))).scalars().all()
        raw = json.loads(connection.execute(select(rejected_row.c.raw_json)).scalar_one())
    assert titles == [r["提示标题"] for r in rows[:4]]
    assert raw["title"] == "=1+1 过期提示"
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["errors"][0]["value"] == "2020-01-01"
