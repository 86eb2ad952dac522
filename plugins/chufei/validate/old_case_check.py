"""陈案处置进展 against the 案件台账: the same old case, as two reports of one unit describe it.

A unit's monthly progress report (``old_case_progress``) lists its old cases (filed before the
year, open on 1 January); its monthly ledger (``case_ledger``) lists every case, those old ones
included. For each old case of a unit and month this compares 核实未兑付本金, 已清退金额 (the
progress report's 累计清退金额), 处置阶段 and 是否化解/结案日期 (化解 in the report ⇔ a 结案日期 in the
ledger, on the same day), and lists the cases one report has and the other lacks.

Two readers, one comparison (``compare``):

- the receipt of the file just loaded, against whatever the warehouse holds for the other report
  at that moment (``receipt_warnings``): the reports arrive in either order, so the one that
  comes second carries the warnings, and the first is compared only when the second arrives;
- the old-case package's 核对 form, for the month (or December, for the year) as the warehouse
  holds it when the package is built (``period_discrepancies``): the authoritative reconciliation.

Money is compared in exact integer 分. An empty ledger amount counts as 0, as the old-case forms
count it (it is shown as “未填”).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Connection

from chufei.core.normalise import format_wan
from chufei.core.periods import Period
from chufei.core.sql import as_date, run_sql
from chufei.kinds.obligations import obligated_units
from chufei.kinds.registry import DATASETS

PROGRESS, LEDGER = "old_case_progress", "case_ledger"
PRESENCE = "是否列报"  # the 核对项目 of a case only one report lists
SUBMITTED = "报送情况"  # the 核对项目 of a unit whose month lacks one of the two reports


@dataclass(frozen=True)
class CaseView:
    """One old case as one report states it; ``row`` is its row in the unit's file."""

    case_no: str
    case_name: str
    row: int | None
    unpaid_fen: int | None
    repaid_fen: int | None
    stage: str | None
    resolved: bool
    resolved_on: date | None


@dataclass
class Report:
    """One unit's current report of one kind for a month: its file and its old cases."""

    dataset: str
    sha256: str
    file_name: str
    cases: dict[str, CaseView] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The file and its receipt (receipts/<sha256>.json), as a reader looks them up."""
        return f"{self.file_name}（回执 {self.sha256[:12]}）"


@dataclass(frozen=True)
class Discrepancy:
    unit_code: str
    case_no: str
    case_name: str
    item: str  # the 核对项目: a field's label, PRESENCE or SUBMITTED
    progress_value: str
    ledger_value: str
    progress_row: int | None = None
    ledger_row: int | None = None
    progress_column: str | None = None  # the dataset column the report's cell is in
    ledger_column: str | None = None


@dataclass(frozen=True)
class _Field:
    label: str
    progress_column: str
    ledger_column: str


FIELDS = (_Field("核实未兑付本金(万元)", "unpaid_principal_fen", "unpaid_principal_fen"),
          _Field("已清退金额(万元)", "repaid_fen", "repaid_fen"),
          _Field("处置阶段", "stage", "stage"),
          _Field("是否化解/结案日期", "resolved", "closed_date"))


def is_year_stock(filed: date | None, closed: date | None, year_start: date) -> bool:
    """An old case of the year: filed before 1 January and not closed before it (年初陈案存量)."""
    return filed is not None and filed < year_start and (closed is None or closed >= year_start)


def _int(value: object) -> int | None:
    return None if value is None else int(value)


def progress_case(values: dict, row: int | None) -> CaseView:
    """A 陈案处置进展 row (as loaded or as validated) as a case."""
    resolved = bool(values.get("resolved"))
    return CaseView(str(values["case_no"]), values.get("case_name") or "", row, _int(values.get("unpaid_principal_fen")),
                    _int(values.get("repaid_fen")), values.get("stage"), resolved,
                    as_date(values.get("resolved_date")) if resolved else None)


def ledger_case(values: dict, row: int | None) -> CaseView:
    """A 案件台账 row as a case: 化解 is a 结案日期."""
    closed = as_date(values.get("closed_date"))
    return CaseView(str(values["case_no"]), values.get("case_name") or "", row, _int(values.get("unpaid_principal_fen")),
                    _int(values.get("repaid_fen")), values.get("stage"), closed is not None, closed)


def ledger_old_cases(rows: list[tuple[int, dict]], year_start: date) -> dict[str, CaseView]:
    """The ledger's old cases of the year, by 案件编号."""
    return {str(values["case_no"]): ledger_case(values, row) for row, values in rows
            if is_year_stock(as_date(values.get("filed_date")), as_date(values.get("closed_date")), year_start)}


