"""Statistical forms (统计报表) as xlsx with a UTF-8-BOM CSV twin, packaged with a manifest.

Form conventions (domain.md): a header block (表号, 制定机关, 报告期, 填报单位, 计量单位), a
coded body ending in a 合计 row, a footer block (单位负责人, 审核人, 填表人, 联系电话, 报出日期).
Figures are written as values, never formulas; text is always text. Same figures, same bytes.
"""

from __future__ import annotations

import csv
import os
import threading
from contextlib import contextmanager
from copy import copy
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

from chufei.core.settings import office
from chufei.core.masking import mask_text
from chufei.core.normalise import FEN_PER_WAN
from chufei.core.xlsx import csv_safe, put, save_reproducibly
from chufei.statistics.forms import FOOTER_FIELDS, NUMBER_FORMATS, ChartSpec, FormColumn, StatForm, wan  # noqa: F401

def _cell(kind: str, value: object) -> object:
    """The value as written: 分 shown in 万元, text with any ID or mobile number masked."""
    if value is None:
        return None
    if isinstance(value, str):
        return mask_text(value)
    if kind == "yuan":
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    return wan(int(value)) if kind == "wan" else value


def _converter():
    """``_cell`` with the masked form of each distinct text kept: long lists repeat their unit
    names, dates and states on every row."""
    masked: dict[str, str] = {}

    def convert(kind: str, value: object) -> object:
        if isinstance(value, str):
            text = masked.get(value)
            if text is None:
                text = masked[value] = mask_text(value)
            return text
        return _cell(kind, value)

    return convert


def _headers(form: StatForm) -> tuple[list[str], list[str]]:
    return [c.group for c in form.columns], [c.label for c in form.columns]


