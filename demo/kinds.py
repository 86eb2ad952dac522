"""Demo submissions of every kind other than the case ledger, seeded and realistic.

Each owing unit (``chufei.kinds.obligations``) sends its 风险监测台账 (6/20 and 12/10), 举报奖励,
风险提示, 行政处置, 宣传教育 (quarterly; most activity in June, at the communities of the list) and,
for territorial units, 陈案处置进展 (monthly,
consistent with the old cases of ``demo.generate.generate_cases`` but for a few planted disagreements,
``KindFile.planted``). Identifiers carry valid check
characters computed with python-stdnum. A few rows are faulty on purpose, each breaking one
rule; ``KindFile.faulty`` lists them so tests can expect exactly those rejections.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from collections.abc import Callable

from stdnum.cn import ric, uscc

from chufei.core.places import communities
from chufei.core.settings import code_lists
from chufei.kinds.registry import DATASETS
from chufei.kinds.obligations import obligated_units
from chufei.core.periods import Period, half_period, month_period, quarter_period
from chufei.core.units import Unit
from chufei.kinds.templates import write_submission

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅文斌"
_FIRMS = ["鑫源", "华晟", "恒通", "金瑞", "聚福", "康乐", "德润", "盛达", "众诚", "宏泰", "安康", "顺发", "汇金", "瑞丰"]
_FIRM_KINDS = [("投资管理有限公司", "企业", "私募股权投资"), ("养老服务中心", "社会组织", "养老服务"),
               ("农业专业合作社", "农民专业合作社", "农民专业合作社"), ("商贸行", "个体工商户", "商贸零售"),
               ("生物科技有限公司", "企业", "保健品销售"), ("网络科技有限公司", "企业", "虚拟货币")]
_SIGNS = ["承诺高额回报", "以养老为名吸收资金", "发售虚拟货币", "以消费返利吸收资金", "宣传保本保息", "发展下线"]
_WARNINGS = ["警惕以养老为名的非法集资", "远离虚拟货币投资陷阱", "谨防“消费返利”骗局", "高息理财背后是陷阱",
             "守住钱袋子 护好幸福家", "防范以私募为名的非法集资", "认清非法集资“四性”特征"]
_ACTIVITIES = ["防范非法集资宣传月活动", "进社区宣讲", "金融知识进校园", "老年人防骗讲座", "集中宣传日", "进企业宣讲"]
_PLACES = ["市民广场", "社区服务中心", "文化广场", "老年大学", "农贸市场", "职业技术学院"]
_KIND_GB = {"企业": "91", "个体工商户": "92", "农民专业合作社": "93", "社会组织": "52"}


def credit_code(rng: random.Random, region: str, subject_type: str) -> str:
    """A 统一社会信用代码 with a valid GB 32100 check character (computed, not typed)."""
    body = _KIND_GB.get(subject_type, "91") + region + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def id_number(rng: random.Random, region: str) -> str:
    """A 身份证号 with a valid GB 11643 check character (computed, not typed)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 50))
    body = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


