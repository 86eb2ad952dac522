"""A deterministic demo year: every unit's case ledgers, with a few deliberate faults.

``generate_cases`` is the ground truth (seeded); ``write_demo_inbox`` renders it as the
workbooks units would send, in the messy ways people type (full-width digits, 万 suffixes,
Chinese dates, Excel serials), plus faulty rows and files. Tests compute expected figures from
the truth directly, independently of the pipeline.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from chufei.core.settings import DataDir, code_lists
from chufei.kinds.case_ledger import CASE_LEDGER
from chufei.core.periods import Period, local_midnight, month_period
from chufei.core.units import Unit, units
from chufei.kinds.templates import write_submission
from demo.messy import messy_amount as _messy_amount, messy_date as _messy_date

_STAGES_OPEN = ["侦查", "起诉", "审判", "执行", "清退"]
_COMPANIES = ["鑫源", "华晟", "恒通", "金瑞", "聚福", "康乐", "德润", "盛达", "众诚", "宏泰", "安康", "顺发"]
_KINDS = ["投资管理有限公司", "农业专业合作社", "养老服务中心", "商贸有限公司", "生物科技有限公司"]
_CHARGES = ["非法吸收公众存款案", "集资诈骗案"]


@dataclass(frozen=True)
class DemoCase:
    unit_code: str
    case_no: str
    name: str
    filed: date
    handling_unit: str
    industry: str
    amount_fen: int
    participants: int
    cross_region: bool
    closed: date | None
    unpaid_fen: int
    repaid_fen_when_closed: int

    def stage_on(self, day: date) -> str:
        if self.closed and self.closed <= day:
            return "结案"
        months = (day.year - self.filed.year) * 12 + day.month - self.filed.month
        return _STAGES_OPEN[min(max(months, 0) // 4, len(_STAGES_OPEN) - 1)]

    def repaid_on(self, day: date) -> int:
        """已清退金额 as of ``day``: the whole payout once the case reaches 清退, nothing before."""
        return self.repaid_fen_when_closed if self.stage_on(day) in ("清退", "结案") else 0

    def listed_in(self, period: Period) -> bool:
        """Ledgers are cumulative for the year: every case filed so far that is open or closed this year."""
        last_day = period.end - timedelta(days=1)
        return self.filed <= last_day and (self.closed is None or self.closed >= period.year_start)


def _unit_case_count(rng: random.Random, unit: Unit, year: int) -> int:
    if unit.kind == "territorial":
        return rng.randint(10, 24)
    return rng.choice([0, 0, 0, 1, 2, 3])


def generate_cases(year: int = 2020, seed: int = 2020, unit_codes: list[str] | None = None) -> list[DemoCase]:
    """All cases the demo units hold in ``year`` and the year before, plus older stock (陈案)."""
    rng = random.Random(seed)
    industries = code_lists()["行业领域"]
    selected = [u for u in units() if unit_codes is None or u.code in unit_codes]
    cases: list[DemoCase] = []
    for unit in selected:
        sequence = 0
        spans = [(year - 5, year - 2, 3 if unit.kind == "territorial" else rng.choice([0, 1])),
                 (year - 1, year - 1, _unit_case_count(rng, unit, year - 1)),
                 (year, year, _unit_case_count(rng, unit, year))]
        for first_year, last_year, count in spans:
            for _ in range(count):
                sequence += 1
                filed_year = rng.randint(first_year, last_year)
                filed = date(filed_year, 1, 1) + timedelta(days=rng.randint(0, 364))
                big = rng.random() < 0.06
                amount_wan = round(rng.uniform(10000, 30000) if big else rng.lognormvariate(6, 1.2), 2)
                amount_fen = int(round(amount_wan * 100)) * 10000
                participants = rng.randint(1000, 5000) if rng.random() < 0.08 else int(rng.lognormvariate(4, 1))
                closed = None
                if rng.random() < (0.55 if filed_year < year else 0.25):
                    closed = filed + timedelta(days=rng.randint(60, 900))
                    if closed >= date(year + 1, 1, 1):
                        closed = None
                unpaid = amount_fen * rng.randint(40, 90) // 100 // 10000 * 10000
                cases.append(DemoCase(
                    unit_code=unit.code, case_no=f"{unit.code}-{filed_year}-{sequence:03d}",
                    name=f"{unit.name}{rng.choice(_COMPANIES)}{rng.choice(_KINDS)}{rng.choice(_CHARGES)}",
                    filed=filed, handling_unit=f"{unit.name}{'公安分局' if unit.kind == 'territorial' else ''}",
                    industry=rng.choice(industries), amount_fen=amount_fen, participants=max(participants, 3),
                    cross_region=rng.random() < 0.15, closed=closed, unpaid_fen=unpaid,
                    repaid_fen_when_closed=unpaid * rng.randint(30, 100) // 100 // 10000 * 10000))
    return cases


def ledger_row(case: DemoCase, period: Period, rng: random.Random) -> dict[str, object]:
    last_day = period.end - timedelta(days=1)
    stage = case.stage_on(last_day)
    closed = case.closed if stage == "结案" else None
    repaid = case.repaid_on(last_day)
    return {
        "案件编号": case.case_no, "案件名称": case.name, "立案日期": _messy_date(rng, case.filed),
        "承办单位": case.handling_unit, "行业领域": case.industry,
        "涉案金额(万元)": _messy_amount(rng, case.amount_fen), "集资参与人数": case.participants,
        "是否跨区域": "是" if case.cross_region else "否", "处置阶段": stage,
        "已追缴资产(万元)": _messy_amount(rng, repaid // 2) if repaid else None,
        "核实未兑付本金(万元)": _messy_amount(rng, case.unpaid_fen),
        "已清退金额(万元)": _messy_amount(rng, repaid) if repaid else None,
        "已清退人数": case.participants * repaid // max(case.unpaid_fen, 1) if repaid else None,
        "是否陈案": "是" if case.filed < period.year_start else "否",
        "结案日期": _messy_date(rng, closed) if closed else None,
    }


@dataclass
class DemoInbox:
    cases: list[DemoCase]
    files: list[Path] = field(default_factory=list)
    faulty_files: dict[str, str] = field(default_factory=dict)  # file name → what is wrong
    faulty_rows: int = 0
    other_kinds: list = field(default_factory=list)  # demo.kinds.KindFile, every kind but the case ledger
    task_reports: list = field(default_factory=list)  # demo.kinds.KindFile, the 工作任务完成情况 reports


def _faulty_rows(period: Period, unit_code: str) -> list[dict[str, object]]:
    """Rows a careless unit types: each breaks one rule and must be rejected, never loaded."""
    base = {"案件名称": "错误示例案", "承办单位": "测试", "行业领域": "其他", "涉案金额(万元)": 10,
            "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否",
            "立案日期": period.start}
    return [
        {**base, "案件编号": f"{unit_code}-BAD-1", "立案日期": f"{period.year}年13月45日"},
        {**base, "案件编号": f"{unit_code}-BAD-2", "涉案金额(万元)": "约一百万"},
        {**base, "案件编号": f"{unit_code}-BAD-3", "处置阶段": "结案", "结案日期": period.start - timedelta(days=40)},
        {**base, "案件编号": f"{unit_code}-BAD-4", "是否陈案": "是"},
        {**base, "案件编号": f"{unit_code}-BAD-5", "行业领域": "火星采矿"},
    ]


# A unit's file arrives on a working day between 8:30 and 18:00 Beijing time; most before the
# due day ends, some after it (a few days to two weeks late).
LATE_SHARE = 0.12
WORKDAY = (8 * 3600 + 1800, 18 * 3600)


def arrival_time(rng: random.Random, dataset_name: str, period: Period) -> datetime:
    """When a unit's file for ``period`` of ``dataset_name`` lands in the inbox: after the period is
    over (the risk ledger: on its snapshot day, the due day itself), on time or, now and then, late
    — by the work plan's due day (``chufei.kinds.obligations``)."""
    from chufei.kinds.obligations import obligations_of
    from chufei.validate.validation import SENT_BEFORE_PERIOD_END

    due = next(o for o in obligations_of(dataset_name) if o.period_kind == period.kind).due_date(period)
    first_day = due if dataset_name in SENT_BEFORE_PERIOD_END else period.end
    if rng.random() < LATE_SHARE:
        day = due + timedelta(days=rng.randint(1, 14))
    else:
        day = first_day + timedelta(days=rng.randint(0, max(0, (due - first_day).days)))
    return local_midnight(day) + timedelta(seconds=rng.randint(*WORKDAY))