def _money(fen: int | None, empty: str = "未填") -> str:
    if fen is None:
        return empty
    exact = format_wan(fen, 6)
    two = exact.quantize(Decimal("0.01"))
    return f"{two:,}" if two == exact else f"{exact.normalize():,f}"


def _resolution(case: CaseView) -> str:
    """是（its day: the 化解日期 of a progress report, the 结案日期 of a ledger）or 否."""
    if not case.resolved:
        return "否"
    return f"是（{case.resolved_on.isoformat() if case.resolved_on else '未填日期'}）"


def _field_values(item: _Field, progress: CaseView, ledger: CaseView) -> tuple[str, str] | None:
    """Both reports' values of one field as shown, or None when they agree."""
    if item.progress_column in ("unpaid_principal_fen", "repaid_fen"):
        attribute = "unpaid_fen" if item.progress_column == "unpaid_principal_fen" else "repaid_fen"
        mine, theirs = getattr(progress, attribute), getattr(ledger, attribute)
        if (mine or 0) == (theirs or 0):  # an empty amount counts 0, as the old-case forms count it
            return None
        return _money(mine), _money(theirs, "未填（按0计）")
    if item.progress_column == "stage":
        return None if progress.stage == ledger.stage else (progress.stage or "未填", ledger.stage or "未填")
    if (progress.resolved, progress.resolved_on) == (ledger.resolved, ledger.resolved_on):
        return None
    return _resolution(progress), _resolution(ledger)


def compare(unit_code: str, progress: dict[str, CaseView], ledger: dict[str, CaseView]) -> list[Discrepancy]:
    """Every field on which the two reports' old cases differ, and every case only one lists,
    in 案件编号 order."""
    found: list[Discrepancy] = []
    for case_no in sorted(set(progress) | set(ledger)):
        mine, theirs = progress.get(case_no), ledger.get(case_no)
        if mine is None or theirs is None:
            listed = mine or theirs
            found.append(Discrepancy(
                unit_code, case_no, listed.case_name, PRESENCE,
                f"第 {mine.row} 行" if mine else "未列报", f"第 {theirs.row} 行" if theirs else "未列报",
                progress_row=mine.row if mine else None, ledger_row=theirs.row if theirs else None,
                progress_column="case_no" if mine else None, ledger_column="case_no" if theirs else None))
            continue
        for item in FIELDS:
            values = _field_values(item, mine, theirs)
            if values is None:
                continue
            progress_column = item.progress_column
            if progress_column == "resolved" and mine.resolved == theirs.resolved:
                progress_column = "resolved_date"  # the flags agree: the dates differ
            found.append(Discrepancy(unit_code, case_no, mine.case_name or theirs.case_name, item.label, *values,
                                     progress_row=mine.row, ledger_row=theirs.row,
                                     progress_column=progress_column, ledger_column=item.ledger_column))
    return found


def reports_of_month(connection: Connection, dataset: str, period: Period) -> dict[str, Report]:
    """Every unit's current report of ``dataset`` for the month ``period``, with its old cases."""
    reports: dict[str, Report] = {}
    rows: dict[str, list[tuple[int, dict]]] = {}
    query = "old_case_progress_of_period" if dataset == PROGRESS else "case_ledger_of_period"
    for record in run_sql(connection, query, period_key=period.key).mappings():
        unit = record["unit_code"]
        reports.setdefault(unit, Report(dataset, record["file_sha256"], record["original_name"]))
        if record["case_no"] is not None:
            rows.setdefault(unit, []).append((int(record["row_no"]), dict(record)))
    for unit, report in reports.items():
        listed = rows.get(unit, [])
        report.cases = ({str(values["case_no"]): progress_case(values, row) for row, values in listed}
                        if dataset == PROGRESS else ledger_old_cases(listed, period.year_start))
    return reports


