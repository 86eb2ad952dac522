"""Writing xlsx files safely and reproducibly.

Two promises every workbook the project writes keeps: a text cell is always stored as text
(never as a formula, whatever it begins with), and the same content gives the same bytes
(no wall-clock timestamps inside the file).
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from pathlib import Path
from collections.abc import Callable

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
                      patches: dict[str, Callable[[bytes], bytes]] | None = None) -> None:
    """Save with fixed document and zip-entry timestamps so equal content gives equal bytes.

    ``patches`` maps a part name (e.g. ``xl/worksheets/sheet1.xml``) to a function applied to
    its bytes before they are written (``chufei.outbox.reports`` streams long bodies in this way).
    """
    from openpyxl.writer.excel import ExcelWriter

    if workbook.write_only and not workbook.worksheets:  # as Workbook.save does
        workbook.create_sheet()
    buffer = io.BytesIO()
    # Stored, not deflated: fixed_zip reads every part back and deflates it once, so openpyxl's
    # own compression was work thrown away (the bytes written are the same either way).
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    data = fixed_zip(buffer.getvalue(), timestamp, patches)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")  # concurrent runs: own tmp
    tmp.write_bytes(data)
    tmp.replace(path)


def fixed_zip(data: bytes, timestamp: str = "2000-01-01T00:00:00Z",
              patches: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """An Office file (xlsx, docx: a zip) with fixed zip-entry times and document timestamps."""
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
            target.writestr(entry, part)
    return out.getvalue()
