"""Seeded demo data for the two streaming inflows: grid clue exports and advert-screening workbooks.

``grid_rows`` yields export rows (label → text) the way the grid platform writes them, from the
grids of the grid register (``include/reference/grids.csv``), with a known share of deliberate faults; ``write_grid_exports`` renders a few thousand of them as CSV in
UTF-8, UTF-8 with BOM and GBK plus one XLSX, and a later export that updates some clues.
``write_ad_screening_inbox`` writes the May–September campaign workbooks of a few units.
The bench (``bench/``) uses ``write_grid_csv`` for its million-row file.
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from collections.abc import Iterator

from chufei.core import places
from chufei.core.settings import DataDir, code_lists

from demo.vocabulary import GRID_LABELS, uscc_for

_TOWNS = {"420704": ["凤凰街道", "古楼街道", "西山街道", "樊口街道", "泽林镇", "杜山镇", "汀祖镇"],
          "420703": ["华容镇", "葛店镇", "庙岭镇", "段店镇", "临江乡"],
          "420702": ["太和镇", "东沟镇", "沼山镇", "梁子镇", "涂家垴镇"],
          "EZGD01": ["葛店经济技术开发区管委会"], "EZLK01": ["燕矶镇", "杨叶镇", "沙窝乡"]}
_WORDS = ["鑫源", "华晟", "恒通", "金瑞", "聚福", "康乐", "德润", "盛达", "众诚", "宏泰", "安康", "顺发", "富民", "汇银"]
_KINDS = ["投资管理有限公司", "农业专业合作社", "养老服务中心", "商贸有限公司", "生物科技有限公司", "财富咨询有限公司"]
_SIGNS = ["承诺高额回报", "承诺保本付息", "发展下线", "虚构项目", "无资质吸收资金", "线下推介会", "以商品销售为名",
          "以养老为名", "虚拟货币投资", "异常广告宣传"]
_TRANSFER = ["市公安局", "市场监管局", "地方金融局", "银保监分局"]


@dataclass
class GridDemo:
    rows: int = 0
    faulty: int = 0
    clues: set[str] = field(default_factory=set)


FAULTS = ("bad_credit_code", "unknown_district", "bad_time", "bad_amount", "closed_without_date", "bad_method")


def _fault(row: dict[str, str], kind: str) -> dict[str, str]:
    row = dict(row)
    if kind == "bad_credit_code":
        code = row["统一社会信用代码"] or "91420700MA4ABCDE1X"
        row["统一社会信用代码"] = code[:-1] + ("0" if code[-1] != "0" else "1")
    elif kind == "unknown_district":
        row["区县代码"] = "110101"
    elif kind == "bad_time":
        row["上报时间"] = "2020-13-45 25:00"
    elif kind == "bad_amount":
        row["估计金额(万元)"] = "约十万"
    elif kind == "closed_without_date":
        row["处置状态"], row["办结日期"] = "已办结", ""
    elif kind == "bad_method":
        row["发现方式"] = "网上冲浪"
    return row


def grid_rows(count: int, seed: int = 2020, year: int = 2020, fault_every: int = 0,
              prefix: str = "WG") -> Iterator[dict[str, str]]:
    """``count`` export rows; every ``fault_every``-th one (if set) breaks exactly one rule."""
    rng = random.Random(seed)
    industries = code_lists()["行业领域"]
    companies = [(f"鄂州{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.choice(_KINDS)}", uscc_for(rng))
                 for _ in range(max(50, min(20000, count // 20)))]
    start = datetime(year, 1, 1, 8, 0)
    span = 365 * 24 * 3600 - 16 * 3600
    districts = list(_TOWNS)
    register: dict[tuple[str, str], list[str]] = {}
    for grid in places.grids():  # the grid register: every clue comes from one of its grids
        register.setdefault((grid.district, grid.town), []).append(grid.code)
    villages: dict[tuple[str, str], list[str]] = {}
    for place in places.communities():
        villages.setdefault((place.district, place.town), []).append(place.name)
    for sequence in range(1, count + 1):
        district = rng.choice(districts)
        town = rng.choice(_TOWNS[district])
        reported = start + timedelta(seconds=rng.randrange(span))
        name, code = rng.choice(companies)
        judgement = rng.choices(["疑似", "排除", "移交"], [5, 3, 2])[0]
        status = rng.choice(["待核查", "核查中", "已办结"] if judgement != "移交" else ["已移交", "已办结"])
        closed = (reported + timedelta(days=rng.randint(1, 60))).date() if status == "已办结" else None
        amount = rng.choice(["", f"{rng.randint(1, 5000)}", f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}"])
        row = {
            "线索编号": f"{prefix}{year}{sequence:08d}",
            "上报时间": reported.strftime("%Y-%m-%d %H:%M:%S") if sequence % 3 else reported.strftime("%Y/%m/%d %H:%M"),
            "区县代码": district,
            "乡镇街道": town,
            "社区村": rng.choice(villages.get((district, town)) or [f"{rng.choice(_WORDS)}社区"]),
            "网格编码": rng.choice(register[(district, town)]) if (district, town) in register
            else f"{district}{rng.randint(1, 60):03d}{rng.randint(1, 30):02d}",
            "网格员工号": f"GW{rng.randint(1, 900):04d}",
            "发现方式": rng.choice(["巡查", "走访", "群众反映"]),
            "主体名称": name,
            "统一社会信用代码": code if rng.random() > 0.1 else "",
            "地址": f"鄂州市{town}{rng.choice(_WORDS)}路{rng.randint(1, 300)}号",
            "行业领域": rng.choice(industries),
            "风险表现": "、".join(rng.sample(_SIGNS, rng.randint(1, 3))),
            "估计涉及人数": str(rng.randint(0, 800)),
            "估计金额(万元)": amount,
            "研判结果": judgement,
            "移交单位": rng.choice(_TRANSFER) if judgement == "移交" else "",
            "处置状态": status,
            "办结日期": closed.isoformat() if closed else "",
        }
        if fault_every and sequence % fault_every == 0:
            row = _fault(row, FAULTS[(sequence // fault_every) % len(FAULTS)])
        yield row


def write_grid_csv(path: Path, rows, encoding: str = "utf-8") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=GRID_LABELS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_grid_xlsx(path: Path, rows) -> int:
    from openpyxl import Workbook

    from chufei.core.xlsx import put, save_reproducibly

    book = Workbook()
    sheet = book.active
    sheet.title = "网格线索"
    for column, label in enumerate(GRID_LABELS, 1):
        put(sheet, 1, column, label)
    count = 0
    for count, row in enumerate(rows, 1):
        for column, label in enumerate(GRID_LABELS, 1):
            if row.get(label):
                put(sheet, count + 1, column, row[label])
    save_reproducibly(book, path)
    return count


def write_grid_exports(data: DataDir, seed: int = 2020, year: int = 2020, cases=None) -> list[Path]:
    """A few thousand clues in four exports (UTF-8, BOM, GBK, XLSX) plus a later update export;
    with ``cases``, also the precursors and decoys of ``demo.precursors`` in an export of their own."""
    inbox = data.inbox("grid_reports")
    rows = list(grid_rows(3000, seed=seed, year=year, fault_every=97))
    files = [
        (inbox / "网格线索导出_一季度.csv", rows[:900], "utf-8"),
        (inbox / "网格线索导出_二季度.csv", rows[900:1800], "utf-8-sig"),
        (inbox / "网格线索导出_三季度(GBK).csv", rows[1800:2600], "gbk"),
    ]
    written = [path for path, part, encoding in files if write_grid_csv(path, part, encoding) >= 0]
    written.append(inbox / "网格线索导出_四季度.xlsx")
    write_grid_xlsx(written[-1], rows[2600:])
    # Later: some open clues were handled; the platform exports them again with their new state.
    updates = []
    for row in rows[:400:7]:
        if row["处置状态"] in ("待核查", "核查中") and row["上报时间"].startswith(str(year)):
            reported = datetime.strptime(row["上报时间"][:10].replace("/", "-"), "%Y-%m-%d").date()
            updates.append({**row, "处置状态": "已办结", "办结日期": (reported + timedelta(days=30)).isoformat()})
    later = inbox / "网格线索导出_更新.csv"
    write_grid_csv(later, updates, "utf-8-sig")
    later_time = later.stat().st_mtime + 60
    os.utime(later, (later_time, later_time))  # claimed after the first exports
    written.append(later)
    if cases:
        from demo.precursors import precursor_clue_rows

        planted = inbox / "网格线索导出_重点主体.csv"
        write_grid_csv(planted, precursor_clue_rows(cases, year, seed), "utf-8-sig")
        os.utime(planted, (later_time + 60, later_time + 60))
        written.append(planted)
    return written


# --- Advert screening (task 二十二, May–September) ----------------------------------------------

SCREENING_UNITS = ("420704", "420703", "420702", "EZGD01", "EZLK01", "D10", "D14")
_PLATFORMS = {"网站": ["鄂州热线网", "本地宝"], "微信": ["鄂州生活圈公众号", "理财交流群"], "微博": ["@鄂州财经"],
              "APP": ["聚财宝APP", "融易借APP"], "短信": ["106短信通道"], "报刊": ["鄂州日报"], "户外": ["凤凰路广告牌"],
              "传单": ["街头传单"], "广电": ["鄂州电视台"]}
_CLAIMS = ["年化收益18%保本保息", "投资养老公寓返租", "原始股即将上市", "数字货币稳赚不赔", "存100送食用油"]
_KEYWORDS = ["保本", "高息", "原始股", "返租", "稳赚"]


@dataclass
class ScreeningTruth:
    """What the demo units report, to check the warehouse against (tests compute from this)."""
    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (unit, YYYY-MM) → valid rows
    faulty: dict[tuple[str, str], int] = field(default_factory=dict)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def screening_rows(rng: random.Random, year: int, month: int, count: int, unit_name: str) -> list[dict]:
    rows = []
    for n in range(count):
        carrier = rng.choice(list(_PLATFORMS))
        day = date(year, month, rng.randint(1, 28))
        action = rng.choice(["删除", "责令整改"] if carrier in ("网站", "微信", "微博", "APP", "短信")
                            else ["责令整改", "立案", "移送公安"])
        rows.append({
            "排查日期": day, "填报单位": unit_name, "载体类型": carrier, "媒体或平台名称": rng.choice(_PLATFORMS[carrier]),
            "发布主体": f"鄂州{rng.choice(_WORDS)}{rng.choice(_KINDS)}", "统一社会信用代码": uscc_for(rng),
            "内容摘要": f"{rng.choice(_CLAIMS)}（第{n + 1}条）", "命中关键词": rng.choice(_KEYWORDS),
            "是否持牌": rng.choice(["否", "否", "是"]), "处置措施": action,
            "处置日期": day + timedelta(days=rng.randint(0, 3)),
        })
    return rows


def _planted_adverts(plants, code: str, year: int, month: int, unit_name: str) -> list[dict]:
    """The advert hits ``demo.precursors`` plants before some cases, in their district's workbook."""
    return [{"排查日期": p.advert_day, "填报单位": unit_name, "载体类型": "微信", "媒体或平台名称": "理财交流群",
             "发布主体": p.subject, "统一社会信用代码": p.credit_code, "内容摘要": f"年化收益18%保本保息（{p.case_no}）",
             "命中关键词": "保本", "是否持牌": "否", "处置措施": "删除", "处置日期": p.advert_day}
            for p in plants if p.district == code and p.advert_day and p.advert_day.year == year
            and p.advert_day.month == month]


