"""The completeness matrix as a package the office can print: 报送完成情况表 and its 明细.

One form, laid out and published like every statistical form (``chufei.outbox.layout``,
``chufei.outbox.reports.write_package``: header and footer blocks, A4 landscape at 80 % or more,
a CSV twin, a manifest, versions). A year's worth of items is too wide for one page, so the form
is split into numbered parts: 表一 the 汇总 (per unit: 应报, 按时, 逾期, 未报, 其中零报告), then one
part per kind and year with a column per period (its header: the kind, the period, 时限 and the
due day) and the unit's 小计, only for the units that owe the kind. Each part ends in a 合计 row
(per period: how many on time, late, missing). The 明细 lists every item with the arrival of its
first file. Nothing in the files depends on the clock: the day is the run's, the arrivals are
the files' own, the processing times stay in the warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from datetime import date
from pathlib import Path

from chufei.core.periods import TZ, parse_period
from chufei.core.units import units
from chufei.kinds.obligations import SOURCE as OBLIGATIONS_SOURCE
from chufei.kinds.obligations import work_plan
from chufei.statistics.forms import FormColumn, FormPart, StatForm

if TYPE_CHECKING:  # run_watch in chufei.ops.watch calls this module
    from chufei.ops.watch import StatusRow

MATRIX_FORM_NO = "鄂处非监1表"
CELL_TEXT = {"received": "按时", "late": "逾期", "missing": "未报"}
ZERO_TEXT = {"received": "零报告", "late": "逾期\n零报告"}
SUMMARY_LABELS = ("应报", "按时", "逾期", "未报", "其中\n零报告")
NUMERALS = "一二三四五六七八九"


def numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一: the numbers of the form's parts."""
    tens, ones = divmod(number, 10)
    return (("" if tens < 2 else NUMERALS[tens - 1]) + ("十" if tens else "")
            + (NUMERALS[ones - 1] if ones else "")) or "零"


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(row: StatusRow) -> str:
    """What a unit's cell says: 按时 / 逾期 / 未报; a return without rows says 零报告 (it is one)."""
    if row.zero_return and row.status in ZERO_TEXT:
        return ZERO_TEXT[row.status]
    return CELL_TEXT[row.status]


def _title(dataset: str) -> str:
    from chufei.kinds.registry import DATASETS

    return DATASETS[dataset].title if dataset in DATASETS else dataset


def _tally(rows: Sequence[StatusRow]) -> list[int]:
    """应报, 按时, 逾期, 未报, 其中零报告 of ``rows``."""
    statuses = [r.status for r in rows]
    return [len(rows), statuses.count("received"), statuses.count("late"), statuses.count("missing"),
            sum(1 for r in rows if r.zero_return)]


def _period_total(rows: Sequence[StatusRow]) -> str:
    owed, on_time, late, missing, zero = _tally(rows)
    return f"按时{on_time}\n逾期{late}\n未报{missing}"


# Period columns on one part: 13 of them (with the key and 小计 columns) print at about 90 %.
PART_PERIODS = 13
KIND_ORDER = {"month": 0, "quarter": 1, "half": 2, "year": 3}


def _parts_of(blocks: dict[tuple[str, int], list[tuple[str, date]]]) -> list[list[tuple[str, int]]]:
    """The blocks (kind × year) packed into parts of at most ``PART_PERIODS`` period columns, first
    fit, monthly kinds first: the case ledgers share a page with the risk ledgers' two halves
    instead of those printing alone."""
    parts: list[list[tuple[str, int]]] = []
    order = sorted(blocks, key=lambda b: (b[1], KIND_ORDER[parse_period(blocks[b][0][0]).kind]))
    for block in order:
        for part in parts:
            if part[0][1] == block[1] and sum(len(blocks[b]) for b in part) + len(blocks[block]) <= PART_PERIODS:
                part.append(block)
                break
        else:
            parts.append([block])
    return parts


