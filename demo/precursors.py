"""Precursors of the demo's cases, so that the early-warning backtest has something to find, and
decoys, so that finding it is not trivial. Deterministic: everything follows from the seed.

- **Planted share.** Of the territorial units' cases filed in the demo year from 15 February on
  (earlier ones would need clues from before the demo's first grid export), ``PLANTED_SHARE``
  (60 %) get precursors naming their subject, the case name without its charge
  (``鄂城区鑫源投资管理有限公司`` for ``鄂城区鑫源投资管理有限公司非法吸收公众存款案``):
  - 3–7 grid clues over the 20–150 days before 立案日期, more of them near the end, from two or
    three grids of the case's district, with strong risk signs (承诺高额回报, 承诺保本付息, 发展下线,
    无资质吸收资金); the name is written the way people write it (有限责任公司 for 有限公司, a stray
    full-width space), with the subject's valid 统一社会信用代码 on half of the clues;
  - for ``LEDGER_SHARE`` of them a 风险监测台账 entry (风险等级 高) found within a week of the
    second clue (a ledger records a risk the clues made known), before filing, in the snapshots of
    6月20日 or 12月10日 that follow it;
  - when an advert campaign month (May–September) falls in the lead, one advert-screening hit
    (是否持牌 否) naming the subject, in the case's district's workbook.
- **Unplanted cases** (the other 40 %, and every case before 15 February) have nothing before
  filing: the backtest's recall cannot reach 100 %.
- **Decoys.** ``DECOYS_PER_DISTRICT`` (60) subjects per territorial district, named like case
  subjects but never a case, each reported from one grid, enough for the naive "three clues"
  baseline. Half have 4–9 clues spread over the year with mild signs (异常广告宣传, 线下推介会),
  judged 排除; a quarter (``HARD_DECOY_SHARE``) the same with one strong sign, judged 疑似, so that a
  sign alone does not tell a case; a quarter (``BURST_DECOY_SHARE``) are bursts: 8–16 clues within
  two to six weeks with mild signs, judged 排除 — one worker reporting the same shop again and
  again, which a raw count or an unbounded index takes for a rising risk.
- **Noise.** The few thousand random grid clues of ``demo.inflows.grid_rows`` (150 firms, about
  twenty clues each, all over the city), the random 风险监测台账 subjects and 行政处置 objects of
  ``demo.kinds``. Their names (two trade words, or 实业 in them) never name a case's subject, so
  that the planted share is the whole of what foretells a case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PLANTED_SHARE = 0.6
LEDGER_SHARE = 0.5
DECOYS_PER_DISTRICT = 60
HARD_DECOY_SHARE = 0.25
BURST_DECOY_SHARE = 0.25
PLANTED_FROM = (2, 15)  # (month, day) of the demo year
CHARGES = ("非法吸收公众存款案", "集资诈骗案")
_STRONG_SIGNS = ["承诺高额回报", "承诺保本付息", "发展下线", "无资质吸收资金"]
_MILD_SIGNS = ["异常广告宣传", "线下推介会"]
_TRADE = ["鑫源", "华晟", "恒通", "金瑞", "聚福", "康乐", "德润", "盛达", "众诚", "宏泰", "安康", "顺发", "富民", "汇银"]
_KINDS = ["投资管理有限公司", "商贸有限公司", "生物科技有限公司", "财富咨询有限公司", "养老服务中心"]


def case_subject(case_name: str) -> str:
    """The subject a demo case names: its name without the charge."""
    for charge in CHARGES:
        if case_name.endswith(charge):
            return case_name[: -len(charge)]
    return case_name


@dataclass(frozen=True)
class Planted:
    case_no: str
    district: str
    subject: str
    credit_code: str
    filed: date
    clue_days: tuple[date, ...]
    ledger_found: date | None
    advert_day: date | None


@dataclass(frozen=True)
class Decoy:
    district: str
    subject: str
    clue_days: tuple[date, ...]
    hard: bool  # one strong sign, judged 疑似


def _variant(rng: random.Random, name: str) -> str:
    """The subject's name as a grid worker types it."""
    draw = rng.random()
    if draw < 0.25 and name.endswith("有限公司"):
        return name[: -len("有限公司")] + "有限责任公司"
    if draw < 0.4:
        cut = rng.randint(2, max(2, len(name) - 4))
        return name[:cut] + "\u3000" + name[cut:]
    return name


