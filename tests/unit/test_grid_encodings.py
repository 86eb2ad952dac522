"""A grid CSV in UTF-16 with a BOM (Excel's "Unicode text") reads as its UTF-8 twin; one without
a BOM is refused with a message that names UTF-16, not "binary"; UTF-8 is told from GBK by a
check that agrees with Python's strict decoder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chufei.read.grid_export import read_csv_batches
from chufei.read.workbook import FileRejected
from demo.inflows import write_grid_csv

ROWS = [{"线索编号": f"WG{n:06d}", "上报时间": "2020-06-03 14:22:00", "区县代码": "420704", "主体名称": f"鄂州某{n}公司"}
        for n in range(50)]


def _table(path: Path) -> pa.Table:
    return pa.concat_tables([batch.table for batch in read_csv_batches(path)])


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_utf16_with_a_bom_reads_as_utf8(tmp_path: Path, codec: str):
    reference = tmp_path / "utf8.csv"
    write_grid_csv(reference, ROWS, "utf-8")
    text = reference.read_bytes().decode("utf-8")
    body = {"utf-16": text.encode("utf-16"), "utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
            "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be")}[codec]
    path = tmp_path / "unicode.csv"
    path.write_bytes(body)
    assert _table(path).to_pylist() == _table(reference).to_pylist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unicode.csv", "utf8.csv"]  # the copy is gone


def test_utf16_without_a_bom_is_named(tmp_path: Path):
    reference = tmp_path / "utf8.csv"
    write_grid_csv(reference, ROWS, "utf-8")
    path = tmp_path / "nobom.csv"
    path.write_bytes(reference.read_bytes().decode("utf-8").encode("utf-16-le"))
    with pytest.raises(FileRejected, match="UTF-16"):
        list(read_csv_batches(path))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.integers(min_value=1, max_value=9))
def test_a_file_is_utf8_exactly_when_python_decodes_it(data, block):
    """The UTF-8 check reads the file in blocks (here of a few bytes, so characters are cut at
    every place) and agrees with Python's strict decoder on any bytes."""
    from chufei.read import grid_export

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        _check_utf8(grid_export, path, data, block)


def _check_utf8(grid_export, path: Path, data: bytes, block: int) -> None:  # noqa: ANN001
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    saved, grid_export.BLOCK_BYTES = grid_export.BLOCK_BYTES, block
    try:
        assert grid_export._is_utf8(path) is expected
    finally:
        grid_export.BLOCK_BYTES = saved