def _day_in(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end)."""
    return start + timedelta(days=rng.randint(0, max((end - start).days - 1, 0)))


def _region(unit: Unit) -> str:
    return unit.gb2260 or "420700"  # 鄂州市 for units without a GB/T 2260 code of their own


def _wrong_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@dataclass
class KindFile:
    path: Path
    dataset: str
    unit_code: str
    period_key: str
    rows: list[dict[str, object]]  # as written: column label → cell value
    faulty: dict[int, str] = field(default_factory=dict)  # index into rows → what is wrong
    # (案件编号, 核对项目) of each disagreement with the unit's ledger planted in a 陈案处置进展
    planted: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RiskSubject:
    unit_code: str
    name: str
    credit_code: str | None
    subject_type: str
    industry: str
    source: str
    found: date
    signs: str
    people: int
    amount_fen: int
    level: str
    responsible: str
    resolved: date | None


def risk_subjects(rng: random.Random, unit: Unit, year: int) -> list[RiskSubject]:
    count = rng.randint(6, 14) if unit.kind == "territorial" else rng.randint(1, 4)
    subjects, names = [], set()
    for number in range(count):
        firm, subject_type, industry = rng.choice(_FIRM_KINDS)
        natural = rng.random() < 0.1
        found = _day_in(rng, date(year - 1, 7, 1), date(year, 12, 10))
        resolved = found + timedelta(days=rng.randint(30, 300)) if rng.random() < 0.45 else None
        # 实业 keeps these random subjects from naming a demo case's subject by accident (demo.precursors)
        name = person(rng) if natural else f"鄂州{rng.choice(_FIRMS)}实业{firm}{number + 1}"
        name = name if name not in names else f"{name}{number + 1}"
        names.add(name)
        subjects.append(RiskSubject(
            unit_code=unit.code, name=name,
            credit_code=None if natural else credit_code(rng, _region(unit), subject_type),
            subject_type="自然人" if natural else subject_type, industry=industry,
            source=rng.choice(code_lists()["线索来源"]), found=found, signs=rng.choice(_SIGNS),
            people=rng.randint(5, 300), amount_fen=rng.randint(1, 5000) * 10_000, level=rng.choice(["高", "中", "低"]),
            responsible=person(rng), resolved=resolved))
    return subjects


def planted_ledger_subjects(unit: Unit, cases, year: int, seed: int) -> list[RiskSubject]:
    """The 风险监测台账 entries ``demo.precursors`` plants before some of the unit's cases; a
    generator of their own, so the other rows stay what they were."""
    from demo.precursors import planted_precursors

    rng = random.Random(seed * 14 + 4)
    return [RiskSubject(unit_code=unit.code, name=plant.subject, credit_code=plant.credit_code, subject_type="企业",
                        industry="投资咨询", source="网格排查", found=plant.ledger_found,
                        signs="承诺高额回报", people=rng.randint(50, 500), amount_fen=rng.randint(100, 5000) * 10_000,
                        level="高", responsible=person(rng), resolved=None)
            for plant in planted_precursors(cases or [], year, seed)
            if plant.district == unit.code and plant.ledger_found is not None]


def _risk_ledger_row(subject: RiskSubject, snapshot: date, unit: Unit, messy) -> dict[str, object]:
    resolved = subject.resolved if subject.resolved and subject.resolved <= snapshot else None
    return {"主体名称": subject.name, "统一社会信用代码": subject.credit_code, "主体类型": subject.subject_type,
            "行业领域": subject.industry, "线索来源": subject.source, "发现日期": messy.date(subject.found),
            "风险表现": subject.signs, "涉及人数": subject.people, "涉及金额(万元)": messy.amount(subject.amount_fen),
            "风险等级": subject.level, "监测措施": "定期走访、资金监测", "责任单位": unit.name,
            "责任人": subject.responsible, "整改措施": "停止违规宣传、清退资金",
            "整改时限": subject.found + timedelta(days=90), "处置进展": "已销号" if resolved else "持续监测",
            "是否化解": "是" if resolved else "否", "化解/销号日期": messy.date(resolved) if resolved else None}


class _Messy:
    """The ways people type dates and amounts (shared with the case-ledger demo)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def date(self, day: date) -> object:
        from demo.messy import messy_date as _messy_date

        return _messy_date(self.rng, day)

    def amount(self, fen: int) -> object:
        from demo.messy import messy_amount as _messy_amount

        return _messy_amount(self.rng, fen)


def _quarters(year: int, months: list[int] | None) -> list[Period]:
    return [q for q in (quarter_period(year, n) for n in range(1, 5)) if _selected(q, months)]


# The returns some units never send in the demo year (``unreported``): neither feeds the case
# statistics; the 举报奖励 and 宣传教育 quarterly forms show such a unit as not reported.
UNREPORTED_KINDS = ("report_reward", "publicity")
UNREPORTED_SHARE = 0.1


def _selected(period: Period, months: list[int] | None) -> bool:
    """A quarter or half is written when any of its months is selected (all when none are given)."""
    return months is None or any(m.start.month in months for m in period.months())