def period_discrepancies(connection: Connection, period: Period) -> tuple[list[Discrepancy], dict[str, Report],
                                                                          dict[str, Report]]:
    """The month's reconciliation for every unit that sent or owes a progress report: the
    discrepancies, and the progress reports and ledgers compared (by unit code)."""
    progress, ledgers = reports_of_month(connection, PROGRESS, period), reports_of_month(connection, LEDGER, period)
    owing = {unit.code for unit in obligated_units(PROGRESS)}
    found: list[Discrepancy] = []
    for unit in sorted(set(progress) | (owing & set(ledgers))):
        report, ledger = progress.get(unit), ledgers.get(unit)
        if report is None:
            if ledger.cases:  # a unit whose ledger holds no old case owes nothing to reconcile
                found.append(Discrepancy(unit, "", "", SUBMITTED, "未报送", f"陈案 {len(ledger.cases)} 件"))
        elif ledger is None:
            found.append(Discrepancy(unit, "", "", SUBMITTED, f"陈案 {len(report.cases)} 件", "未报送"))
        else:
            found += compare(unit, report.cases, ledger.cases)
    return found, progress, ledgers


def receipt_warnings(connection: Connection, dataset: str, unit_code: str, period: Period, sheet: str,
                     letters: dict[str, str], rows: list[tuple[int, dict]]) -> list[dict]:
    """The receipt's warnings for a unit's progress report or ledger just loaded (``rows``: its
    accepted rows with their sheet rows), compared with the other report as the warehouse holds
    it now. Nothing when the other has not arrived: the comparison waits for it, and the month's
    package reconciles both whatever their order."""
    if period.kind != "month" or dataset not in (PROGRESS, LEDGER):
        return []
    other = reports_of_month(connection, LEDGER if dataset == PROGRESS else PROGRESS, period).get(unit_code)
    mine = ({str(values["case_no"]): progress_case(values, row) for row, values in rows} if dataset == PROGRESS
            else ledger_old_cases(rows, period.year_start))
    if other is None:
        if dataset == PROGRESS:
            return [_warning(sheet, None, None, letters, f"本单位{period.label}的案件台账尚未报送，本表暂未与案件台账核对；"
                                                         "台账报送后，核对结果见该月案件统计月报的核对表")]
        return []
    progress, ledger = (mine, other.cases) if dataset == PROGRESS else (other.cases, mine)
    other_title = DATASETS[LEDGER if dataset == PROGRESS else PROGRESS].title
    return [_discrepancy_warning(d, dataset, sheet, letters, other_title, other.source, period)
            for d in compare(unit_code, progress, ledger)]


def _warning(sheet: str, row: int | None, column: str | None, letters: dict[str, str], message: str,
             dataset: str | None = None, value: str | None = None) -> dict:
    label = DATASETS[dataset].column(column).label if dataset and column else None
    cell = f"{letters[column]}{row}" if column in letters and row else None
    return {"sheet": sheet, "row": row, "column": label, "cell": cell, "value": value, "message": message}


def _discrepancy_warning(d: Discrepancy, dataset: str, sheet: str, letters: dict[str, str], other_title: str,
                         other_source: str, period: Period) -> dict:
    ours = dataset == PROGRESS
    row, column = (d.progress_row, d.progress_column) if ours else (d.ledger_row, d.ledger_column)
    mine, theirs = (d.progress_value, d.ledger_value) if ours else (d.ledger_value, d.progress_value)
    case = f"案件 {d.case_no}（{d.case_name}）" if d.case_name else f"案件 {d.case_no}"
    other = f"本单位{period.label}{other_title}（{other_source}）"
    if d.item == PRESENCE:
        message = (f"{case}在本表中列报，但{other}中没有这一本年陈案" if row else f"{other}列有本年陈案{case}，本表未列报")
    else:
        message = f"{case}的“{d.item}”与{other}不一致：本表为 {mine}，{other_title}为 {theirs}"
    message += "。陈案化解率、清退率以案件台账为准，请核实后更正有误的一份"
    return _warning(sheet, row, column, letters, message, dataset, mine if d.item != PRESENCE else None)
