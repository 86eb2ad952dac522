"""Cases reported by more than one unit (重复上报): found among the current cases, counted once.

Two units' current cases (``case_current``) are one case when they carry the same 案件编号, or the
same 案件名称 (compared by ``chufei.core.normalise.comparable_name``: full-width, spaces and
punctuation do not matter) with the same 立案日期 and the same 涉案金额 (unless one unit lists
several numbers under that name, date and amount: it says they are several cases). Copies linked
either way form one duplicate, whatever the number of units.

Which copy the city's totals count (the lead), in turn:

1. a copy from a unit in ``case_lead_units`` of include/reference/office.json (市公安局: the
   authority that files and investigates the criminal case keeps its ledger);
2. the copy of the unit that first sent a ledger listing the case (earliest arrival);
3. the smaller unit code.

Every unit's own row still shows its copy; the totals subtract the others
(``chufei.statistics.cases``), the receipts warn both units, the case packages list them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy.engine import Connection

from chufei.core.normalise import comparable_name
from chufei.core.settings import office
from chufei.core.sql import as_date, run_sql
from chufei.core.units import units

BY_NUMBER = "案件编号相同"
BY_NAME = "案件名称、立案日期、涉案金额相同"


@dataclass(frozen=True)
class CaseCopy:
    """One unit's current row of a case, and where the unit listed it."""

    unit_code: str
    case_no: str
    case_name: str | None
    filed_date: date | None
    closed_date: date | None
    amount_fen: int | None
    participants: int | None
    cross_region: bool | None
    industry: str | None
    unpaid_principal_fen: int | None
    repaid_fen: int | None
    submission_id: int
    file_sha256: str
    file_name: str
    period_key: str
    row_no: int | None
    first_arrival: datetime | None

    def __getitem__(self, name: str) -> object:  # read like a row by ``facts.case_contribution``
        return getattr(self, name)

    @property
    def unit_name(self) -> str:
        return _unit_names().get(self.unit_code, self.unit_code)


@dataclass(frozen=True)
class DuplicateCase:
    copies: tuple[CaseCopy, ...]  # the lead first, then the others by unit code
    basis: str  # BY_NUMBER, or BY_NAME when the numbers differ

    @property
    def lead(self) -> CaseCopy:
        return self.copies[0]

    @property
    def repeats(self) -> tuple[CaseCopy, ...]:
        """The copies the city's totals leave out."""
        return self.copies[1:]


@cache
def _unit_names() -> dict[str, str]:
    return {unit.code: unit.name for unit in units()}


def lead_units() -> tuple[str, ...]:
    return tuple(office().get("case_lead_units", ()))


def _number_key(case_no: str | None) -> str | None:
    """案件编号 as compared: full-width or not, any case, without spaces; its punctuation counts
    (A-12 and A1-2 are different numbers)."""
    if case_no is None:
        return None
    return "".join(unicodedata.normalize("NFKC", case_no).casefold().split()) or None


def _instant(value: object) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _copies(connection: Connection) -> list[CaseCopy]:
    return [CaseCopy(row["unit_code"], row["case_no"], row["case_name"], as_date(row["filed_date"]),
                     as_date(row["closed_date"]), row["amount_fen"], row["participants"],
                     None if row["cross_region"] is None else bool(row["cross_region"]), row["industry"],
                     row["unpaid_principal_fen"], row["repaid_fen"],
                     row["submission_id"], row["file_sha256"], row["original_name"], row["period_key"],
                     row["row_no"], None)
            for row in run_sql(connection, "case_copies").mappings()]


def _with_first_arrival(connection: Connection, copy: CaseCopy) -> CaseCopy:
    """The copy with when its unit first sent it: asked only for copies of a duplicate (few)."""
    found = run_sql(connection, "case_first_arrival", unit_code=copy.unit_code, case_no=copy.case_no).scalar()
    return replace(copy, first_arrival=_instant(found))


_FOUND: dict[tuple[str, int], list[DuplicateCase]] = {}  # (warehouse, data mark) → duplicates
_FOUND_KEPT = 4


def forget_found() -> None:
    """Drop the kept duplicates: ``refresh_case_facts`` calls it, so that whatever writes
    ``case_current`` in this process — a load, or a test or bench writing the table directly,
    which moves no data mark — is seen by the next look-up."""
    _FOUND.clear()