def write_other_kinds(inbox: Path, year: int, seed: int, unit_codes: list[str] | None, months: list[int] | None,
                      faults: bool, emit: Callable[..., Path], cases: list, unreported: bool = False) -> list[KindFile]:
    """Write every other kind's submissions for the owing (selected) units; returns what was written.
    With ``unreported`` some units never send a quarter's 举报奖励 or 宣传教育 return (seeded, never
    one with a planted fault): the matrix's 未报."""
    rng = random.Random(seed + 3)
    skipping = random.Random(seed + 6)  # its own stream: the other files stay as they are
    messy = _Messy(rng)
    written: list[KindFile] = []

    def owing(name: str) -> list[Unit]:
        return [u for u in obligated_units(name) if unit_codes is None or u.code in unit_codes]

    def send(dataset_name: str, unit: Unit, period: Period, rows: list[dict], faulty: dict[int, str],
             label: str | None = None, planted: list[tuple[str, str]] | None = None) -> None:
        dataset = DATASETS[dataset_name]
        rows = _unique(dataset_name, rows, faulty)
        path = inbox / f"{unit.name}_{period.key}_{dataset.title}.xlsx"
        write_submission(path, dataset, unit.name, label or period.label, rows, person(rng),
                         f"0711-{rng.randint(3000000, 3999999)}", str(period.end))
        if (unreported and dataset_name in UNREPORTED_KINDS and not faulty and not planted
                and skipping.random() < UNREPORTED_SHARE):
            path.unlink()  # written (the content streams stay the same), then never sent
            return
        emit(path, period, dataset_name)
        written.append(KindFile(path, dataset_name, unit.code, period.key, rows, dict(faulty), list(planted or [])))

    first_faulty = {name: (owing(name) or [None])[0] for name in DATASETS}

    # 风险监测台账: cumulative snapshots on 6月20日 and 12月10日.
    for unit in owing("risk_ledger"):
        subjects = risk_subjects(rng, unit, year) + planted_ledger_subjects(unit, cases, year, seed)
        for half, snapshot in ((1, date(year, 6, 20)), (2, date(year, 12, 10))):
            period = half_period(year, half)
            if not _selected(period, months):
                continue
            rows = [_risk_ledger_row(s, snapshot, unit, messy) for s in subjects if s.found <= snapshot]
            faulty = {}
            if faults and half == 1 and unit == first_faulty["risk_ledger"] and rows:
                bad = dict(rows[0], **{"主体名称": rows[0]["主体名称"] + "（错）", "主体类型": "企业",
                                       "统一社会信用代码": _wrong_check(credit_code(rng, _region(unit), "企业"))})
                faulty[len(rows)] = "统一社会信用代码校验位错误"
                rows.append(bad)
            # people write the snapshot date as the period; the reader maps it to the half
            send("risk_ledger", unit, period, rows, faulty, label=f"{snapshot.year}年{snapshot.month}月{snapshot.day}日")

    # 举报奖励: reports received in the quarter; rewards paid within it.
    sequence = 0
    for unit in owing("report_reward"):
        for quarter in _quarters(year, months):
            rows, faulty = [], {}
            for _ in range(rng.randint(1, 5) if unit.kind == "territorial" else rng.randint(0, 2)):
                sequence += 1
                received = _day_in(rng, quarter.start, quarter.end)
                valid = rng.random() < 0.6
                paid_on = received + timedelta(days=rng.randint(10, 40)) if valid and rng.random() < 0.7 else None
                paid = paid_on is not None and paid_on < quarter.end
                rows.append({"举报编号": f"JB{year}-{unit.code}-{sequence:04d}", "受理日期": messy.date(received),
                             "来源渠道": rng.choice(code_lists()["来源渠道"]), "线索等级": rng.choice(code_lists()["线索等级"]),
                             "是否有效线索": "是" if valid else "否", "举报人": person(rng),
                             "举报人身份证号": id_number(rng, _region(unit)) if rng.random() < 0.8 else None,
                             "是否兑现": "是" if paid else "否", "奖励人数": 1 if paid else None,
                             "奖励金额(元)": rng.choice([500, 1000, 2000, 5000, "3,000", "1万"]) if paid else None,
                             "兑现日期": messy.date(paid_on) if paid else None})
            if faults and quarter.start.month == 4 and unit == first_faulty["report_reward"]:
                faulty[len(rows)] = "举报人身份证号校验位错误"
                rows.append({"举报编号": f"JB{year}-{unit.code}-ERR1", "受理日期": quarter.start, "来源渠道": "110",
                             "线索等级": "三级", "是否有效线索": "否", "举报人": person(rng),
                             "举报人身份证号": _wrong_check(id_number(rng, _region(unit))), "是否兑现": "否"})
            send("report_reward", unit, quarter, rows, faulty)

    # 风险提示, 行政处置, 宣传教育: event lists per quarter.
    for unit in owing("risk_warning"):
        for quarter in _quarters(year, months):
            planted = faults and quarter.start.month == 7 and unit == first_faulty["risk_warning"]
            rows = [{"发布日期": messy.date(_day_in(rng, quarter.start, quarter.end)), "提示标题": rng.choice(_WARNINGS),
                     "发布渠道": rng.choice(code_lists()["提示渠道"]), "覆盖人数": rng.randint(500, 50000),
                     "备注": None} for _ in range(rng.randint(1 if planted else 0, 2))]
            faulty = {}
            if planted:
                faulty[len(rows)] = "发布日期不在报告期内"
                rows.append({"发布日期": quarter.start - timedelta(days=3), "提示标题": "上季度的风险提示误填",
                             "发布渠道": "其他"})
            send("risk_warning", unit, quarter, rows, faulty)
    for unit in owing("admin_action"):
        for quarter in _quarters(year, months):
            rows = []
            planted = faults and quarter.start.month == 1 and unit == first_faulty["admin_action"]
            for _ in range(rng.randint(1 if planted else 0, 4 if unit.kind == "territorial" else 2)):
                firm, subject_type, industry = rng.choice(_FIRM_KINDS)
                action = rng.choice(code_lists()["处置方式"])
                rows.append({"处置日期": messy.date(_day_in(rng, quarter.start, quarter.end)),
                             "处置对象": f"鄂州{rng.choice(_FIRMS)}实业{firm}", "处置方式": action, "行业领域": industry,
                             "统一社会信用代码": credit_code(rng, _region(unit), subject_type),
                             "处置结果": "已整改" if rng.random() < 0.7 else "跟踪督办",
                             "罚没金额(万元)": messy.amount(rng.randint(1, 50) * 10_000) if action == "行政处罚" else None})
            faulty = {}
            if planted:  # beside at least one good row, so the unit's quarter is still on file
                faulty[len(rows)] = "约谈劝导不应有罚没金额"
                rows.append({"处置日期": quarter.start, "处置对象": "鄂州错误示例有限公司", "处置方式": "约谈劝导",
                             "行业领域": "其他", "罚没金额(万元)": 2})
            send("admin_action", unit, quarter, rows, faulty)
    # 宣传教育: most activity in June, the 宣传教育月 (task 十七). Territorial units go to the communities
    # and villages of their list (include/reference/communities.csv, task 二十一), departments with them
    # or on their own; one unit misspells a place once. A rng of its own keeps the other files as they were.
    prng = random.Random(seed + 17)
    pmessy = _Messy(prng)
    for unit in owing("publicity"):
        listed = [c for c in communities() if c.district == unit.code]
        for quarter in _quarters(year, months):
            rows, used = [], set()
            for month in quarter.months():
                june = month.start.month == 6
                if unit.kind == "territorial":
                    count = prng.randint(4, 7) if june else prng.randint(1, 3)
                else:
                    count = prng.randint(1, 2) if june else int(prng.random() < 0.3)
                for _ in range(count):
                    day = _day_in(prng, month.start, month.end)
                    place = (prng.choice(listed) if listed and prng.random() < 0.85 else None) \
                        if unit.kind == "territorial" else (prng.choice(communities()) if prng.random() < 0.4 else None)
                    what = "防范非法集资宣传月活动" if june and prng.random() < 0.6 else prng.choice(_ACTIVITIES[1:])
                    title = f"{place.name if place else unit.name}{what}（{day.month}月{day.day}日）"
                    if (day, title) in used:
                        continue
                    used.add((day, title))
                    form = prng.choice(code_lists()["活动形式"])
                    rows.append({"活动日期": pmessy.date(day), "活动名称": title, "活动形式": form,
                                 "活动地点": f"{place.name}党群服务中心" if place else prng.choice(_PLACES),
                                 "社区/村": place.name if place else None,
                                 "参与人数": prng.randint(30, 400) if place else prng.randint(50, 2000),
                                 "发放资料份数": prng.randint(100, 3000) if form == "发放资料" or prng.random() < 0.5
                                 else None})
            if quarter.start.month == 7 and unit == first_faulty["publicity"] and listed:
                day = quarter.start + timedelta(days=20)  # a place the list spells otherwise: 名录外
                rows.append({"活动日期": day, "活动名称": "进小区宣讲（7月21日）", "活动形式": "宣讲",
                             "社区/村": f"{listed[0].name.removesuffix('社区').removesuffix('村')}小区", "参与人数": 60})
            faulty = {}
            if faults and quarter.start.month == 10 and unit == first_faulty["publicity"]:
                faulty[len(rows)] = "发放资料未填份数"
                rows.append({"活动日期": quarter.start, "活动名称": "集中发放宣传资料", "活动形式": "发放资料",
                             "参与人数": 80})
            send("publicity", unit, quarter, rows, faulty)

    # 陈案处置进展: territorial units' cases filed before the year and still open on 1 January, as
    # their ledgers state them, but for a few planted disagreements (a rng of their own, so the
    # other files stay as they were): in the middle and the last month, one unit each.
    chosen = list(months or range(1, 13))
    plants: dict[int, tuple[str, ...]] = {chosen[len(chosen) // 2]: ("unpaid", "stage", "missing")}
    plants[chosen[-1]] = plants.get(chosen[-1], ()) + ("repaid", "resolved", "extra")
    plant_rng = random.Random(f"{seed}-old-case-disagreements")
    planted_unit = {month: plant_rng.choice(owing("old_case_progress"))
                    for month in sorted(plants)} if faults and owing("old_case_progress") else {}
    for unit in owing("old_case_progress"):
        stock = [c for c in cases if c.unit_code == unit.code and c.filed < date(year, 1, 1)
                 and (c.closed is None or c.closed >= date(year, 1, 1))]
        for month in (months or range(1, 13)):
            period = month_period(year, month)
            last_day = period.end - timedelta(days=1)
            # the whole stock of 1 January, every month: resolved cases stay, with their 化解日期
            rows = [_old_case_row(case, last_day, year, messy) for case in stock]
            planted = (_plant_disagreements(plant_rng, rows, stock, last_day, unit, plants[month])
                       if planted_unit.get(month) == unit else [])
            faulty = {}
            if faults and month == 5 and unit == first_faulty["old_case_progress"]:
                faulty[len(rows)] = "本年立案的案件不是陈案"
                rows.append({"案件编号": f"{unit.code}-{year}-NEW", "案件名称": "本年新立案件误填", "立案日期": date(year, 2, 1),
                             "核实未兑付本金(万元)": 10, "累计清退金额(万元)": 0, "处置阶段": "侦查", "是否化解": "否"})
            send("old_case_progress", unit, period, rows, faulty, planted=planted)
    return written


_OPEN_STAGES = ("侦查", "起诉", "审判", "执行", "清退")


def _plant_disagreements(rng: random.Random, rows: list[dict], stock: list, last_day: date, unit: Unit,
                         kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Make ``rows`` (one per case of ``stock``, in order) disagree with the ledger once per kind,
    each on a case of its own; returns (案件编号, 核对项目) of each disagreement planted."""
    open_cases = [i for i, case in enumerate(stock) if not (case.closed and case.closed <= last_day)]
    taken: set[int] = set()
    planted: list[tuple[str, str]] = []
    missing: int | None = None

    def pick(candidates: list[int]) -> int | None:
        free = [i for i in candidates if i not in taken]
        if not free:
            return None
        taken.add(index := rng.choice(free))
        return index

    def wan(fen: int) -> str:
        return f"{fen / 1_000_000:.2f}"  # whole 元 hundreds: exact to the 分

    for kind in kinds:
        if kind == "extra":
            case_no = f"{unit.code}-{last_day.year - 3}-9{len(planted):02d}"
            rows.append({"案件编号": case_no, "案件名称": f"{unit.name}台账未列的陈案", "立案日期": date(last_day.year - 3, 6, 1),
                         "核实未兑付本金(万元)": wan(rng.randint(10, 500) * 1_000_000), "累计清退金额(万元)": 0,
                         "处置阶段": "执行", "是否化解": "否", "进展情况": "正在推进资产处置和清退"})
            planted.append((case_no, "是否列报"))
            continue
        index = pick(open_cases if kind in ("stage", "resolved") else list(range(len(stock))))
        if index is None:
            continue
        case, row, delta = stock[index], rows[index], rng.randint(1, 20) * 1_000_000
        if kind == "unpaid":
            row["核实未兑付本金(万元)"] = wan(case.unpaid_fen + delta)
            item = "核实未兑付本金(万元)"
        elif kind == "repaid":
            repaid = case.repaid_on(last_day)
            row["累计清退金额(万元)"] = wan(repaid - delta if repaid >= delta else repaid + delta)
            item = "已清退金额(万元)"
        elif kind == "stage":
            row["处置阶段"] = rng.choice([s for s in _OPEN_STAGES if s != case.stage_on(last_day)])
            item = "处置阶段"
        elif kind == "resolved":
            row.update({"是否化解": "是", "化解日期": last_day, "进展情况": "已化解"})
            item = "是否化解/结案日期"
        else:  # missing: the ledger lists it, the progress report leaves it out
            missing, item = index, "是否列报"
        planted.append((case.case_no, item))
    if missing is not None:
        del rows[missing]
    return sorted(planted)


def _unique(dataset_name: str, rows: list[dict], faulty: dict[int, str]) -> list[dict]:
    """Drop random draws that repeat a key (two identical events on one day); faulty rows stay last."""
    labels = [DATASETS[dataset_name].column(name).label for name in DATASETS[dataset_name].key]
    seen, kept = set(), []
    good = [row for index, row in enumerate(rows) if index not in faulty]
    for row in good:
        key = tuple(str(row.get(label)) for label in labels)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    bad = [rows[index] for index in sorted(faulty)]
    reasons = [faulty[index] for index in sorted(faulty)]
    faulty.clear()
    faulty.update({len(kept) + offset: reason for offset, reason in enumerate(reasons)})
    return kept + bad


def _old_case_row(case, last_day: date, year: int, messy: _Messy) -> dict[str, object]:
    """Progress as of ``last_day``, as the unit's ledger of the month states the case."""
    resolved = case.closed is not None and case.closed <= last_day
    repaid = case.repaid_on(last_day)  # as the unit's ledger of the month states it
    return {"案件编号": case.case_no, "案件名称": case.name, "立案日期": messy.date(case.filed),
            "核实未兑付本金(万元)": messy.amount(case.unpaid_fen), "累计清退金额(万元)": messy.amount(repaid),
            "累计清退人数": case.participants * repaid // max(case.unpaid_fen, 1) if repaid else 0,
            "处置阶段": case.stage_on(last_day), "是否化解": "是" if resolved else "否",
            "化解日期": messy.date(case.closed) if resolved else None,
            "进展情况": "已全部清退" if resolved else "正在推进资产处置和清退"}
