"""广告资讯信息排查清理 (advert / information screening), task 二十二 (May–Sept campaign).

A unit sends one workbook per month: a detail sheet (one row per checked advert or message) and a
summary sheet (排查汇总: 出动人次, 检查户数, 核查条数, 线上监测条次, 清理条数, 移送线索数). It arrives
in its own inbox and is read by ``chufei.ingest.ad_screening``, not by the unit-submission reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chufei.core.periods import Period
from chufei.kinds.rules import check_credit_code, inside_period
from chufei.kinds.spec import Column, Dataset, Kind, Problems
from chufei.kinds.templates import write_submission

SOURCE = "ad_screening"
SUMMARY_SHEET = "排查汇总"

AD_SCREENING = Dataset(
    name="ad_screening",
    title="广告资讯信息排查清理",
    period_kind="month",
    key=("screened_date", "platform", "publisher", "summary"),
    aliases=("广告资讯排查清理", "涉非广告资讯排查"),
    columns=(
        Column("screened_date", "排查日期", "date", width=12),
        Column("reporting_unit", "填报单位", "text", required=False, width=16),
        Column("carrier", "载体类型", "text", width=10),
        Column("platform", "媒体或平台名称", "text", width=20),
        Column("publisher", "发布主体", "text", width=24),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("summary", "内容摘要", "text", width=36),
        Column("keywords", "命中关键词", "text", required=False, width=16),
        Column("licensed", "是否持牌", "flag", width=10),
        Column("action", "处置措施", "text", width=12),
        Column("action_date", "处置日期", "date", required=False, width=12),
    ),
)
CARRIERS = ("报刊", "广电", "户外", "传单", "短信", "网站", "微博", "微信", "APP")
ACTIONS = ("责令整改", "删除", "立案", "移送公安")


@dataclass(frozen=True)
class Count:
    name: str
    label: str


SUMMARY_COUNTS = (Count("staff_deployed", "出动人次"), Count("premises_checked", "检查户数"),
                  Count("items_verified", "核查条数"), Count("online_monitored", "线上监测条次"),
                  Count("items_removed", "清理条数"), Count("clues_transferred", "移送线索数"))


def ad_screening_rules(values: dict[str, object], period: Period) -> Problems:
    """广告资讯排查: 排查日期 in the reported month, the credit code's check character, and 删除
    only for carriers that can be deleted (online and SMS)."""
    problems = inside_period(values, "screened_date", "排查日期", period) + check_credit_code(values)
    if values.get("action") == "删除" and values.get("carrier") in ("报刊", "户外", "传单"):
        problems.append(("action", f"“删除”适用于网络和短信载体；{values.get('carrier')}广告请填写责令整改、立案或移送公安"))
    return problems


# --- Template -----------------------------------------------------------------------------------

def write_screening(path: Path, unit_name: str = "", period_label: str = "", rows=(),
                    counts: dict[str, object] | None = None, filled_by: str = "", phone: str = "",
                    filled_on: str = "") -> Path:
    """The template (no rows) or a filled workbook: detail sheet plus the 排查汇总 sheet."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from chufei.core.xlsx import put, save_reproducibly

    write_submission(path, AD_SCREENING, unit_name, period_label, rows, filled_by, phone, filled_on)
    book = load_workbook(path)
    detail = book[AD_SCREENING.title]
    put(detail, 4, 1, f"说明：载体类型填 {'/'.join(CARRIERS)}；处置措施填 {'/'.join(ACTIONS)}；"
                      "日期填写如 2020-06-03；带 * 的列为必填。")
    sheet = book.create_sheet(SUMMARY_SHEET, 1)
    put(sheet, 1, 1, f"{AD_SCREENING.title}汇总").font = Font(size=14, bold=True)
    put(sheet, 2, 1, "项目").font = Font(bold=True)
    put(sheet, 2, 2, "数量").font = Font(bold=True)
    for offset, count in enumerate(SUMMARY_COUNTS, 3):
        put(sheet, offset, 1, count.label)
        value = (counts or {}).get(count.label)
        if value is not None:
            put(sheet, offset, 2, value)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 12
    save_reproducibly(book, path)
    return path


def write_template(folder: Path) -> Path:
    """The blank workbook units fill in: ``<folder>/广告资讯信息排查清理模板.xlsx``."""
    return write_screening(folder / f"{AD_SCREENING.title}模板.xlsx")


KIND = Kind(name=AD_SCREENING.name, title=AD_SCREENING.title, inbox=SOURCE, period_kind=AD_SCREENING.period_kind,
            suite="ad_screening.json", dataset=AD_SCREENING, rules=(ad_screening_rules,), template=write_template)
