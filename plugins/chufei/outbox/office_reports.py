"""The office's other periodic forms, from the current ``<dataset>_row`` tables.

- 举报奖励 (``report_reward_quarterly``): per unit, 受理件数, 有效线索数, by 线索等级 and 来源渠道,
  兑现件数, 奖励人数, 奖励金额 — counts only; reporter columns are never read.
- 风险监测台账汇总 (``risk_ledger_rollup``): per unit and 风险等级 at the 6/20 and 12/10 snapshots;
  units that did not submit; the city-wide ledger with 责任人 masked.
- 网格监测 (``grid_monitoring_monthly``, task 七): the grid-worker clues per district and 乡镇街道
  (``chufei.outbox.grid_reports``).
- 风险提示 and 行政处置 (``warnings_actions_quarterly``): warnings per territorial unit against
  the ≥3-a-year target; administrative actions by type; the advert-screening campaign (广告资讯
  排查清理, task 二十二): the units' summary counts and the checked adverts by 载体类型 and 处置措施.

Definitions are in docs/statistics.md. Money stays integer 分 until it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir, code_lists
from chufei.kinds.obligations import fixed_due_dates
from chufei.kinds.risk_ledger import RISK_LEDGER
from chufei.core.masking import mask_name, mask_value
from chufei.core.periods import Period
from chufei.core.units import units
from chufei.statistics.forms import FormColumn, FormPart, StatForm
from chufei.outbox.reports import issue_date_of, write_package
from chufei.core.sql import as_date, fetch_rows

WARNING_TARGET = 3  # public risk warnings per territorial unit per year (task 十一)


def _code(index: int) -> str:
    return f"{index:02d}"


# ---------------------------------------------------------------- 举报奖励 report rewards

def reward_columns() -> list[FormColumn]:
    levels, channels = code_lists()["线索等级"], code_lists()["来源渠道"]
    return [FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
            FormColumn("受理件数", "受理件数", "count"), FormColumn("有效线索数", "有效线索数", "count"),
            *[FormColumn("按线索等级(件)", level, "count") for level in levels],
            *[FormColumn("按来源渠道(件)", channel, "count") for channel in channels],
            FormColumn("兑现件数", "兑现件数", "count"), FormColumn("奖励人数", "奖励人数", "count"),
            FormColumn("奖励金额(元)", "奖励金额(元)", "yuan")]


def _reward_cells(rows: list[dict], start: date, end: date) -> list[int]:
    levels, channels = code_lists()["线索等级"], code_lists()["来源渠道"]
    received = [r for r in rows if r["received_date"] is not None and start <= as_date(r["received_date"]) < end]
    paid = [r for r in rows if r["is_paid"] and start <= as_date(r["paid_date"] or r["received_date"]) < end]
    return [len(received), sum(1 for r in received if r["is_valid"]),
            *[sum(1 for r in received if r["clue_level"] == level) for level in levels],
            *[sum(1 for r in received if r["channel"] == channel) for channel in channels],
            len(paid), sum(int(r["reward_people"] or 0) for r in paid), sum(int(r["reward_fen"] or 0) for r in paid)]


def reward_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    forms = {}
    rows = fetch_rows(engine, "report_reward_rows", range_start=period.year_start, range_end=period.end)
    sources = {r["file_sha256"] for r in rows}
    for suffix, start, label in (("", period.start, period.label),
                                 ("_year_to_date", period.year_start, f"{period.label}（本年累计）")):
        body = [[u.code, u.name, *_reward_cells([r for r in rows if r["unit_code"] == u.code], start, period.end)]
                for u in units()]
        body.append(["", "合计", *_reward_cells(rows, start, period.end)])
        forms[suffix] = StatForm(
            title="非法集资举报奖励情况统计表", form_no="鄂处非统4表", period_label=label,
            unit_of_measure="件、人、元", columns=reward_columns(), rows=body, sheet="举报奖励",
            notes=["注：受理件数按受理日期统计；兑现件数、奖励人数、奖励金额按兑现日期统计（未填兑现日期的按受理日期）；"
                   "本表不含举报人任何身份信息。"])
    return forms, sorted(sources)


# ---------------------------------------------------------------- 风险监测台账 risk-ledger rollup

def snapshot_day(period: Period) -> date:
    if period.kind != "half":
        raise ValueError(f"the risk ledger is a half-year snapshot, not a {period.kind}")
    month, day = fixed_due_dates("risk_ledger")["H1" if period.start.month == 1 else "H2"]
    return date(period.year, month, day)


@dataclass(frozen=True)
class RiskLine:
    unit_code: str
    level: str
    entries: int
    new: int
    resolved: int
    open: int
    overdue: int


ZERO_RETURN = "零报告"


def risk_rollup(rows: list[dict], previous: list[dict], as_of: date,
                submitted: set[str] | None = None) -> list[RiskLine]:
    """Per submitting unit and 风险等级: entries, new since the last snapshot, 销号, open, overdue.
    A unit in ``submitted`` whose ledger had no rows gets one 零报告 line of zeros."""
    before = {(r["unit_code"], r["subject_name"]) for r in previous}
    with_rows = {r["unit_code"] for r in rows}
    submitted = with_rows | (submitted or set())
    lines = []
    for unit in units():
        if unit.code not in submitted:
            continue
        if unit.code not in with_rows:
            lines.append(RiskLine(unit.code, ZERO_RETURN, 0, 0, 0, 0, 0))
            continue
        for level in code_lists()["风险等级"]:
            mine = [r for r in rows if r["unit_code"] == unit.code and r["risk_level"] == level]
            still_open = [r for r in mine if not r["resolved"]]
            lines.append(RiskLine(unit.code, level, len(mine),
                                  sum(1 for r in mine if (unit.code, r["subject_name"]) not in before),
                                  len(mine) - len(still_open), len(still_open),
                                  sum(1 for r in still_open if r["rectify_deadline"] is not None
                                      and as_date(r["rectify_deadline"]) < as_of)))
    return lines


NATURAL_PERSON = "自然人"  # the 主体类型 of a subject who is a person (code_lists.json)
# The city ledger's 19 columns do not fit A4 landscape at a readable scale: three numbered forms,
# each with 填报单位 and 主体名称 (0-based indexes into its columns: 填报单位, then the kind's).
CITY_LEDGER_PARTS = (FormPart("一", "主体与风险", tuple(range(2, 11))),
                     FormPart("二", "监测与整改", tuple(range(11, 16))),
                     FormPart("三", "处置进展", tuple(range(16, 19))))


def risk_rollup_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    as_of = snapshot_day(period)
    rows = fetch_rows(engine, "risk_ledger_snapshot", period_key=period.key)
    previous = fetch_rows(engine, "risk_ledger_snapshot", period_key=period.previous().key)
    returns = fetch_rows(engine, "units_submitted", dataset="risk_ledger", period_key=period.key)
    earlier = {r["unit_code"] for r in fetch_rows(engine, "units_submitted", dataset="risk_ledger",
                                                   period_key=period.previous().key)}
    submitted = {r["unit_code"] for r in returns}
    names = {u.code: u.name for u in units()}
    lines = risk_rollup(rows, previous, as_of, submitted)
    figures = ("entries", "new", "resolved", "open", "overdue")
    body = [[line.unit_code, names[line.unit_code], line.level, *[getattr(line, f) for f in figures]]
            for line in lines]
    # 较上期新增 of a unit that sent no ledger for the previous snapshot would just repeat its 台账户数:
    # there is no base to compare with, so "—", and its subjects are not added into the 合计's
    # (itself "—" when no unit sent one).
    totals = [sum(getattr(line, f) for line in lines if f != "new" or line.unit_code in earlier) for f in figures]
    body.append(["", "合计", "", *totals])
    no_base = {(index, 4) for index, line in enumerate(lines) if line.unit_code not in earlier}
    if not earlier:
        no_base.add((len(body) - 1, 4))
    label = f"{period.label}（截至{as_of.month}月{as_of.day}日）"
    rollup = StatForm(
        title="非法集资风险监测台账汇总表", form_no="鄂处非统5表", period_label=label, unit_of_measure="户",
        sheet="分单位分等级",
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("风险等级", "风险等级", "text"), FormColumn("台账户数", "台账户数", "count"),
                 FormColumn("较上期新增", "较上期新增", "count"), FormColumn("已化解销号", "已化解销号", "count"),
                 FormColumn("尚未化解", "尚未化解", "count"), FormColumn("逾期未整改", "逾期未整改", "count")],
        rows=body,
        notes=[f"注：较上期新增指上期（{period.previous().label}）台账中没有的主体；尚未化解 = 台账户数 − 已化解销号；"
               f"逾期未整改指尚未化解且整改时限早于{as_of.month}月{as_of.day}日的主体；"
               f"“{ZERO_RETURN}”指报送了台账但无在册主体；“—”指该单位上期（{period.previous().label}）未报送台账，"
               "比较基期无数据，不能视为0（合计行的较上期新增只计上期报送了台账的单位）。"],
        no_data=frozenset(no_base))
    missing = [u for u in units() if u.code not in submitted]
    missing_form = StatForm(
        title="风险监测台账未报送单位", form_no="鄂处非统5表附1", period_label=label, unit_of_measure="个",
        sheet="未报送单位",
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("单位类别", "单位类别", "text"), FormColumn("未报送份数", "未报送份数", "count")],
        rows=[[u.code, u.name, "属地" if u.kind == "territorial" else "部门", 1] for u in missing]
        + [["", "合计", "", len(missing)]])
    order = {u.code: index for index, u in enumerate(units())}
    columns = [c for c in RISK_LEDGER.columns]
    listing = []
    for r in sorted(rows, key=lambda r: (order.get(r["unit_code"], 999), r["row_no"])):
        cells = [names.get(r["unit_code"], r["unit_code"])]
        for column in columns:
            value = r[column.name]
            if value is None:
                cells.append(None)
            elif column.name == "subject_name" and r["subject_type"] == NATURAL_PERSON:
                cells.append(mask_name(value))  # a person named as the subject: the surname only
            elif column.personal:
                cells.append(mask_value(value))
            elif column.kind == "flag":
                cells.append("是" if value else "否")
            elif column.kind == "date":
                cells.append(as_date(value).isoformat())
            else:
                cells.append(value)
        listing.append(cells)
    ledger_columns = [FormColumn("填报单位", "填报单位", "text")] + [
        FormColumn(c.label, c.label, "wan" if c.kind == "amount_wan" else ("count" if c.kind == "count" else "text"))
        for c in columns]
    total = ["合计"] + [None] * len(columns)
    for index, column in enumerate(columns, 1):
        if column.kind in ("amount_wan", "count"):
            total[index] = sum(int(r[column.name] or 0) for r in rows)
    total[1] = f"{len(rows)}户"
    listing.append(total)
    ledger = StatForm(
        title="全市非法集资风险监测台账", form_no="鄂处非统5表附2", period_label=label,
        unit_of_measure="人、万元", sheet="全市台账", columns=ledger_columns, rows=listing,
        notes=["注：责任人已脱敏；自然人主体仅显示姓氏。"], parts=CITY_LEDGER_PARTS)
    return ({"": rollup, "_missing_units": missing_form, "_city_ledger": ledger},
            sorted({r["file_sha256"] for r in rows} | {r["file_sha256"] for r in previous}
                   | {r["file_sha256"] for r in returns}))


# ---------------------------------------------------------------- 风险提示 and 行政处置

def warning_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    warnings = fetch_rows(engine, "risk_warning_rows", range_start=period.year_start, range_end=period.end)
    actions = fetch_rows(engine, "admin_action_rows", range_start=period.year_start, range_end=period.end)

    def in_period(day) -> bool:
        return period.contains(as_date(day))

    def warning_cells(selected: list[dict], target: int | None) -> list[object]:
        ytd = len(selected)
        gap = None if target is None else max(0, target - ytd)
        met = None if target is None else ("达标" if ytd >= target else "未达标")
        return [sum(1 for w in selected if in_period(w["issued_date"])), ytd, target, gap, met,
                sum(int(w["reach"] or 0) for w in selected)]

    territorial = [u for u in units() if u.kind == "territorial"]
    body = [[u.code, u.name, *warning_cells([w for w in warnings if w["unit_code"] == u.code], WARNING_TARGET)]
            for u in territorial]
    departmental = {u.code for u in units() if u.kind != "territorial"}
    body.append(["D", "市直部门", *warning_cells([w for w in warnings if w["unit_code"] in departmental], None)])
    reached = sum(1 for row in body if row[6] == "达标")
    total = warning_cells(warnings, WARNING_TARGET * len(territorial))
    total[3] = sum(row[5] for row in body if row[5] is not None)  # 尚差: Σ of the territorial units' gaps
    total[4] = f"{reached}/{len(territorial)}个属地达标"
    body.append(["", "合计", *total])
    warning_form = StatForm(
        title="向社会公众提示风险情况统计表", form_no="鄂处非统6表", period_label=period.label,
        unit_of_measure="次、人", sheet="风险提示", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("发布次数", "本期", "count"), FormColumn("发布次数", "本年累计", "count"),
                 FormColumn("年度目标(次)", "年度目标(次)", "count"), FormColumn("尚差(次)", "尚差(次)", "count"),
                 FormColumn("是否达标", "是否达标", "text"), FormColumn("覆盖人数(本年累计)", "覆盖人数(本年累计)", "count")],
        notes=[f"注：每个属地单位每年向社会提示风险不少于{WARNING_TARGET}次；达标按本年累计计算。"])

    types = code_lists()["处置方式"]

    def action_cells(selected: list[dict]) -> list[int]:
        now = [a for a in selected if in_period(a["action_date"])]
        return [*[sum(1 for a in now if a["action_type"] == t) for t in types], len(now),
                *[sum(1 for a in selected if a["action_type"] == t) for t in types], len(selected),
                sum(int(a["penalty_fen"] or 0) for a in selected)]

    action_body = [[u.code, u.name, *action_cells([a for a in actions if a["unit_code"] == u.code])] for u in units()]
    action_body.append(["", "合计", *action_cells(actions)])
    action_form = StatForm(
        title="行政处置情况统计表", form_no="鄂处非统7表", period_label=period.label, unit_of_measure="件、万元",
        sheet="行政处置", rows=action_body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 *[FormColumn("本期(件)", t, "count") for t in types], FormColumn("本期(件)", "合计", "count"),
                 *[FormColumn("本年累计(件)", t, "count") for t in types], FormColumn("本年累计(件)", "合计", "count"),
                 FormColumn("罚没金额(万元，本年累计)", "罚没金额(万元，本年累计)", "wan")])
    screening_forms, screening_sources = ad_screening_forms(engine, period)
    return ({"_risk_warnings": warning_form, "_admin_actions": action_form, **screening_forms},
            sorted({w["file_sha256"] for w in warnings} | {a["file_sha256"] for a in actions} | screening_sources))


# ---------------------------------------------------------------- 广告资讯排查清理 advert screening

def ad_screening_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], set[str]]:
    """The campaign's figures: the units' 排查汇总 counts (本期, 本年累计) and their checked
    adverts by 载体类型 and 处置措施, both per unit with a 合计 row."""
    from chufei.kinds.ad_screening import ACTIONS, CARRIERS, SUMMARY_COUNTS

    counts = fetch_rows(engine, "ad_screening_counts", range_start=period.year_start, range_end=period.end)
    adverts = fetch_rows(engine, "ad_screening_rows", range_start=period.year_start, range_end=period.end)

    def count_cells(selected: list[dict]) -> list[int]:
        now = [c for c in selected if period.contains(as_date(c["period_start"]))]
        return [*[sum(int(c[k.name] or 0) for c in now) for k in SUMMARY_COUNTS],
                *[sum(int(c[k.name] or 0) for c in selected) for k in SUMMARY_COUNTS],
                len({as_date(c["period_start"]) for c in selected})]

    def advert_cells(selected: list[dict]) -> list[int]:
        now = [a for a in selected if period.contains(as_date(a["screened_date"]))]
        return [len(now), sum(1 for a in now if a["licensed"] is not None and not a["licensed"]),
                *[sum(1 for a in now if a["carrier"] == carrier) for carrier in CARRIERS],
                *[sum(1 for a in now if a["action"] == action) for action in ACTIONS], len(selected)]

    summary_body = [[u.code, u.name, *count_cells([c for c in counts if c["unit_code"] == u.code])]
                    for u in units()]
    total = count_cells(counts)
    total[-1] = sum(row[-1] for row in summary_body)  # unit-months, so that 合计 = Σ rows here too
    summary_body.append(["", "合计", *total])
    summary_form = StatForm(
        title="广告资讯信息排查清理情况统计表", form_no="鄂处非统8表", period_label=period.label,
        unit_of_measure="人次、户、条", sheet="排查汇总", rows=summary_body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 *[FormColumn("本期", k.label, "count") for k in SUMMARY_COUNTS],
                 *[FormColumn("本年累计", k.label, "count") for k in SUMMARY_COUNTS],
                 FormColumn("本年报送(月)", "本年报送(月)", "count")],
        notes=["注：数据来自各单位每月报送的排查汇总表（同一单位同一月份以最新更正版为准），按报告月份统计；"
               "专项排查期为5—9月（任务二十二），其余月份为日常排查。合计行“本年报送(月)”为有报送的月份数之和。"])
    detail_body = [[u.code, u.name, *advert_cells([a for a in adverts if a["unit_code"] == u.code])]
                   for u in units()]
    detail_body.append(["", "合计", *advert_cells(adverts)])
    detail_form = StatForm(
        title="涉非广告资讯排查处置分类统计表", form_no="鄂处非统8表附1", period_label=period.label,
        unit_of_measure="条", sheet="分类统计", rows=detail_body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("本期排查发现", "合计", "count"), FormColumn("本期排查发现", "其中未持牌", "count"),
                 *[FormColumn("按载体类型", carrier, "count") for carrier in CARRIERS],
                 *[FormColumn("按处置措施", action, "count") for action in ACTIONS],
                 FormColumn("本年累计排查发现", "本年累计排查发现", "count")],
        notes=["注：按排查明细表逐条统计，排查日期在报告期内；按载体类型、按处置措施各列之和均等于本期排查发现合计。"])
    sources = {c["file_sha256"] for c in counts} | {a["file_sha256"] for a in adverts}
    return {"_ad_screening": summary_form, "_ad_screening_detail": detail_form}, sources


def build_office_package(engine: Engine, data: DataDir, period: Period, report: str,
                         forms_of: Callable[[Engine, Period], tuple[dict[str, StatForm], list[str]]]) -> dict:
    """Compute ``forms_of``'s forms and write outbox/<report>/<period>/v<n>/; returns the manifest."""
    warehouse.ensure_schema(engine)
    forms, sources = forms_of(engine, period)
    root: Path = data.outbox / report / period.key
    return write_package(root, report, period.key,
                         {f"{report}_{period.key}{suffix}": form for suffix, form in forms.items()}, sources,
                         issued=issue_date_of(engine, period.end, sources))
