"""The streaming loader's vectorised reading of the grid suite finds exactly what GX finds."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from chufei.read.grid_export import raw_table
from chufei.validate.grid_normalise import normalise
from chufei.validate.suite_arrow import evaluate_suite
from chufei.validate.validation import ROW_ID, _gx, _suite

GOOD = {"clue_no": "WG2020000001", "reported_at": "2020-06-03 14:22", "district_code": "420704",
        "town": "凤凰街道", "grid_code": "G0001", "discovery_method": "巡查", "subject_name": "甲公司",
        "industry": "其他", "judgement": "疑似", "status": "待核查", "people": "3", "amount_fen": "1.5"}


def rows() -> list[dict]:
    variants = [{}, {"clue_no": None}, {"clue_no": "W 1"}, {"reported_at": "2010-01-01"},
                {"district_code": "4207"}, {"town": None}, {"grid_code": "G"}, {"discovery_method": "网上"},
                {"subject_name": None}, {"industry": None}, {"people": "20000000"},
                {"amount_fen": "200000000"}, {"judgement": "不知道"}, {"status": None},
                {"closed_date": "2020-06-01"}, {"closed_date": "2020-06-03"}, {"discovery_method": None}]
    return [{**GOOD, **variant} for variant in variants]


def arrow_failures(typed: pa.Table) -> set[tuple[int, str, str]]:
    found = set()
    for failure in evaluate_suite("grid_report", typed):
        for index in pc.indices_nonzero(failure.mask).to_pylist():
            found.add((index, failure.column, failure.message))
    return found


def gx_failures(typed: pa.Table) -> set[tuple[int, str, str]]:
    import pandas as pd

    _, batch_definition = _gx()
    frame = typed.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}.get)
    for name in ("closed_date", "reported_date"):
        frame[name] = pd.to_datetime(frame[name])
    frame[ROW_ID] = range(len(frame))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(_suite("grid_report"), result_format={
        "result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]})
    found = set()
    for outcome in result.results:
        config = outcome.expectation_config
        meta = config.meta or {}
        column = meta.get("column") or config.kwargs.get("column") or config.kwargs.get("column_A")
        infos = outcome.exception_info.values() if "raised_exception" not in outcome.exception_info \
            else [outcome.exception_info]
        assert not any(info.get("raised_exception") for info in infos), outcome.exception_info
        for entry in outcome.result.get("unexpected_index_list") or []:
            found.add((int(entry[ROW_ID]), column, meta["message"]))
    return found


def test_arrow_evaluation_agrees_with_gx_on_every_expectation():
    typed, _ = normalise(raw_table(rows()))
    expected = gx_failures(typed)
    assert len({(row, column) for row, column, _ in expected}) >= 14  # the variants really break rules
    assert arrow_failures(typed) == expected
