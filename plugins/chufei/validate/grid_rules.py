"""Validating normalised grid clues: the GX suite and the rules it cannot express.

The suite ``include/expectations/grid_report.json`` is evaluated on the Arrow columns
(``chufei.validate.suite_arrow``); the rules here add the 统一社会信用代码 check character
(``stdnum.cn.uscc``), 区县代码 in the units registry, 行业领域 and 风险表现 in the code lists,
cross-field rules, and one row per (线索编号, 版本) in a file. Every rejected row keeps all its
reasons, each naming the sheet, row, column and the file's own value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chufei.core.settings import REFERENCE_DIR, code_lists
from chufei.core.units import units
from chufei.kinds.grid_report import BY_NAME, DATASET
from chufei.validate.grid_normalise import Check
from chufei.validate.suite_arrow import evaluate_suite


@lru_cache(maxsize=1)
def grid_codes() -> dict[str, list[str]]:
    return json.loads((REFERENCE_DIR / "grid_codes.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def district_codes() -> frozenset[str]:
    """区县代码 a clue may carry: territorial units' GB/T 2260 codes, else their internal codes."""
    return frozenset(u.gb2260 or u.code for u in units() if u.kind == "territorial")

def _in_list_check(values, allowed, column: str, message: str) -> Check:
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=pa.array(sorted(allowed)))))
    return Check(column, message, pc.fill_null(bad, False))


# Codes already checked and the invalid ones among them: a code's check is the same in every chunk
# and every file. Replaced as a whole (one assignment), so a concurrent reader sees a consistent pair.
_USCC_KNOWN: tuple[pa.Array, pa.Array] = (pa.array([], pa.string()), pa.array([], pa.string()))


def _invalid_credit_codes(values) -> pa.Array:
    """The distinct codes in ``values`` whose check character is wrong; stdnum sees each code once."""
    from stdnum.cn import uscc

    global _USCC_KNOWN
    checked, invalid = _USCC_KNOWN
    distinct = pc.unique(pc.drop_null(values))
    if len(checked) + len(distinct) > 500_000:  # memory stays bounded: start afresh
        checked, invalid = pa.array([], pa.string()), pa.array([], pa.string())
    new = pc.filter(distinct, pc.invert(pc.is_in(distinct, value_set=checked))).to_pylist()
    if new:
        wrong = pa.array([code for code in new if not uscc.is_valid(code)], pa.string())
        checked = pa.concat_arrays([checked, pa.array(new, pa.string())])
        invalid = pa.concat_arrays([invalid, wrong])
        _USCC_KNOWN = (checked, invalid)
    return invalid


def _credit_code_check(values) -> Check:
    invalid = _invalid_credit_codes(values)
    bad = pc.is_in(values, value_set=invalid)
    return Check("credit_code", "统一社会信用代码校验位不正确或长度不是 18 位（GB 32100-2015）",
                 pc.fill_null(bad, False))


def _risk_sign_check(values) -> Check:
    parts = pc.split_pattern(pc.fill_null(values, ""), "、")
    flat = pc.list_flatten(parts)
    parents = pc.list_parent_indices(parts)
    bad_flat = pc.and_(pc.not_equal(flat, ""), pc.invert(pc.is_in(flat, value_set=pa.array(grid_codes()["风险表现"]))))
    bad_rows = pc.unique(pc.filter(parents, bad_flat))
    mask = pc.is_in(pa.array(range(len(values)), type=bad_rows.type), value_set=bad_rows)
    return Check("risk_signs", f"风险表现含不在代码表内的值（可选：{'/'.join(grid_codes()['风险表现'])}，多个用“、”分隔）",
                 mask)


def _when(condition, also):
    return pc.fill_null(pc.and_kleene(condition, also), False)


