"""What each submission kind contains: its columns, their Chinese labels and types.

One spec drives the template, the reader, normalisation, the warehouse columns and the receipt's
column names, so a column is described once. The documented column sets are in
docs/datasets.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from chufei import normalise
from chufei.config import code_lists


@dataclass(frozen=True)
class Column:
    name: str  # warehouse column
    label: str  # header text in the template
    kind: str  # text | date | amount_wan | amount_yuan | count | flag | choice
    required: bool = True
    choices: str | None = None  # key into include/reference/code_lists.json
    personal: bool = False  # masked in every receipt, export and log
    width: int = 14

    def parse(self, value: object) -> object:
        if self.kind == "choice":
            return normalise.parse_choice(value, code_lists()[self.choices or ""])
        return _PARSERS[self.kind](value)

    @property
    def sql_kind(self) -> str:
        return {"amount_wan": "fen", "amount_yuan": "fen"}.get(self.kind, self.kind)


_PARSERS: dict[str, Callable[[object], object]] = {
    "text": normalise.clean_text,
    "date": normalise.parse_date,
    "amount_wan": normalise.parse_amount_wan,
    "amount_yuan": normalise.parse_amount_yuan,
    "count": normalise.parse_count,
    "flag": normalise.parse_flag,
}


@dataclass(frozen=True)
class Dataset:
    name: str  # also the GX suite file name and the warehouse table stem
    title: str  # 案件台账: the workbook title and sheet name
    period_kind: str  # the period a submission covers
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique within one submission
    aliases: tuple[str, ...] = field(default=())  # other titles people give the sheet

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def labels(self) -> dict[str, Column]:
        return {column.label: column for column in self.columns}


CASE_LEDGER = Dataset(
    name="case_ledger",
    title="案件台账",
    period_kind="month",
    key=("case_no",),
    aliases=("非法集资案件台账", "案件统计台账"),
    columns=(
        Column("case_no", "案件编号", "text", width=18),
        Column("case_name", "案件名称", "text", width=28),
        Column("filed_date", "立案日期", "date", width=12),
        Column("handling_unit", "承办单位", "text", width=18),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("amount_fen", "涉案金额(万元)", "amount_wan"),
        Column("participants", "集资参与人数", "count"),
        Column("cross_region", "是否跨区域", "flag", width=10),
        Column("stage", "处置阶段", "choice", choices="处置阶段", width=10),
        Column("recovered_fen", "已追缴资产(万元)", "amount_wan", required=False),
        Column("unpaid_principal_fen", "核实未兑付本金(万元)", "amount_wan", required=False),
        Column("repaid_fen", "已清退金额(万元)", "amount_wan", required=False),
        Column("repaid_people", "已清退人数", "count", required=False),
        Column("is_old_case", "是否陈案", "flag", width=10),
        Column("closed_date", "结案日期", "date", required=False, width=12),
    ),
)

DATASETS: dict[str, Dataset] = {dataset.name: dataset for dataset in (CASE_LEDGER,)}
