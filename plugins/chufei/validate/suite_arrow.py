"""Evaluating a dataset's GX suite (include/expectations/<name>.json) on Arrow tables, vectorised.

Streaming a million grid rows through GX's pandas engine costs more than parsing and loading
them together, so the grid loader evaluates the *same* suite file with ``pyarrow.compute``. Only
the expectation types the suites use are supported; an unknown type raises, so a suite can never
silently lose a check. ``tests/unit/test_suite_arrow.py`` runs GX itself on the same rows and
asserts both find exactly the same failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from chufei.validate.validation import load_suite_spec


@dataclass(frozen=True)
class Failure:
    column: str  # warehouse column the message is about
    message: str
    mask: pa.ChunkedArray | pa.Array  # True where the row fails


def _bound(value: object, column_type: pa.DataType) -> pa.Scalar:
    if isinstance(value, str) and (pa.types.is_timestamp(column_type) or pa.types.is_date(column_type)):
        parsed = datetime.fromisoformat(value)
        return pa.scalar(parsed.date() if pa.types.is_date(column_type) else parsed, type=column_type)
    return pa.scalar(value).cast(column_type)


def _not_null_and(values, condition):
    return pc.and_kleene(pc.is_valid(values), pc.fill_null(condition, False))


def _evaluate(kind: str, kwargs: dict, table: pa.Table):
    if kind == "expect_column_values_to_not_be_null":
        return pc.is_null(table[kwargs["column"]])
    if kind == "expect_column_values_to_match_regex":
        values = table[kwargs["column"]]
        return _not_null_and(values, pc.invert(pc.match_substring_regex(values, kwargs["regex"])))
    if kind == "expect_column_values_to_be_in_set":
        values = table[kwargs["column"]]
        return _not_null_and(values, pc.invert(pc.is_in(values, value_set=pa.array(kwargs["value_set"]))))
    if kind == "expect_column_values_to_be_between":
        values = table[kwargs["column"]]
        failing = pc.and_(pc.is_null(values), pc.is_valid(values))  # all False, shaped like values
        conditions = []
        if kwargs.get("min_value") is not None:
            conditions.append(pc.less(values, _bound(kwargs["min_value"], values.type)))
        if kwargs.get("max_value") is not None:
            conditions.append(pc.greater(values, _bound(kwargs["max_value"], values.type)))
        for condition in conditions:
            failing = pc.or_kleene(failing, condition)
        return _not_null_and(values, failing)
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        if kwargs.get("ignore_row_if") != "either_value_is_missing":
            raise ValueError("only ignore_row_if=either_value_is_missing is supported")
        a, b = table[kwargs["column_A"]], table[kwargs["column_B"]]
        ok = pc.greater_equal(a, b) if kwargs.get("or_equal") else pc.greater(a, b)
        both = pc.and_(pc.is_valid(a), pc.is_valid(b))
        return pc.and_(both, pc.invert(pc.fill_null(ok, True)))
    raise ValueError(f"expectation type {kind} is not supported by chufei.validate.suite_arrow")


def evaluate_suite(dataset_name: str, table: pa.Table) -> list[Failure]:
    """One Failure per expectation that at least one row of ``table`` breaks."""
    failures = []
    for expectation in load_suite_spec(dataset_name)["expectations"]:
        kwargs, meta = expectation["kwargs"], expectation.get("meta") or {}
        mask = _evaluate(expectation["type"], kwargs, table)
        if pc.any(mask).as_py():
            column = meta.get("column") or kwargs.get("column") or kwargs.get("column_A")
            failures.append(Failure(column, meta.get("message") or expectation["type"], mask))
    return failures
