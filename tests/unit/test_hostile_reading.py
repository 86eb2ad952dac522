"""Reading hostile files stays within bounded memory: bombs are refused before they are inflated."""

from __future__ import annotations

import tracemalloc

import pytest

from chufei.read.workbook import FileRejected, read_workbook
from tests.fixtures.hostile import corpus


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return corpus(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", ["压缩炸弹.xlsx", "高压缩比.xlsx", "XML炸弹.xlsx", "谎报大小.xlsx", "截断.xlsx"])
def test_bombs_are_refused_within_a_few_megabytes(files, tmp_path, name):
    content, status, fragment = files[name]
    path = tmp_path / f"claimed__{name}"
    path.write_bytes(content)
    del content
    tracemalloc.start()
    try:
        with pytest.raises(FileRejected) as caught:
            read_workbook(path, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fragment in caught.value.message
    assert peak < 8 * 1024 * 1024, f"{name}: {peak / 1e6:.1f} MB"


def test_the_xml_bomb_is_also_refused_by_the_parser_without_the_dtd_scan(files, tmp_path, monkeypatch):
    """Defence in depth: openpyxl parses through defusedxml, which forbids entity declarations."""
    from chufei.read import workbook

    monkeypatch.setattr(workbook, "_refuse_dtds", lambda path: None)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(files["XML炸弹.xlsx"][0])
    with pytest.raises(FileRejected) as caught:
        read_workbook(path)
    assert "XML 炸弹" in caught.value.message