def write_demo_inbox(data: DataDir, year: int = 2020, seed: int = 2020, unit_codes: list[str] | None = None,
                     months: list[int] | None = None, faults: bool = True, other_kinds: bool = False,
                     unreported: bool = False) -> DemoInbox:
    """Write every selected unit's case ledgers (December of the previous year, then each month),
    and with ``other_kinds`` every other kind the units owe (demo.kinds) and their work-task completion
    reports (demo.task_reports); ``make demo`` does. Each file gets its arrival as its modification
    time (``arrival_time``: on time or late, seeded); with ``unreported`` a few quarterly returns
    are never sent, so the completeness matrix shows 按时, 逾期 and 未报 as a real year does."""
    rng = random.Random(seed + 1)
    arrivals = random.Random(seed + 5)  # its own stream: the files' content does not depend on it
    inbox = data.ensure().inbox("submissions")
    cases = generate_cases(year, seed, unit_codes)
    demo = DemoInbox(cases=cases)
    selected = [u for u in units() if unit_codes is None or u.code in unit_codes]
    periods = [month_period(year - 1, 12)] + [month_period(year, m) for m in (months or range(1, 13))]
    latest = datetime(year, 1, 1).timestamp()

    def emit(path: Path, period=None, dataset_name: str | None = None, after: Path | None = None) -> Path:
        """Give ``path`` its arrival: a return of ``dataset_name`` for ``period`` by its due day (or
        late); a report of a ``period`` without a deadline a few days after it; a resubmission
        ``after`` an earlier file a few hours to two days after it; anything else (files refused
        before a period is read) after everything sent so far."""
        nonlocal latest
        if after is not None:
            moment = after.stat().st_mtime + arrivals.randint(2 * 3600, 2 * 86400)
        elif period is not None and dataset_name is not None:
            moment = arrival_time(arrivals, dataset_name, period).timestamp()
        elif period is not None:  # a report no deadline governs: within a few days of the period's end
            moment = (local_midnight(period.end) + timedelta(days=arrivals.randint(0, 4),
                                                             seconds=arrivals.randint(*WORKDAY))).timestamp()
        else:
            moment = latest + 60
        latest = max(latest, moment)
        os.utime(path, (moment, moment))  # the file's arrival: what deadlines and corrections are judged by
        demo.files.append(path)
        return path

    for period in periods:
        for unit in selected:
            rows = [ledger_row(c, period, rng) for c in cases if c.unit_code == unit.code and c.listed_in(period)]
            faulty = faults and period.year == year and period.start.month == 3 and unit.kind == "territorial"
            if faulty:
                bad = _faulty_rows(period, unit.code)
                rows += bad
                demo.faulty_rows += len(bad)
            name = f"{unit.name}_{period.key}_案件台账.xlsx"
            first = None
            if faults and period.year == year and period.start.month == 2 and unit == selected[0] and rows:
                # First a version with a wrong amount, then the unit's corrected resubmission.
                wrong = [dict(rows[0], **{"涉案金额(万元)": 999999})] + rows[1:]
                first = emit(write_submission(inbox / f"{unit.name}_{period.key}_案件台账(初报).xlsx", CASE_LEDGER,
                                              unit.name, period.label, wrong, "张三", "13812345678", str(period.end)),
                             period, CASE_LEDGER.name)
            emit(write_submission(inbox / name, CASE_LEDGER, unit.name, period.label, rows,
                                  "张三", "13812345678", str(period.end)), period, CASE_LEDGER.name, after=first)
    if faults:
        _write_faulty_files(inbox, year, selected[0], demo, emit)
    if other_kinds:
        from demo.kinds import write_other_kinds

        demo.other_kinds = write_other_kinds(inbox, year, seed, unit_codes, months, faults, emit, cases, unreported)
        from demo.task_reports import write_task_reports

        demo.task_reports = write_task_reports(inbox, year, seed, unit_codes, months, faults, emit)
    return demo


