"""The shape of a submission kind: its columns (``Column``, ``Dataset``) and everything else a
kind declares (``Kind``): rules, GX suite, template, the inbox it arrives in, its period.

One spec drives the template, the reader, normalisation, the warehouse columns and the receipt's
column names, so a column is described once. Each kind is one module of ``chufei.kinds``
(``chufei.kinds.registry`` finds them); the documented column sets are in docs/datasets.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from chufei.core import normalise
from chufei.core.periods import Period
from chufei.core.settings import code_lists


@dataclass(frozen=True)
class Column:
    name: str  # warehouse column
    label: str  # header text in the template
    kind: str  # text | date | amount_wan | amount_yuan | count | flag | choice
    required: bool = True
    choices: str | None = None  # key into include/reference/code_lists.json
    personal: bool = False  # masked in every receipt, export and log
    pseudonymised: bool = False  # never stored in clear: the warehouse keeps a keyed hash only
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


Problems = list[tuple[str, str]]  # (column name, message) per problem of one row
Rule = Callable[[dict[str, object], Period], Problems]


@dataclass(frozen=True)
class Kind:
    """One submission kind, as its module in ``chufei.kinds`` declares it.

    Who owes it and when it is due are not declared here: they are the work plan's, in the one
    obligations source ``include/reference/work_plan_tasks.json`` (``chufei.kinds.obligations``).
    """

    name: str  # also the warehouse table stem and the obligations' "dataset"
    title: str  # the Chinese name units and staff know it by
    inbox: str  # the inbox folder its files arrive in (chufei.core.settings.SOURCES)
    period_kind: str | None  # the period one submission covers; None for a continuous inflow
    suite: str  # its GX suite, a file in include/expectations/
    dataset: Dataset | None = None  # the workbook's columns (workbook kinds)
    fields: tuple = ()  # the columns of a kind that is not a workbook (grid exports)
    rules: tuple[Rule, ...] = ()  # row rules GX cannot express
    template: Callable[[Path], Path] | None = None  # writes the blank template into a folder

    @property
    def obligations(self) -> tuple:
        """What the work plan asks of this kind: who owes it, for which period, by when."""
        from chufei.kinds.obligations import obligations_of

        return obligations_of(self.name)