def _two_lines(title: str) -> str:
    """A kind's title over a narrow count column: 风险监测 / 台账, broken where we choose, not mid-word."""
    return title if len(title) <= 4 else f"{title[:4]}\n{title[4:]}"


def _room_for(group: str, columns: int) -> float:
    """The width each of ``columns`` columns needs for ``group`` to print on one line above them
    (with room for LibreOffice's wider glyphs than the layout's estimate)."""
    from chufei.outbox.layout import text_width

    return round((text_width(group) + 3) / columns, 1)


def _part_title(part_blocks: list[tuple[str, int]], blocks: dict) -> str:
    """案件台账、风险监测台账 for two kinds; 季度报送事项 for more, when they share a period kind."""
    if len(part_blocks) <= 2:
        return "、".join(_title(dataset) for dataset, _ in part_blocks)
    period_kinds = {parse_period(blocks[b][0][0]).kind for b in part_blocks}
    names = {"month": "月度", "quarter": "季度", "half": "半年", "year": "年度"}
    return f"{names[period_kinds.pop()]}报送事项" if len(period_kinds) == 1 else "其他报送事项"


def matrix_form(rows: Sequence[StatusRow], as_of: date) -> StatForm:
    """The matrix of ``rows`` (``chufei.ops.watch.completeness`` for ``as_of``) as a numbered form."""
    plan_order = {o.dataset: index for index, o in enumerate(work_plan().obligations)}
    registry = [u for u in units() if any(r.item.unit_code == u.code for r in rows)]
    by_key = {(r.item.unit_code, r.item.dataset, r.item.period_key): r for r in rows}
    kinds = sorted({r.item.dataset for r in rows}, key=lambda d: (plan_order.get(d, len(plan_order)), d))
    columns = [FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text")]
    columns += [FormColumn("合计", label, "count") for label in SUMMARY_LABELS]
    columns += [FormColumn("其中未报", _two_lines(_title(dataset)), "count") for dataset in kinds]
    parts = [FormPart("一", "汇总", tuple(range(2, len(columns))))]
    blocks: dict[tuple[str, int], list[tuple[str, date]]] = {}
    for dataset, period_key, due in sorted({(r.item.dataset, r.item.period_key, r.item.due_date) for r in rows},
                                           key=lambda c: (plan_order.get(c[0], len(plan_order)), c[0], c[2], c[1])):
        blocks.setdefault((dataset, parse_period(period_key).year), []).append((period_key, due))
    # per column after the summary: the (dataset, period key) it shows, or the part and status of a 小计
    cells: list[tuple[str, object]] = []
    years = {year for _, year in blocks}
    for part_blocks in _parts_of(blocks):
        part_blocks.sort(key=lambda b: plan_order.get(b[0], len(plan_order)))
        year = part_blocks[0][1]
        heading = f"{_part_title(part_blocks, blocks)}（{year}年）"
        first = len(columns)
        keys = set()
        for dataset, _ in part_blocks:
            # the year in the kind's title only when the matrix spans years: its part's title has it
            group = _title(dataset) + (f"（{year}年）" if len(years) > 1 else "")
            periods = blocks[(dataset, year)]
            for period_key, due in periods:
                short = parse_period(period_key).label.removeprefix(f"{year}年") or "全年"
                columns.append(FormColumn(group, f"{short}\n时限\n{due.month}月{due.day}日", "text",
                                          min_width=_room_for(group, len(periods))))
                cells.append((dataset, period_key))
                keys.add((dataset, period_key))
        for status in ("received", "late", "missing"):
            group = f"{heading}小计"
            columns.append(FormColumn(group, CELL_TEXT[status], "count", min_width=_room_for(group, 3)))
            cells.append(("小计", (frozenset(keys), status)))
        owing = tuple(index for index, unit in enumerate(registry)
                      if any((unit.code, *key) in by_key for key in keys))
        parts.append(FormPart(numeral(len(parts) + 1), heading, tuple(range(first, len(columns))), owing))

    body: list[list[object]] = []
    for unit in [*registry, None]:
        own = [r for r in rows if unit is None or r.item.unit_code == unit.code]
        values: list[object] = [unit.code if unit else "合计", unit.name if unit else ""] + _tally(own)
        values += [_tally([r for r in own if r.item.dataset == dataset])[3] for dataset in kinds]
        for dataset, key in cells:
            if dataset == "小计":  # this unit's (or every unit's) items of the part with that status
                keys, status = key
                values.append(sum(1 for r in own if (r.item.dataset, r.item.period_key) in keys and r.status == status))
            elif unit is None:
                values.append(_period_total([r for r in rows if (r.item.dataset, r.item.period_key) == (dataset, key)]))
            else:
                status_row = by_key.get((unit.code, dataset, key))
                values.append(cell_text(status_row) if status_row is not None else None)
        body.append(values)
    notes = [
        f"按时、逾期：该项首份报送文件到达收件箱的时间（北京时间）在时限当日24时前、后；未报：截至{day_label(as_of)}24时未收到。"
        "零报告：报送了无数据行的报表并已接收，视为已报送，不计为未报。空白：该单位无此项报送任务（依据年度工作要点）。"
        "合计行各期栏为按时、逾期、未报的项数。",
    ]
    return StatForm(title=f"非法集资防范处置工作报送完成情况表（截至{day_label(as_of)}）", form_no=MATRIX_FORM_NO,
                    period_label=f"截至{day_label(as_of)}", unit_of_measure="项", columns=columns, rows=body,
                    sheet="汇总", notes=notes, parts=tuple(parts))


def detail_form(rows: Sequence[StatusRow], as_of: date) -> StatForm:
    """One line per due item: its kind, period, 时限, unit, state and its first file's arrival."""
    names = {u.code: u.name for u in units()}
    columns = [FormColumn(label, label, "text") for label in
               ("报送内容", "报告期", "时限", "工作要点", "代码", "单位", "完成情况", "首份文件到达时间")]
    body: list[list[object]] = []
    for row in rows:
        arrived = row.first_arrived_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if row.first_arrived_at else ""
        body.append([_title(row.item.dataset), parse_period(row.item.period_key).label, row.item.due_date.isoformat(),
                     f"第{row.item.task_no}项", row.item.unit_code, names.get(row.item.unit_code, row.item.unit_code),
                     cell_text(row).replace("\n", ""), arrived])
    owed, on_time, late, missing, zero = _tally(rows)
    body.append(["合计", f"{owed}项", "", "", "", "", f"按时{on_time} 逾期{late} 未报{missing}（零报告{zero}）", ""])
    notes = ["首份文件到达时间为北京时间；一项有多个版本（更正）时，按首份到达的文件判断是否逾期。",
             "零报告：报送了无数据行的报表并已接收，视为已报送。"]
    return StatForm(title=f"非法集资防范处置工作报送完成情况明细（截至{day_label(as_of)}）",
                    form_no=f"{MATRIX_FORM_NO}附", period_label=f"截至{day_label(as_of)}", unit_of_measure="项",
                    columns=columns, rows=body, sheet="明细", notes=notes)


def write_matrix_package(rows: Sequence[StatusRow], as_of: date, root: Path, sources: Sequence[str]) -> dict:
    """The matrix and its 明细 (xlsx + CSV twins + manifest) as a version under ``root`` =
    outbox/submission_watch/<day>/; its 报出日期 is the matrix's day. The obligations source is
    a source too: the matrix is its reading, even before anything arrived."""
    import hashlib

    from chufei.outbox.reports import write_package

    plan = hashlib.sha256(OBLIGATIONS_SOURCE.read_bytes()).hexdigest()
    day = as_of.isoformat()
    forms = {f"submission_matrix_{day}": matrix_form(rows, as_of), f"submission_detail_{day}": detail_form(rows, as_of)}
    return write_package(root, "submission_watch", day, forms, [plan, *sources], issued=day)