def rule_checks(typed: pa.Table) -> list[Check]:
    """The rules the GX suite cannot express."""
    status, judgement = typed["status"], typed["judgement"]
    return [
        _credit_code_check(typed["credit_code"]),
        _in_list_check(typed["district_code"], district_codes(), "district_code",
                       f"区县代码不在单位名录中（可选：{'/'.join(sorted(district_codes()))}）"),
        _in_list_check(typed["industry"], code_lists()["行业领域"], "industry",
                       f"行业领域不在代码表内（可选：{'/'.join(code_lists()['行业领域'])}）"),
        _risk_sign_check(typed["risk_signs"]),
        Check("closed_date", "处置状态为“已办结”时必须填写办结日期",
              _when(pc.equal(status, "已办结"), pc.is_null(typed["closed_date"])), show_value=False),
        Check("status", "已填写办结日期，处置状态应为“已办结”",
              _when(pc.not_equal(status, "已办结"), pc.is_valid(typed["closed_date"]))),
        Check("transfer_unit", "研判结果为“移交”时必须填写移交单位",
              _when(pc.equal(judgement, "移交"), pc.is_null(typed["transfer_unit"])), show_value=False),
    ]


@dataclass
class Rejected:
    row: int
    raw: dict
    issues: list[dict]


def validate(raw: pa.Table, typed: pa.Table, checks: list[Check], row_numbers: list[int], sheet: str,
             seen: dict[object, int]) -> tuple[pa.Array, list[Rejected]]:
    """(mask of rows to load, rejected rows with all their reasons); ``seen`` spans the whole file."""
    unreadable = {check.column: check.mask for check in checks}
    all_checks = list(checks)
    for failure in evaluate_suite(DATASET, typed):
        mask = failure.mask
        if failure.column in unreadable:  # already reported as unreadable: one message per cell
            mask = pc.and_(mask, pc.invert(unreadable[failure.column]))
        all_checks.append(Check(failure.column, failure.message, mask))
    all_checks += rule_checks(typed)
    failing = pa.array([False] * typed.num_rows)
    for check in all_checks:
        failing = pc.or_(failing, check.mask)
    ok = np.array(pc.invert(pc.fill_null(failing, False)).to_numpy(zero_copy_only=False))
    duplicates = _repeated_clues(typed, ok, row_numbers, seen)
    bad_indices = np.flatnonzero(~ok).tolist()
    rejected: list[Rejected] = []
    if bad_indices:
        take = pa.array(bad_indices, type=pa.int64())
        raw_rows = raw.take(take).to_pylist()
        check_values = [(check, check.mask.take(take).to_pylist()) for check in all_checks]
        for position, index in enumerate(bad_indices):
            raw_row = {BY_NAME[name].label: value for name, value in raw_rows[position].items() if value is not None}
            issues = []
            for check, flags in check_values:
                if flags[position]:
                    label = BY_NAME[check.column].label if check.column in BY_NAME else check.column
                    value = raw_row.get(label) if check.show_value else None
                    issues.append({"sheet": sheet, "row": row_numbers[index], "column": label, "cell": None,
                                   "value": value, "message": check.message})
            if index in duplicates:
                issues.append({"sheet": sheet, "row": row_numbers[index], "column": "线索编号", "cell": None,
                               "value": raw_row.get("线索编号"),
                               "message": f"线索编号与第 {duplicates[index]} 行重复（同一文件中同一线索同一版本只能出现一次）"})
            rejected.append(Rejected(row_numbers[index], raw_row, issues))
    return pa.array(ok), rejected


def _repeated_clues(typed: pa.Table, ok, row_numbers: list[int], seen: dict[object, int]) -> dict[int, int]:
    """One row per (线索编号, 版本) in a file: a later repeat is rejected (``ok`` cleared), naming the
    first row; returns {index of the repeat: first row}. ``seen`` spans the file's chunks.

    A clue without 版本号 is keyed by 线索编号 alone. Repeats are rare, so the keys of a chunk are
    first checked with set operations and only a chunk that has one is walked row by row.
    """
    index = np.flatnonzero(ok & pc.is_valid(typed["clue_no"]).to_numpy(zero_copy_only=False))
    take = pa.array(index, type=pa.int64())
    clues, versions = pc.take(typed["clue_no"], take).to_pylist(), pc.take(typed["version"], take)
    keys = clues if versions.null_count == len(versions) else [
        clue if version is None else (clue, version) for clue, version in zip(clues, versions.to_pylist(), strict=False)]
    numbers = np.asarray(row_numbers)[index].tolist()
    if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
        seen.update(zip(keys, numbers, strict=False))
        return {}
    duplicates: dict[int, int] = {}
    for position, key, number in zip(index.tolist(), keys, numbers, strict=False):
        first = seen.setdefault(key, number)
        if first != number:
            duplicates[position] = first
            ok[position] = False
    return duplicates
