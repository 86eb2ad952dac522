"""Writing xlsx files safely and reproducibly.

Two promises every workbook the project writes keeps: a text cell is always stored as text
(never as a formula, whatever it begins with), and the same content gives the same bytes
(no wall-clock timestamps inside the file).
"""

from __future__ import annotations

import functools
import io
import os
import re
import threading
import zipfile
from pathlib import Path
from collections.abc import Callable, Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def put(ws, row: int, column: int, value: object):
    """Write ``value`` to a cell; strings are forced to text so '=…' never becomes a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def csv_safe(value: object) -> object:
    """Neutralise text a spreadsheet would evaluate when it opens a CSV (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES + ("\t", "\r")):
        return "'" + value
    return value


def save_reproducibly(workbook, path: Path, timestamp: str = "2000-01-01T00:00:00Z",
                      patches: dict[str, Callable[[bytes], bytes | Iterable[bytes]]] | None = None) -> None:
    """Save with fixed document and zip-entry timestamps so equal content gives equal bytes.

    ``patches`` maps a part name (e.g. ``xl/worksheets/sheet1.xml``) to a function applied to
    its bytes before they are written, giving the part or its chunks (``chufei.outbox.reports``
    streams long bodies in this way).
    """
    if workbook.write_only and not workbook.worksheets:  # as Workbook.save does
        workbook.create_sheet()
    buffer = io.BytesIO()
    # Stored, not deflated: fixed_zip reads every part back and deflates it once, so openpyxl's
    # own compression was work thrown away (the bytes written are the same either way).
    _book_writer()(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    data = fixed_zip(buffer.getvalue(), timestamp, patches)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")  # concurrent runs: own tmp
    tmp.write_bytes(data)
    tmp.replace(path)


# A cell's sheet XML after its reference and style (``<c r="A1" s="3"``), as openpyxl's own writer
# (xml.etree, not lxml: chufei/__init__.py) writes it: an empty cell, a number, a text.
NO_NUMBER_XML, NO_TEXT_XML = ' t="n" />', ' t="inlineStr" />'
NUMBER_XML, TEXT_XML = ' t="n"><v>%.16g</v></c>', ' t="inlineStr"><is><t%s>%s</t></is></c>'
PRESERVE_XML = ' xml:space="preserve"'  # on a text with leading or trailing spaces (openpyxl's ``whitespace``)
_ATTRIBUTE_ESCAPES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}  # and & < >, as ElementTree


def text_xml(text: str) -> str:
    """A text cell's XML after its reference and style (``text`` already checked by openpyxl)."""
    from xml.sax.saxutils import escape

    if text == "":
        return NO_TEXT_XML
    return TEXT_XML % (PRESERVE_XML if text != text.strip() and text.strip() else "", escape(text))


@functools.cache
def _book_writer() -> type:
    """openpyxl's ExcelWriter with its sheets written into memory (not a temporary file each) by a
    faster sheet writer; made at the first save, so that openpyxl is imported only when needed."""
    from openpyxl.compat import safe_string
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter
    from xml.sax.saxutils import escape

    class SheetWriter(WorksheetWriter):
        """openpyxl's sheet writer with the rows of plain cells (text, numbers, empty; no comment,
        link, formula or date) written as strings: openpyxl builds an ElementTree element per cell
        and serialises it with its namespace bookkeeping, most of a small form's save. The bytes
        are openpyxl's (tests/unit/test_xlsx_and_reports.py); style ids are taken in openpyxl's
        order, cell by cell, so the stylesheet is the same too."""

        def write_row(self, xf, row, row_idx):  # noqa: ANN001 - openpyxl's signature
            if not all(cell._comment is None and not cell.hyperlink and (
                    cell.data_type == "n" or (cell.data_type == "s" and type(cell._value) in (str, type(None))))
                       for cell in row):
                return super().write_row(xf, row, row_idx)
            attrs = {"r": f"{row_idx}"}
            attrs.update(self.ws.row_dimensions.get(row_idx, {}))  # as openpyxl: a styled row takes its id here
            parts = ["<row", *(f' {key}="{escape(value, _ATTRIBUTE_ESCAPES)}"' for key, value in attrs.items()), ">"]
            ids = self._style_ids
            for cell in row:
                value, styled = cell._value, cell.has_style
                if value is None and not styled:
                    continue
                if styled:
                    key = cell._style.tobytes()
                    style = ids.get(key)
                    if style is None:
                        style = ids[key] = cell.style_id
                    parts.append(f'<c r="{cell.coordinate}" s="{style}"')
                else:
                    parts.append(f'<c r="{cell.coordinate}"')
                if cell.data_type == "s":
                    parts.append(NO_TEXT_XML if value is None else text_xml(value))
                elif value is None:
                    parts.append(NO_NUMBER_XML)
                else:
                    number = safe_string(value)
                    parts.append(f' t="n"><v>{number}</v></c>' if number else ' t="n"><v /></c>')
            parts.append("</row>")
            xf._file("".join(parts))  # et_xmlfile's own text writer (pinned in constraints.txt)

    class BookWriter(ExcelWriter):
        def write_worksheet(self, ws):  # noqa: ANN001 - openpyxl's signature
            if self.workbook.write_only:
                return super().write_worksheet(ws)
            ws._drawing = SpreadsheetDrawing()  # as ExcelWriter.write_worksheet
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = SheetWriter(ws, out=io.BytesIO())
            writer._style_ids = {}  # a style's id by its StyleArray: looked up once per sheet
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)
            return None

    return BookWriter


def fixed_zip(data: bytes, timestamp: str = "2000-01-01T00:00:00Z",
              patches: dict[str, Callable[[bytes], bytes | Iterable[bytes]]] | None = None) -> bytes:
    """An Office file (xlsx, docx: a zip) with fixed zip-entry times and document timestamps.

    A patch may give its part as chunks made one after another (a long list's sheet): each is
    deflated while the next is made (``_write_chunks``), the same bytes as the whole part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = _CORE_TIMESTAMP.sub(rb"\g<1>" + timestamp.encode() + rb"\g<3>", part)
            if patches and info.filename in patches:
                part = patches[info.filename](part)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if isinstance(part, bytes):
                target.writestr(entry, part)
            else:
                _write_chunks(target, entry, part)
    return out.getvalue()


def _write_chunks(target: zipfile.ZipFile, entry: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
    """Write the entry from ``chunks``, a helper thread deflating each while the caller makes the
    next: zlib lets go of the GIL while it deflates, so on a second core a long sheet's deflating
    (about a second for the annual 清退 list) overlaps the making of its rows. Deflate's output
    does not depend on how its input is cut, so the bytes are those ``writestr`` writes of the
    whole part (tested)."""
    import queue

    made: queue.Queue[bytes | None] = queue.Queue(maxsize=2)  # at most a few chunks wait in memory
    failed: list[BaseException] = []
    with target.open(entry, "w") as stream:

        def deflate() -> None:
            while (chunk := made.get()) is not None:
                if not failed:
                    try:
                        stream.write(chunk)
                    except BaseException as error:  # noqa: BLE001 - handed to the caller below
                        failed.append(error)

        worker = threading.Thread(target=deflate, name="deflate", daemon=True)
        worker.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                made.put(chunk)
        finally:
            made.put(None)
            worker.join()
        if failed:
            raise failed[0]
