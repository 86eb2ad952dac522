"""Written files: text never becomes a formula, same content gives the same bytes, 合计 adds up."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.exceptions import IllegalCharacterError

from chufei.statistics.forms import FormColumn, StatForm, wan

from chufei.outbox.reports import write_csv, write_package, write_xlsx
from chufei.core.xlsx import csv_safe

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]


def _form() -> StatForm:
    columns = [FormColumn("单位", "单位", "text"), FormColumn("金额", "本期", "wan"), FormColumn("件数", "本期", "count")]
    rows = [[name, 1_234_567, 2] for name in HOSTILE] + [["合计", 1_234_567 * len(HOSTILE), 2 * len(HOSTILE)]]
    return StatForm(title="测试表", form_no="T1", period_label="2020年6月", unit_of_measure="万元", columns=columns,
                    rows=rows)


def test_text_starting_like_a_formula_stays_text(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml, "no cell may carry a formula"
    values = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    for text in HOSTILE:
        assert text in values


def test_csv_twin_neutralises_formulas_and_has_a_bom(tmp_path: Path):
    path = tmp_path / "f.csv"
    write_csv(_form(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)
    assert csv_safe("=1") == "'=1"
    assert csv_safe("正常") == "正常"
    assert csv_safe(5) == 5


def test_same_content_same_bytes(tmp_path: Path):
    first = write_package(tmp_path / "a", "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    second = write_package(tmp_path / "b", "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    assert [f["sha256"] for f in first["files"]] == [f["sha256"] for f in second["files"]]
    first_manifest, second_manifest = (Path(m["folder"]) / "manifest.json" for m in (first, second))
    assert first_manifest.read_bytes() == second_manifest.read_bytes()


def test_amounts_are_exact_and_total_row_adds_up(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    sheet = openpyxl.load_workbook(path).active
    amounts = [row[1].value for row in sheet.iter_rows(min_row=7) if row[0].value in HOSTILE]
    total = next(row[1].value for row in sheet.iter_rows(min_row=7) if row[0].value == "合计")
    assert len(amounts) == len(HOSTILE)
    assert round(sum(amounts), 6) == round(total, 6)
    assert str(wan(1_234_567)) == "1.234567"
    assert str(wan(1_230_000)) == "1.23"


def test_print_setup_and_frozen_header(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.freeze_panes == "C7"


def _long_form() -> StatForm:
    tricky = ["A&B <公司> \"引号\" 'x'", "  前后空格 ", "制表\t符", "=1+1", "", "#N/A", "-5", "身份证110101199003074514",
              "电话13912345678", "\t制表", "普通文本"]
    rows = []
    for n in range(60):
        rows.append([f"C{n:04d}", tricky[n % len(tricky)], None if n % 7 == 0 else n * 1_234_567 - 50_000_000,
                     Decimal(n) / 7 if n % 5 else None, -n, 10 ** 15 + n])
    for fen in (1, 10_000, 999_999, -1, 10 ** 18 + 7, 2 ** 63 - 1, 123_456_789_012):  # 万元 at the edges
        rows.append(["EDGE", "金额", fen, Decimal("33.33"), fen, fen])
    rows.append(["", "合计", 12345, Decimal("1.5"), 0, None])
    return StatForm(title="长表", form_no="X附", period_label="2020年", unit_of_measure="万元",
                    columns=[FormColumn("编号", "编号", "text"), FormColumn("名称", "名称", "text"),
                             FormColumn("金额", "金额(万元)", "wan"), FormColumn("金额", "比率%", "pct"),
                             FormColumn("件数", "件数", "count"), FormColumn("元", "元", "yuan")],
                    rows=rows, notes=["注：测试。"])


def test_long_bodies_are_streamed_to_exactly_the_bytes_openpyxl_writes(tmp_path, monkeypatch):
    """The annual 清退 list has one row per case: its body is written as XML directly, and the
    file is byte for byte the one openpyxl writes cell by cell (so values, styles and masking too)."""
    from chufei.outbox import reports

    form = _long_form()
    form.no_data = frozenset({(3, 2), (4, 3)})  # "—" among the amounts and ratios
    write_xlsx(form, tmp_path / "cells.xlsx")  # 68 rows: below the threshold, openpyxl writes every cell
    write_csv(form, tmp_path / "rows.csv")  # and the CSV row by row
    monkeypatch.setattr(reports, "STREAM_ROWS", 5)
    monkeypatch.setattr(reports, "CHUNK_ROWS", 7)  # several chunks, deflated while the next is made
    assert reports._streamable(form)
    write_xlsx(form, tmp_path / "streamed.xlsx")
    assert (tmp_path / "streamed.xlsx").read_bytes() == (tmp_path / "cells.xlsx").read_bytes()
    write_csv(form, tmp_path / "streamed.csv")  # its rows made once for both files, column by column
    assert (tmp_path / "streamed.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()
    form.no_data = frozenset()
    sheet = openpyxl.load_workbook(tmp_path / "streamed.xlsx").active
    values = [row for row in sheet.iter_rows(min_row=7, max_row=73, max_col=2, values_only=True)]
    assert values[2] == ("C0002", "制表\t符")
    assert values[3][1] == "=1+1"
    assert all("110101199003074514" not in str(v) and "13912345678" not in str(v) for row in values for v in row)

    several_lines = _long_form()  # text of several lines wraps in a taller row: written cell by cell
    several_lines.rows[10][1] = "换行\n第二行"
    assert not reports._streamable(several_lines)

    bad = _long_form()
    bad.rows[10][1] = "控制字符\x01"
    with pytest.raises(IllegalCharacterError):
        write_xlsx(bad, tmp_path / "bad.xlsx")


def test_a_part_given_in_chunks_is_zipped_to_the_same_bytes(tmp_path):
    """A long sheet is deflated chunk by chunk in a helper thread while the next chunk is made:
    the file is the one its whole part gives; a chunk that cannot be made fails the file."""
    import random

    from chufei.core.xlsx import fixed_zip

    rng = random.Random(4)
    sheet = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{rng.randint(0, 10**9)}</v></c></row>'
                    for n in range(200_000)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as source:
        source.writestr("docProps/core.xml", b"<x/>")
        source.writestr("xl/worksheets/sheet1.xml", sheet)
    cuts = sorted(rng.sample(range(1, len(sheet)), 40))

    def chunks(part: bytes):
        return (part[a:b] for a, b in zip([0, *cuts], [*cuts, len(part)], strict=True))

    whole = fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": lambda part: part})
    assert fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": chunks}) == whole

    def broken(part: bytes):
        yield part[:1000]
        raise IllegalCharacterError("控制字符")

    with pytest.raises(IllegalCharacterError):
        fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": broken})