def duplicate_cases(connection: Connection) -> list[DuplicateCase]:
    """Every case that more than one unit reports, lead copy first, ordered by 立案日期 and 案件编号.

    The database picks the candidates (include/sql/case_copies.sql: a number, or a 立案日期 and
    amount, that two units share); names are compared here among those few. The result is kept
    per warehouse and case data mark (include/sql/case_data_mark.sql: it moves with every ledger
    loaded, in any process), and dropped whenever this process writes ``case_current``
    (``forget_found``): a package's forms, its 陈案 part and the page ask once per state of the
    data. The check reads the case-ledger submissions (a few per unit and month): counting the
    current cases, as it once did, scanned them all on every look-up, the one cost of a month
    that grew with the history.
    """
    key = (connection.engine.url.render_as_string(hide_password=True),
           int(run_sql(connection, "case_data_mark").scalar_one()))
    if key not in _FOUND:
        while len(_FOUND) >= _FOUND_KEPT:
            _FOUND.pop(next(iter(_FOUND)))
        _FOUND[key] = _find(connection)
    return _FOUND[key]


def _find(connection: Connection) -> list[DuplicateCase]:
    copies = _copies(connection)
    parent = list(range(len(copies)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def name_key(copy: CaseCopy) -> tuple | None:
        name = comparable_name(copy.case_name)
        if name is None or copy.filed_date is None or copy.amount_fen is None:
            return None
        return ("name", name, copy.filed_date, copy.amount_fen)

    # A unit that lists two numbers under one name, date and amount says they are two cases: the
    # name then identifies neither, and only the numbers link them to other units' copies.
    per_unit = Counter((copy.unit_code, name_key(copy)) for copy in copies)
    first: dict[tuple, int] = {}
    for index, copy in enumerate(copies):
        keys = [("no", _number_key(copy.case_no))]
        if (key := name_key(copy)) is not None and per_unit[(copy.unit_code, key)] == 1:
            keys.append(key)
        for key in keys:
            if key[1] is None:
                continue
            if key in first:
                parent[root(index)] = root(first[key])
            else:
                first[key] = index
    groups: dict[int, list[CaseCopy]] = {}
    for index, copy in enumerate(copies):
        groups.setdefault(root(index), []).append(copy)
    leads = lead_units()
    found = []
    for members in groups.values():
        if len({copy.unit_code for copy in members}) < 2:
            continue
        members = [_with_first_arrival(connection, copy) for copy in members]
        ordered = sorted(members, key=lambda c: (c.unit_code not in leads, c.first_arrival is None,
                                                 c.first_arrival or datetime.min.replace(tzinfo=UTC), c.unit_code))
        lead, others = ordered[0], sorted(ordered[1:], key=lambda c: (c.unit_code, c.case_no))
        numbers = {_number_key(copy.case_no) for copy in members}
        found.append(DuplicateCase((lead, *others), BY_NUMBER if len(numbers) == 1 else BY_NAME))
    return sorted(found, key=lambda d: (d.lead.filed_date or date.min, d.lead.case_no, d.lead.unit_code))


def _where(copy: CaseCopy) -> str:
    row = f"第 {copy.row_no} 行，" if copy.row_no else ""
    return f"{copy.unit_name}报送的案件台账（{copy.period_key}，文件“{copy.file_name}”，{row}案件编号“{copy.case_no}”）"


def duplicate_warning(duplicate: DuplicateCase, copy: CaseCopy, sheet: str | None = None,
                      letter: str | None = None) -> dict:
    """The receipt warning of ``copy``'s unit: which other units report the same case, where, and
    which copy the city's totals count."""
    others = "；".join(_where(other) for other in duplicate.copies if other.unit_code != copy.unit_code)
    counted = ("全市合计计入本单位报送的该案件" if copy is duplicate.lead
               else f"全市合计只计一次，计入{duplicate.lead.unit_name}报送的该案件，本单位行仍列示")
    message = (f"案件编号“{copy.case_no}”与{others}为同一案件（{duplicate.basis}），属重复上报：{counted}；"
               "请与对方单位核实，如并非同一案件，请更正案件编号或案件名称后重新报送")
    return {"sheet": sheet, "row": copy.row_no, "column": "案件编号",
            "cell": f"{letter}{copy.row_no}" if letter and copy.row_no else None, "value": copy.case_no, "message": message}