def write_ad_screening_inbox(data: DataDir, year: int = 2020, seed: int = 2020, cases=None) -> ScreeningTruth:
    """Each campaign unit's monthly workbooks for May–September; a few rows break rules, and one
    unit sends a corrected June workbook that replaces its first one. With ``cases``, the workbooks
    also hold the advert hits ``demo.precursors`` plants before some of them."""
    from chufei.kinds.ad_screening import write_screening
    from chufei.core.units import unit_by_code

    from demo.precursors import planted_precursors

    rng = random.Random(seed)
    truth = ScreeningTruth()
    inbox = data.inbox("ad_screening")
    plants = planted_precursors(cases, year, seed) if cases else []
    for code in SCREENING_UNITS:
        unit = unit_by_code(code)
        for month in range(5, 10):
            key = (code, f"{year}-{month:02d}")
            rows = screening_rows(rng, year, month, rng.randint(2, 9), unit.name)
            rows += _planted_adverts(plants, code, year, month, unit.name)
            faulty = []
            if rng.random() < 0.3:
                faulty.append({**rows[0], "内容摘要": "错误示例：载体不明", "载体类型": "广播体操"})
            if rng.random() < 0.2:
                faulty.append({**rows[0], "内容摘要": "错误示例：日期越界", "排查日期": date(year, month, 1) - timedelta(days=3)})
            counts = {"出动人次": rng.randint(5, 60), "检查户数": rng.randint(10, 200), "核查条数": len(rows) + rng.randint(0, 40),
                      "线上监测条次": rng.randint(100, 3000), "清理条数": sum(r["处置措施"] == "删除" for r in rows),
                      "移送线索数": sum(r["处置措施"] == "移送公安" for r in rows)}
            path = inbox / f"{unit.name}_广告资讯排查_{year}年{month}月.xlsx"
            write_screening(path, unit.name, f"{year}年{month}月", rows + faulty, counts, filled_by="张三",
                            phone="13800000000", filled_on=f"{year}-{month:02d}-28")
            truth.rows[key], truth.faulty[key], truth.counts[key] = len(rows), len(faulty), counts
            truth.files.append(path)
    # 鄂城区 corrects its June workbook: two more adverts found; the new file replaces the first.
    code, month = SCREENING_UNITS[0], 6
    unit = unit_by_code(code)
    planted_june = _planted_adverts(plants, code, year, month, unit.name)
    rows = screening_rows(random.Random(seed + 1), year, month, truth.rows[(code, f"{year}-06")] + 2 - len(planted_june),
                          unit.name) + planted_june
    counts = {**truth.counts[(code, f"{year}-06")], "核查条数": len(rows) + 10}
    corrected = inbox / f"{unit.name}_广告资讯排查_{year}年{month}月_更正.xlsx"
    write_screening(corrected, unit.name, f"{year}年{month}月", rows, counts, filled_by="张三")
    later = corrected.stat().st_mtime + 60
    os.utime(corrected, (later, later))
    truth.rows[(code, f"{year}-06")], truth.faulty[(code, f"{year}-06")] = len(rows), 0
    truth.counts[(code, f"{year}-06")] = counts
    truth.files.append(corrected)
    return truth


def write_demo_inflows(data: DataDir, year: int = 2020, seed: int = 2020) -> str:
    """``make demo``: grid exports, the screening campaign and its template; says what it wrote."""
    from chufei.kinds.ad_screening import write_template

    from demo.generate import generate_cases

    cases = generate_cases(year, seed)  # the inbox's cases: their precursors and decoys (demo.precursors)
    grid = write_grid_exports(data, seed=seed, year=year, cases=cases)
    screening = write_ad_screening_inbox(data, year=year, seed=seed, cases=cases)
    template = write_template(data.root / "templates")
    return (f"demo: {len(grid)} grid exports (UTF-8, BOM, GBK, XLSX, a later update, the cases' precursors and decoys) in "
            f"{data.inbox('grid_reports')}\n"
            f"demo: {len(screening.files)} advert-screening workbooks (May–Sept) in {data.inbox('ad_screening')}; "
            f"template {template}")
