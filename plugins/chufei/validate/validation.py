"""Row-level validation: normalisation, the dataset's GX suite, and the rules GX cannot express.

Every problem becomes an ``Issue`` naming sheet, row, column and cell, so a unit can find it.
A row with any issue is quarantined with all its reasons; the others are loaded.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache, cache
from typing import Any
from collections.abc import Callable

from chufei.core.settings import EXPECTATIONS_DIR
from chufei.kinds.registry import KINDS
from chufei.kinds.spec import Column, Dataset
from chufei.core.masking import mask_value
from chufei.core.periods import Period
from chufei.kinds.ranges import expand
from chufei.kinds.rules import storage_problem
from chufei.read.workbook import ParsedWorkbook

ROW_ID = "_row"


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int | None
    column: str | None  # the column's header label
    cell: str | None  # e.g. C7
    value: Any
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RowOutcome:
    row: int
    raw: dict[str, object]
    values: dict[str, object]
    issues: list[Issue] = field(default_factory=list)


@dataclass
class ValidationResult:
    valid: list[RowOutcome]
    rejected: list[RowOutcome]

    @property
    def issues(self) -> list[Issue]:
        return [issue for outcome in self.rejected for issue in outcome.issues]


RowRule = Callable[[dict[str, object], Period], list[tuple[str, str]]]


def _cell_value(column: Column | None, value: object) -> object:
    if value is None:
        return None
    if isinstance(value, datetime) and value.time() == time(0):
        value = value.date()
    if column is not None and column.pseudonymised:
        return "（已隐去）"  # a reporter's identity is never echoed, not even masked
    shown = mask_value(value) if column is not None and column.personal else value
    return shown if isinstance(shown, (str, int, float, bool)) else str(shown)


# Dates that name a plan, not an event: they may well lie after the file's arrival.
PLANNED_DATES = {"rectify_deadline"}


class RowValidator:
    """Validates the rows of one parsed workbook against its dataset; ``arrived_on`` (the file's
    arrival, Beijing date) refuses dates a unit cannot have known when it sent the file."""

    def __init__(self, parsed: ParsedWorkbook, arrived_on: date | None = None):
        self.parsed = parsed
        self.dataset = parsed.dataset
        self.arrived_on = arrived_on
        self.outcomes: dict[int, RowOutcome] = {}

    def add(self, row: int, column_name: str | None, message: str) -> None:
        outcome = self.outcomes[row]
        column = self.dataset.column(column_name) if column_name else None
        if column_name and any(i.column == column.label and i.message == message for i in outcome.issues):
            return
        letter = self.parsed.column_letters.get(column_name or "")
        raw = outcome.raw.get(column_name) if column_name else None
        shown = _cell_value(column, raw) if column_name else None
        if column is not None and column.personal and raw not in (None, "") and str(raw) in message:
            message = message.replace(str(raw), str(shown))  # the message must not repeat what the value hides
        outcome.issues.append(Issue(
            sheet=self.parsed.sheet, row=row, column=column.label if column else None,
            cell=f"{letter}{row}" if letter else None, value=shown, message=message))

    def run(self) -> ValidationResult:
        for sheet_row in self.parsed.rows:
            outcome = RowOutcome(sheet_row.row, sheet_row.values, {})
            self.outcomes[sheet_row.row] = outcome
            for column in self.dataset.columns:
                try:
                    outcome.values[column.name] = column.parse(sheet_row.values.get(column.name))
                    too_big = storage_problem(column, outcome.values[column.name])
                    if too_big:
                        raise ValueError(too_big)
                except ValueError as error:
                    outcome.values[column.name] = None
                    self.add(sheet_row.row, column.name, str(error))
        for row, column_name, message in self.parsed.cell_problems:  # the reader knows why the cell is empty
            if row in self.outcomes:
                self.outcomes[row].values[column_name] = None
                self.add(row, column_name, message)
        for row, column_name, message in run_suite(self.dataset, list(self.outcomes.values())):
            if not any(i.column == self.dataset.column(column_name).label for i in self.outcomes[row].issues):
                self.add(row, column_name, message)
        for rule in RULES.get(self.dataset.name, []):
            for outcome in self.outcomes.values():
                for column_name, message in rule(outcome.values, self.parsed.period):
                    self.add(outcome.row, column_name, message)
        self._check_unique_keys()
        self._check_not_after_arrival()
        outcomes = sorted(self.outcomes.values(), key=lambda o: o.row)
        return ValidationResult(valid=[o for o in outcomes if not o.issues],
                                rejected=[o for o in outcomes if o.issues])

    def _check_not_after_arrival(self) -> None:
        if self.arrived_on is None:
            return
        dates = [column for column in self.dataset.columns if column.kind == "date" and column.name not in PLANNED_DATES]
        for outcome in self.outcomes.values():
            for column in dates:
                day = outcome.values.get(column.name)
                if isinstance(day, date) and day > self.arrived_on:
                    self.add(outcome.row, column.name, f"{column.label} {day} 晚于本文件的到达日期 {self.arrived_on}："
                                                       "不能填写尚未发生的日期，请核实")

    def _check_unique_keys(self) -> None:
        if not self.dataset.key:
            return
        first_seen: dict[tuple, int] = {}
        for outcome in sorted(self.outcomes.values(), key=lambda o: o.row):
            key = tuple(outcome.values.get(name) for name in self.dataset.key)
            if any(part is None for part in key):
                continue
            if key in first_seen:
                labels = "、".join(self.dataset.column(n).label for n in self.dataset.key)
                self.add(outcome.row, self.dataset.key[0], f"{labels}与第 {first_seen[key]} 行重复")
            else:
                first_seen[key] = outcome.row


def validate(parsed: ParsedWorkbook, arrived_on: date | None = None) -> ValidationResult:
    return RowValidator(parsed, arrived_on).run()


# A snapshot kind may be sent before its period ends: the 风险监测台账 of H1 is due on 6月20日.
SENT_BEFORE_PERIOD_END = {"risk_ledger"}


def period_not_over(dataset: Dataset, period: Period, arrived_on: date | None) -> str | None:
    """Why a file that arrived on ``arrived_on`` cannot report ``period`` yet (None: it can)."""
    if arrived_on is None:
        return None
    if dataset.name in SENT_BEFORE_PERIOD_END:
        if arrived_on < period.start:
            return (f"报告期“{period.label}”尚未开始（文件到达日期 {arrived_on}）：请核对报告期，"
                    "不能报送未来报告期的数据")
        return None
    if arrived_on < period.end:
        return (f"报告期“{period.label}”截至 {period.end - timedelta(days=1)}，文件到达时（{arrived_on}）尚未结束："
                "报告期结束后才能报送该期数据，请核对报告期或在期末后报送")
    return None


# --- Great Expectations ------------------------------------------------------------------

@cache
def load_suite_spec(dataset_name: str) -> dict:
    """The GX suite the kind declares (``Kind.suite``, a file in include/expectations/), each named
    range filled in from its one definition (``kinds.ranges``)."""
    spec = json.loads((EXPECTATIONS_DIR / KINDS[dataset_name].suite).read_text(encoding="utf-8"))
    return {**spec, "expectations": [expand(expectation) for expectation in spec["expectations"]]}


GX_QUIET_LOGGERS = ("great_expectations._docs_decorators", "great_expectations.data_context",
                    "great_expectations.datasource")


@lru_cache(maxsize=1)
def _gx():
    """One ephemeral GX context per process; importing GX takes seconds, so only on first use."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # GX logs ~200 "Skipping registering function …" lines at INFO on import, and its context
    # set-up more: they would bury the task log's one line per file.
    for name in GX_QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (context.data_sources.add_pandas("chufei")
                        .add_dataframe_asset("rows").add_batch_definition_whole_dataframe("all"))
    return gx, batch_definition