def planted_precursors(cases, year: int, seed: int) -> list[Planted]:
    """The cases that get precursors, and when (``cases``: ``demo.generate.generate_cases``)."""
    from chufei.core.units import unit_by_code
    from demo.vocabulary import uscc_for

    rng = random.Random(seed * 14 + 1)
    first = date(year, *PLANTED_FROM)
    planted = []
    for case in sorted(cases, key=lambda c: c.case_no):
        if unit_by_code(case.unit_code).kind != "territorial" or not (first <= case.filed < date(year + 1, 1, 1)):
            continue
        if rng.random() >= PLANTED_SHARE:
            continue
        lead = rng.randint(20, 150)
        earliest = max(case.filed - timedelta(days=lead), date(year, 1, 1))
        span = (case.filed - earliest).days
        days = sorted(case.filed - timedelta(days=max(1, int(span * (1 - rng.random() ** 0.5))))
                      for _ in range(rng.randint(3, 7)))
        found = None
        if rng.random() < LEDGER_SHARE:  # recorded once the clues have made the risk known
            found = days[min(len(days) - 1, 1)] + timedelta(days=rng.randint(0, 7))
            found = min(found, case.filed - timedelta(days=1))
        campaign = [d for d in (earliest + timedelta(days=k) for k in range(span))
                    if 5 <= d.month <= 9 and d.day <= 28]
        advert = rng.choice(campaign) if campaign else None
        planted.append(Planted(case.case_no, case.unit_code, case_subject(case.name), uscc_for(rng), case.filed,
                               tuple(days), found, advert))
    return planted


def decoys(cases, year: int, seed: int) -> list[Decoy]:
    from chufei.core.units import units

    rng = random.Random(seed * 14 + 2)
    taken = {case_subject(c.name) for c in cases}
    found = []
    for unit in (u for u in units() if u.kind == "territorial"):
        made = 0
        while made < DECOYS_PER_DISTRICT:
            name = f"{unit.name}{rng.choice(_TRADE)}{rng.choice(_TRADE)}{rng.choice(_KINDS)}"
            if name in taken:
                continue
            taken.add(name)
            kind = rng.choices(("mild", "hard", "burst"), (1 - HARD_DECOY_SHARE - BURST_DECOY_SHARE,
                                                           HARD_DECOY_SHARE, BURST_DECOY_SHARE))[0]
            if kind == "burst":  # one grid worker reporting the same shop again and again for a few weeks
                first_day = date(year, 1, 1) + timedelta(days=rng.randint(0, 320))
                length = rng.randint(14, 42)
                days = sorted(first_day + timedelta(days=rng.randint(0, length)) for _ in range(rng.randint(8, 16)))
            else:
                days = sorted(date(year, 1, 1) + timedelta(days=rng.randint(0, 360)) for _ in range(rng.randint(4, 9)))
            found.append(Decoy(unit.code, name, tuple(days), kind == "hard"))
            made += 1
    return found


def precursor_clue_rows(cases, year: int, seed: int) -> list[dict[str, str]]:
    """The planted and decoy clues as grid export rows (label → text)."""
    from chufei.core import places
    from demo.vocabulary import GRID_LABELS

    rng = random.Random(seed * 14 + 3)
    rows = []
    register: dict[str, list] = {}
    for grid in places.grids():  # every clue comes from a grid of the register, in its town
        register.setdefault(grid.district, []).append(grid)
    villages: dict[tuple[str, str], list[str]] = {}
    for place in places.communities():
        villages.setdefault((place.district, place.town), []).append(place.name)

    def clue(number: int, district: str, day: date, name: str, code: str, grid, signs: str,
             judgement: str, status: str) -> dict[str, str]:
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59))
        town = grid.town
        return {label: "" for label in GRID_LABELS} | {
            "线索编号": f"WGZ{year}{number:06d}", "上报时间": at.strftime("%Y-%m-%d %H:%M:%S"), "区县代码": district,
            "乡镇街道": town, "社区村": rng.choice(villages.get((district, town)) or [f"{rng.choice(_TRADE)}社区"]), "网格编码": grid.code,
            "网格员工号": f"GW{rng.randint(1, 900):04d}", "发现方式": rng.choice(["巡查", "走访", "群众反映"]),
            "主体名称": name, "统一社会信用代码": code, "地址": f"鄂州市{town}{rng.choice(_TRADE)}路{rng.randint(1, 300)}号",
            "行业领域": "投资咨询", "风险表现": signs, "估计涉及人数": str(rng.randint(20, 600)),
            "估计金额(万元)": str(rng.randint(50, 3000)), "研判结果": judgement, "处置状态": status,
            "移交单位": "市公安局" if judgement == "移交" else ""}

    number = 0
    for plant in planted_precursors(cases, year, seed):
        grids = rng.sample(register[plant.district], rng.randint(2, 3))
        for index, day in enumerate(plant.clue_days):
            number += 1
            last = index == len(plant.clue_days) - 1
            rows.append(clue(number, plant.district, day, _variant(rng, plant.subject),
                             plant.credit_code if rng.random() < 0.5 else "", rng.choice(grids),
                             "、".join(rng.sample(_STRONG_SIGNS, rng.randint(2, 3))),
                             "移交" if last else "疑似", "已移交" if last else rng.choice(["待核查", "核查中"])))
    for decoy in decoys(cases, year, seed):
        grid = rng.choice(register[decoy.district])
        for day in decoy.clue_days:
            number += 1
            signs = rng.choice(_STRONG_SIGNS) if decoy.hard else rng.choice(_MILD_SIGNS)
            rows.append(clue(number, decoy.district, day, decoy.subject, "", grid, signs,
                             "疑似" if decoy.hard else "排除", "核查中"))
    rows.sort(key=lambda row: (row["上报时间"], row["线索编号"]))
    return rows