def _write_faulty_files(inbox: Path, year: int, unit: Unit, demo: DemoInbox, emit) -> None:
    period = month_period(year, 4)
    cases = [ledger_row(c, period, random.Random(0)) for c in demo.cases if c.unit_code == unit.code
             and c.listed_in(period)][:2]
    faulty = {
        "某某局_案件台账.xlsx": ("填报单位不在单位名录中", dict(unit_name="鄂州市某某局")),
        "季度报表填错报告期.xlsx": ("报告期是季度而非月份", dict(period_label=f"{year}年第二季度")),
    }
    for name, (reason, overrides) in faulty.items():
        arguments = dict(unit_name=unit.name, period_label=period.label, rows=cases) | overrides
        emit(write_submission(inbox / name, CASE_LEDGER, **arguments))
        demo.faulty_files[name] = reason
    not_excel = inbox / "案件台账_请查收.xlsx"
    not_excel.write_text("这不是一个 Excel 文件\n", encoding="utf-8")
    emit(not_excel)
    demo.faulty_files[not_excel.name] = "不是 xlsx 文件"
    empty = inbox / "空文件.xlsx"
    empty.write_bytes(b"")
    emit(empty)
    demo.faulty_files[empty.name] = "空文件"
    original = demo.files[-5]
    duplicate = inbox / f"重复报送_{original.name}"
    duplicate.write_bytes(original.read_bytes())
    emit(duplicate, after=original)
    demo.faulty_files[duplicate.name] = "与已报送文件完全相同"