@cache
def _suite(dataset_name: str):
    gx, _ = _gx()
    spec = load_suite_spec(dataset_name)
    return gx.ExpectationSuite(name=spec["name"], expectations=[
        gx.expectations.registry.get_expectation_impl(e["type"])(**e["kwargs"], meta=e.get("meta"))
        for e in spec["expectations"]])


def frame_for_suite(dataset: Dataset, rows: list[dict[str, object]], row_ids: list[int]):
    """The typed rows as a DataFrame GX can check: dates as datetimes, flags and counts nullable."""
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=[c.name for c in dataset.columns])
    for column in dataset.columns:
        if column.kind == "date":
            # Python dates (object dtype): GX 1.x turns a suite's "1990-01-01" bound into a date,
            # which a datetime64 column cannot be compared with (the expectation errors out).
            frame[column.name] = pd.Series([v if v is not None and v == v else None for v in frame[column.name]],
                                           dtype=object, index=frame.index)
        elif column.kind in {"count", "amount_wan", "amount_yuan"}:
            frame[column.name] = frame[column.name].astype("Int64")
        elif column.kind == "flag":
            frame[column.name] = frame[column.name].astype("boolean")
    frame[ROW_ID] = row_ids
    return frame


def run_suite(dataset: Dataset, outcomes: list[RowOutcome]) -> list[tuple[int, str, str]]:
    """(row, column, message) for each row an expectation of the dataset's suite rejects."""
    if not outcomes:
        return []
    _, batch_definition = _gx()
    frame = frame_for_suite(dataset, [o.values for o in outcomes], [o.row for o in outcomes])
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(_suite(dataset.name), result_format={
        "result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]})
    failures = []
    for expectation_result in result.results:
        if expectation_result.success:
            continue
        config = expectation_result.expectation_config
        meta = config.meta or {}
        column = meta.get("column") or config.kwargs.get("column") or config.kwargs.get("column_A")
        message = meta.get("message") or config.type
        index_list = expectation_result.result.get("unexpected_index_list") or []
        error = _raised(expectation_result.exception_info)
        if not index_list and error:
            raise RuntimeError(f"GX expectation {config.type} on {column} failed to run: {error}")
        for entry in index_list:
            failures.append((int(entry[ROW_ID]), column, message))
    return failures


def _raised(exception_info: dict) -> str | None:
    """The error message when an expectation could not run; GX 1.x nests it per metric."""
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info["raised_exception"] else None
    for info in exception_info.values():
        if isinstance(info, dict) and info.get("raised_exception"):
            return info.get("exception_message") or "unknown error"
    return None


# --- Rules GX cannot express --------------------------------------------------------------
# Each kind's module declares them (chufei.kinds.<kind>.KIND.rules; documented in docs/datasets.md).
RULES: dict[str, list[RowRule]] = {name: list(kind.rules) for name, kind in KINDS.items()}