def write_xlsx(form: StatForm, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = form.sheet
    width = len(form.columns)
    last = get_column_letter(width)
    put(sheet, 1, 1, form.title).font = Font(size=16, bold=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].alignment = Alignment(horizontal="center")
    info = [("表号", form.form_no), ("制定机关", office()["office_name"]), ("报告期", form.period_label),
            ("填报单位", office()["office_name"]), ("计量单位", form.unit_of_measure)]
    for index, (label, value) in enumerate(info):
        put(sheet, 2 + index // 3, 1 + (index % 3) * max(1, width // 3), f"{label}：{value}")
    groups, labels = _headers(form)
    top = 5
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    position = 1
    while position <= width:
        group = groups[position - 1]
        span = 1
        while position + span <= width and groups[position + span - 1] == group and group != labels[position - 1]:
            span += 1
        put(sheet, top, position, group)
        if group == labels[position - 1] and span == 1:
            sheet.merge_cells(start_row=top, start_column=position, end_row=top + 1, end_column=position)
        else:
            if span > 1:
                sheet.merge_cells(start_row=top, start_column=position, end_row=top, end_column=position + span - 1)
            for offset in range(span):
                put(sheet, top + 1, position + offset, labels[position + offset - 1])
        position += span
    for row in (top, top + 1):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.border = Font(bold=True), border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    styled: dict[tuple[int, bool], object] = {}  # (column, is total) → a styled cell to copy from
    streamed = _streamable(form)
    for offset, values in enumerate(form.rows, top + 2):
        is_total = offset == top + 1 + len(form.rows)
        if streamed and top + 2 < offset and not is_total:
            continue  # body rows after the first: written straight into the sheet's XML at save
        for column_index, (column, value) in enumerate(zip(form.columns, values, strict=False), 1):
            cell = put(sheet, offset, column_index, _cell(column.kind, value))
            model = styled.get((column_index, is_total))
            if model is not None:  # copying the style ids is much cheaper than re-hashing styles
                cell._style = copy(model._style)
                continue
            cell.number_format = NUMBER_FORMATS[column.kind]
            cell.border = border
            if is_total:
                cell.font = Font(bold=True)
            styled[(column_index, is_total)] = cell
    footer_row = top + 2 + len(form.rows) + 1
    signatories = office().get("signatories", {})
    for index, label in enumerate(FOOTER_FIELDS):
        put(sheet, footer_row, 1 + index * max(1, width // len(FOOTER_FIELDS)),
            mask_text(f"{label}：{signatories.get(label, '')}"))
    for index, note in enumerate(form.notes, footer_row + 2):
        put(sheet, index, 1, mask_text(note))
    for column_index, column in enumerate(form.columns, 1):
        sheet.column_dimensions[get_column_letter(column_index)].width = 16 if column.kind == "text" else 11
    sheet.freeze_panes = sheet.cell(row=top + 2, column=3 if width > 2 else 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{top}:{top + 1}"
    if form.chart is not None:
        _add_chart(sheet, form, top + 2, top + len(form.rows), footer_row + 3 + len(form.notes))
    patches = None
    if streamed:
        patches = {"xl/worksheets/sheet1.xml": lambda xml: _insert_body_rows(xml, form, top + 2)}
    save_reproducibly(book, path, patches=patches)


# A form with more body rows than this (the annual 清退 list: one row per case) has its body
# rows after the first written as XML directly: openpyxl builds and serialises a cell object per
# value (about 5 000 rows of 8 cells a second here, write-only mode no faster). The rows are
# exactly the bytes openpyxl writes for them (inline strings, the first row's style ids, numbers
# through openpyxl's own ``safe_string``), so the file is byte-identical either way (tested).
STREAM_ROWS = 500
_PLAIN_TYPES = (str, int, Decimal, type(None))


def _streamable(form: StatForm) -> bool:
    if len(form.rows) <= STREAM_ROWS + 1 or form.chart is not None:
        return False
    width = len(form.columns)
    return all(len(values) == width and all(type(v) in _PLAIN_TYPES for v in values) for values in form.rows)


def _insert_body_rows(xml: bytes, form: StatForm, first_row: int) -> bytes:
    """Insert the body rows after ``first_row`` (written by openpyxl) into the sheet XML."""
    import re
    from xml.sax.saxutils import escape

    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter

    start = xml.index(f'<row r="{first_row}">'.encode())
    end = xml.index(b"</row>", start) + len(b"</row>")
    styles = dict(re.findall(rb'<c r="([A-Z]+)\d+" s="(\d+)"', xml[start:end]))
    letters = [get_column_letter(index) for index in range(1, len(form.columns) + 1)]
    columns = [(letter, column.kind, styles[letter.encode()].decode()) for letter, column in zip(letters, form.columns, strict=False)]
    scratch = Cell(None)  # openpyxl's own check: too long is cut, control characters refused
    convert = _converter()
    parts: list[str] = []
    append = parts.append
    for number, values in enumerate(form.rows[1:-1], first_row + 1):
        append(f'<row r="{number}">')
        for (letter, kind, style), value in zip(columns, values, strict=False):
            if kind == "wan" and type(value) is int:  # safe_string(wan(value)) without the Decimal
                append(f'<c r="{letter}{number}" s="{style}" t="n"><v>{"%.16g" % (value / FEN_PER_WAN)}</v></c>')
                continue
            value = convert(kind, value)
            if value is None:
                append(f'<c r="{letter}{number}" s="{style}" t="n" />')
            elif isinstance(value, str):
                if len(value) > 32767 or ILLEGAL_CHARACTERS_RE.search(value):
                    value = scratch.check_string(value)
                if value == "":
                    append(f'<c r="{letter}{number}" s="{style}" t="inlineStr" />')
                    continue
                space = ' xml:space="preserve"' if value != value.strip() and value.strip() else ""
                append(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
            else:
                append(f'<c r="{letter}{number}" s="{style}" t="n"><v>{safe_string(value)}</v></c>')
        append("</row>")
    return xml[:end] + "".join(parts).encode("utf-8") + xml[end:]


def _add_chart(sheet, form: StatForm, first_row: int, last_row: int, anchor_row: int) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference, Series

    spec = form.chart
    chart = LineChart() if spec.kind == "line" else BarChart()
    chart.title, chart.y_axis.title = spec.title, spec.y_title
    chart.width, chart.height = 24, 9
    for index in spec.series:
        values = Reference(sheet, min_col=index + 1, min_row=first_row, max_row=last_row)
        chart.series.append(Series(values, title=form.columns[index].label))
    chart.set_categories(Reference(sheet, min_col=spec.category + 1, min_row=first_row, max_row=last_row))
    sheet.add_chart(chart, f"A{anchor_row}")


def write_csv(form: StatForm, path: Path) -> None:
    """The CSV twin: one header line (group·label), the same rows, UTF-8 with BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label if c.group == c.label else f"{c.group}·{c.label}" for c in form.columns])
    convert = _converter()
    kinds = [c.kind for c in form.columns]
    for values in form.rows:
        writer.writerow(["" if v is None else csv_safe(convert(kind, v)) for kind, v in zip(kinds, values, strict=False)])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


LATEST_POINTER = "latest"
MAX_LISTED_CHANGES = 200


def data_version(sources: list[str]) -> str:
    """A short hash of the source files' sha256 list: equal sources, equal data version."""
    return hashlib.sha256("\n".join(sorted(sources)).encode()).hexdigest()[:16]


def package_versions(root: Path) -> list[str]:
    """The issued versions of a period's package, oldest first (``v1``, ``v2`` …)."""
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if p.is_dir() and p.name[:1] == "v" and p.name[1:].isdigit()]
    return sorted(found, key=lambda name: int(name[1:]))


def latest_version(root: Path) -> Path | None:
    """The folder the ``latest`` pointer names (falling back to the highest version)."""
    pointer = root / LATEST_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if (root / name / "manifest.json").is_file():
            return root / name
    versions = package_versions(root)
    return root / versions[-1] if versions else None


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _render(forms: dict[str, StatForm], folder: Path) -> list[dict]:
    files = []
    for stem, form in sorted(forms.items()):
        for suffix, writer in ((".xlsx", write_xlsx), (".csv", write_csv)):
            path = folder / f"{stem}{suffix}"
            writer(form, path)
            files.append({"name": path.name, "sha256": sha256_bytes(path), "bytes": path.stat().st_size,
                          "rows": len(form.rows)})
    return files


def _csv_cells(path: Path) -> dict[tuple[str, str], str]:
    """(row label, column header) → text of a CSV twin, for telling what changed."""
    if not path.is_file():
        return {}
    lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    if not lines:
        return {}
    header, cells = lines[0], {}
    for line in lines[1:]:
        label = " ".join(v for v in line[:2] if v)
        for column, value in zip(header[2:], line[2:], strict=False):
            cells[(label, column)] = value
    return cells


def describe_changes(old_folder: Path, old: dict, new_folder: Path, new_files: list[dict],
                     sources: list[str]) -> dict:
    """What differs between an issued version and the new one: sources, files and figures."""
    old_files = {f["name"]: f["sha256"] for f in old["files"]}
    new_map = {f["name"]: f["sha256"] for f in new_files}
    figures = []
    for name in sorted(new_map):
        if not name.endswith(".csv") or old_files.get(name) == new_map[name]:
            continue
        before, after = _csv_cells(old_folder / name), _csv_cells(new_folder / name)
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                figures.append({"file": name, "row": key[0], "column": key[1],
                                "was": before.get(key), "now": after.get(key)})
    return {
        "from_version": old["version"],
        "sources_added": sorted(set(sources) - set(old["sources"])),
        "sources_removed": sorted(set(old["sources"]) - set(sources)),
        "files_changed": sorted(n for n in new_map if n in old_files and old_files[n] != new_map[n]),
        "files_added": sorted(set(new_map) - set(old_files)),
        "files_removed": sorted(set(old_files) - set(new_map)),
        "figures_changed": figures[:MAX_LISTED_CHANGES],
        "figures_changed_total": len(figures),
    }


@contextmanager
def _publishing(root: Path):
    """Hold an exclusive lock on ``root/.publish.lock`` (flock: across threads and processes)."""
    import fcntl

    descriptor = os.open(root / ".publish.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing drops the lock


def write_package(root: Path, report: str, period_key: str, forms: dict[str, StatForm],
                  sources: list[str], attachments: dict[str, bytes] | None = None) -> dict:
    """Write a period's package as an issued version under ``root`` = outbox/<report>/<period>/.

    Layout: ``root/v1/`` (files + manifest.json), ``root/v2/`` … and ``root/latest`` (a text file
    naming the newest version). ``forms`` maps a file stem to its form; each is written as xlsx and
    its CSV twin; ``attachments`` are further files (name → bytes, e.g. a text summary). When the newly rendered files equal the latest version's (same bytes, same
    sources), nothing is written and that version is returned: re-running is idempotent and
    byte-for-byte reproducible. Otherwise the package becomes the next version beside the old
    ones, and its manifest says what changed (``changes``). Returns the manifest plus ``folder``.
    """
    import shutil
    import tempfile

    root.mkdir(parents=True, exist_ok=True)
    version_of = data_version(sources)
    with tempfile.TemporaryDirectory(dir=root, prefix=".render-") as tmp:
        staging = Path(tmp)
        files = _render(forms, staging)
        for name, content in sorted((attachments or {}).items()):
            (staging / name).write_bytes(content)
            files.append({"name": name, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content),
                          "rows": content.count(b"\n")})
        with _publishing(root):  # concurrent builds of one period: one publishes, the others find it
            current = latest_version(root)
            if current is not None:
                issued = read_manifest(current)
                same_files = {(f["name"], f["sha256"]) for f in issued["files"]} == {(f["name"], f["sha256"])
                                                                                   for f in files}
                if same_files and issued["data_version"] == version_of:
                    for entry in files:  # repair a deleted file from identical bytes
                        target = current / entry["name"]
                        if not target.is_file() or sha256_bytes(target) != entry["sha256"]:
                            shutil.copyfile(staging / entry["name"], target)
                    return {**issued, "folder": str(current)}
            number = int(current.name[1:]) + 1 if current is not None else 1
            versions = package_versions(root)
            if versions:
                number = max(number, int(versions[-1][1:]) + 1)
            name = f"v{number}"
            manifest = {
                "report": report,
                "period": period_key,
                "version": name,
                "data_version": version_of,
                "sources": sorted(sources),
                "files": files,
            }
            if current is not None:
                manifest["supersedes"] = current.name
                manifest["changes"] = describe_changes(current, issued, staging, files, sources)
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
            folder = root / name
            staging.chmod(0o755)  # TemporaryDirectory's 0700 would hide an issued package from the staff's accounts
            staging.rename(folder)
            staging.mkdir()  # TemporaryDirectory cleans up the (now empty) staging path
            pointer = root / f".{LATEST_POINTER}.{os.getpid()}-{threading.get_ident()}.tmp"
            pointer.write_text(name + "\n", encoding="utf-8")
            pointer.replace(root / LATEST_POINTER)
    return {**manifest, "folder": str(folder)}
