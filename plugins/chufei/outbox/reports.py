"""Statistical forms (统计报表) as xlsx with a UTF-8-BOM CSV twin, packaged with a manifest.

Form conventions (domain.md): a header block (表号, 制定机关, 报告期, 填报单位, 计量单位), a
coded body ending in a 合计 row, a footer block (单位负责人, 审核人, 填表人, 联系电话, 报出日期).
Figures are written as values, never formulas; text is always text. Same figures, same bytes.
"""

from __future__ import annotations

import csv
import logging
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from chufei.core.normalise import FEN_PER_WAN
from chufei.outbox.publishing import (LATEST_POINTER, adopt_orphan, point_latest, publishing, remove_abandoned,
                                      render_folder)
from chufei.core.xlsx import (NO_NUMBER_XML, NO_TEXT_XML, NUMBER_XML, PRESERVE_XML, TEXT_XML, csv_safe,
                              save_reproducibly, text_xml)
from chufei.outbox.layout import (LINE_PT, Wrapped, _cell, _Converter, _converter, displayed_rows,  # noqa: F401
                                  sheet_forms, write_sheet)
from chufei.statistics.forms import FOOTER_FIELDS, NO_DATA, NUMBER_FORMATS, ChartSpec, FormColumn, StatForm, wan, wan_text  # noqa: F401

log = logging.getLogger(__name__)


def write_xlsx(form: StatForm, path: Path, issued: str | None = None, convert=None,  # noqa: ANN001
               body: _Body | None = None) -> None:
    """Write ``form`` (one sheet, or one per numbered part) with its 报出日期 ``issued`` (ISO date);
    ``convert``: a ``_converter()`` to share (with the CSV twin: each text masked once);
    ``body``: the form's ``streamed_body``, when the caller made it for both files."""
    from openpyxl import Workbook

    book = Workbook()
    parts = sheet_forms(form)
    if body is None and len(parts) == 1:
        body = streamed_body(form, convert)
    wrapping = {}
    for index, sheet_form in enumerate(parts):
        sheet = book.active if index == 0 else book.create_sheet()
        wrapping = write_sheet(sheet, sheet_form, issued, streamed=body.columns if body is not None else None)
    patches = None
    if body is not None:
        patches = {"xl/worksheets/sheet1.xml": lambda xml: _insert_body_rows(xml, form, 7, body, wrapping)}
    save_reproducibly(book, path, patches=patches)


# A form with more body rows than this (the annual 清退 list: one row per case) has its body
# rows that need no wrapping written as XML directly: openpyxl builds and serialises a cell object
# per value (about 5 000 rows of 8 cells a second here, write-only mode no faster). The rows are
# exactly the bytes openpyxl writes for them (inline strings, the style ids of the first row that
# does not wrap, numbers through openpyxl's own ``safe_string``); a row with a text wider than its
# column is written by openpyxl, with its wrapping style and row height, in its place among them;
# so the file is byte-identical either way (tested).
STREAM_ROWS = 500
_NOT_WRAPPED = Wrapped(1, frozenset())
_PLAIN_TYPES = frozenset((str, int, Decimal, type(None)))


def _streamable(form: StatForm) -> bool:
    return _stream_columns(form) is not None


def _stream_columns(form: StatForm) -> list[list[object]] | None:
    """A long list's rows column by column, when its body can be streamed (else None): plain values,
    no text of several lines (those wrap in a row as tall as they need: layout.write_sheet)."""
    if len(form.rows) <= STREAM_ROWS + 1 or form.charts or form.parts:
        return None
    width = len(form.columns)
    if set(map(len, form.rows)) != {width}:
        return None
    columns = _columns(form.rows)
    for column in columns:
        types = set(map(type, column))
        if not types <= _PLAIN_TYPES:
            return None
        texts = column if types == {str} else [value for value in column if type(value) is str]
        if "\n" in "".join(texts):
            return None
    return columns


def _columns(rows: list[list[object]]) -> list[list[object]]:
    """``rows`` column by column (``zip(*rows)`` makes an iterator per row, and the garbage
    collector then runs through every row of a long list again and again)."""
    from operator import itemgetter

    return [list(map(itemgetter(index), rows)) for index in range(len(rows[0]))] if rows else []


CHUNK_ROWS = 8192  # a streamed body's rows made at a time: about 4 MB of sheet XML


class _Body:
    """A long form's body rows after the first and before the 合计, as its two files hold them,
    made once for both, a chunk of rows at a time, column by column: each cell's sheet XML after
    its reference and style (handed on as it is made), and its CSV value (kept for the twin)."""

    def __init__(self, form: StatForm, convert, columns: list[list[object]]) -> None:  # noqa: ANN001
        from openpyxl.cell.cell import Cell

        self.columns = columns  # the form's rows column by column (layout.write_sheet looks for wide texts)
        self.rows = displayed_rows(form)[1:-1]
        self.kinds = [column.kind for column in form.columns]
        self.convert = convert
        self.check = Cell(None).check_string  # openpyxl's own check: too long is cut, control characters refused
        self.csv: list[list[list[object]]] = []  # each chunk's CSV values, column by column

    def xml(self) -> Iterator[list[list[bytes]]]:
        """Each chunk's cells of sheet XML (UTF-8), column by column; their CSV values are kept."""
        for start in range(0, len(self.rows), CHUNK_ROWS):
            xml, csv_cells = [], []
            for kind, values in zip(self.kinds, _columns(self.rows[start:start + CHUNK_ROWS]), strict=False):
                cells = _column_cells(kind, values, self.convert, self.check)
                xml.append(cells[0])
                csv_cells.append(cells[1])
            if len(self.csv) * CHUNK_ROWS == start:
                self.csv.append(csv_cells)
            yield xml

    def csv_rows(self) -> Iterator[tuple]:
        if len(self.csv) * CHUNK_ROWS < len(self.rows):
            for _ in self.xml():
                pass
        for columns in self.csv:
            yield from zip(*columns, strict=True)


def streamed_body(form: StatForm, convert=None) -> _Body | None:  # noqa: ANN001
    """The rows ``write_xlsx`` streams and ``write_csv`` writes as they are, made once for both
    files (each distinct text masked, checked and escaped once), or None when ``form`` is
    written cell by cell."""
    columns = _stream_columns(form)
    return _Body(form, convert or _converter(), columns) if columns is not None else None


# A streamed body's cells are UTF-8 from the start, each distinct text encoded once: a chunk's rows
# are then formatted and joined as bytes, not as text holding Chinese (two bytes a character in
# memory, every ASCII cell widened to it on the way) encoded whole afterwards — about 0.13 s of the
# annual 清退 list's 1.1 s of row making (120,000 rows, 58 MB of sheet XML).
_NO_NUMBER, _NUMBER = NO_NUMBER_XML.encode(), NUMBER_XML.encode()


def _column_cells(kind: str, values: list, convert, check) -> tuple[list[bytes], list[object]]:  # noqa: ANN001
    """One column's cells of a streamed body: (sheet XML as UTF-8, CSV values)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    types = set(map(type, values))
    if types <= {str, type(None)}:
        distinct = list(dict.fromkeys(value for value in values if value is not None))
        masked = convert.texts(distinct) if isinstance(convert, _Converter) else [convert(kind, v) for v in distinct]
        joined = "\n".join(masked)
        if not ILLEGAL_CHARACTERS_RE.search(joined) and not any(len(text) > 32767 for text in masked):
            escaped = escape(joined).split("\n") if masked else []  # no text holds a line break (_streamable)
            xml = "\n".join(TEXT_XML % (PRESERVE_XML if text != text.strip() and text.strip() else "", safe) if text
                             else NO_TEXT_XML for text, safe in zip(masked, escaped, strict=True))
            xml_of = dict(zip(distinct, xml.encode("utf-8").split(b"\n") if masked else [], strict=True))
            csv_of = {value: csv_safe(text) for value, text in zip(distinct, masked, strict=True)}
            xml_of[None], csv_of[None] = _NO_NUMBER, ""
            return list(map(xml_of.__getitem__, values)), list(map(csv_of.__getitem__, values))
    elif kind == "wan" and types <= {int, type(None)}:  # safe_string(wan(value)) without the Decimal
        return ([_NO_NUMBER if value is None else _NUMBER % (value / FEN_PER_WAN) for value in values],
                ["" if value is None else wan_text(value) for value in values])
    elif kind not in ("wan", "yuan") and types <= {int, Decimal, type(None)} and all(
            value.is_finite() for value in values if type(value) is Decimal):  # written as they are
        return ([_NO_NUMBER if value is None else _NUMBER % value for value in values],
                ["" if value is None else value for value in values])
    return ([_xml_cell(kind, value, convert, check).encode("utf-8") for value in values],
            [_csv_value(kind, value, convert) for value in values])


def _xml_cell(kind: str, value: object, convert, check) -> str:  # noqa: ANN001
    """One cell's sheet XML after its reference and style, as openpyxl writes it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.compat import safe_string

    if kind == "wan" and type(value) is int:
        return NUMBER_XML % (value / FEN_PER_WAN)
    value = convert(kind, value)
    if value is None:
        return NO_NUMBER_XML
    if isinstance(value, str):
        if len(value) > 32767 or ILLEGAL_CHARACTERS_RE.search(value):
            value = check(value)
        return text_xml(value)
    return f' t="n"><v>{safe_string(value)}</v></c>'


def _one_line(value: object) -> object:
    return value.replace("\n", " ") if isinstance(value, str) else value


def _csv_value(kind: str, value: object, convert) -> object:  # noqa: ANN001
    """A value as the CSV twin holds it: masked, on one line, never read as a formula."""
    return "" if value is None else csv_safe(_one_line(convert(kind, value)))


def _insert_body_rows(xml: bytes, form: StatForm, first_row: int, body: _Body,
                      wrapping: dict[int, Wrapped]) -> Iterator[bytes]:
    """The sheet XML with the body rows openpyxl did not write (``layout.write_sheet``: all but the
    first, the 合计 and those whose styles the others take) streamed in place, in chunks: a row of
    ``wrapping`` (body rows by index) with its height, and its wrapping cells with the style of
    their column's wrapping cell, as openpyxl writes it."""
    import re

    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter

    start = xml.index(f'<row r="{first_row}"'.encode())
    end = xml.index(f'<row r="{first_row + len(body.rows) + 1}"'.encode(), start)  # the 合计 row
    letters = [get_column_letter(index) for index in range(1, len(form.columns) + 1)]
    column_of = {letter: column for column, letter in enumerate(letters)}
    written: dict[int, str] = {}  # the body rows openpyxl wrote, by number
    styles: dict[tuple[int, bool], str] = {}  # a column's style id, its cell wrapping or not
    for found in re.finditer(rb'<row r="(\d+)"[^>]*>.*?</row>', xml[start:end], re.S):
        number, text = int(found[1]), found[0].decode("utf-8")
        written[number] = text
        wraps = wrapping.get(number - first_row, _NOT_WRAPPED).columns
        for letter, style in re.findall(r'<c r="([A-Z]+)\d+" s="(\d+)"', text):
            styles.setdefault((column_of[letter], column_of[letter] in wraps), style)

    templates: dict[frozenset[int], bytes] = {}

    def row_xml(wraps: frozenset[int]) -> bytes:  # a row's cells from its number and their XML
        template = templates.get(wraps)
        if template is None:
            template = templates[wraps] = "".join(f'<c r="{letter}%s" s="{styles[(column, column in wraps)]}"%s'
                                                  for column, letter in enumerate(letters)).encode()
        return template

    plain = b'<row r="%s">' + row_xml(frozenset()) + b'</row>' if all(
        (c, False) in styles for c in column_of.values()) else None
    yield xml[:start] + written[first_row].encode("utf-8")
    number = first_row + 1
    for cells in body.xml():
        count = len(cells[0]) if cells else 0
        numbers = [str(row).encode() for row in range(number, number + count)]
        values = [numbers]
        for column in cells:
            values += [numbers, column]
        rows = list(map(plain.__mod__, zip(*values, strict=True))) if plain is not None else [b""] * count
        for offset in range(count):
            row_number = number + offset
            if row_number in written:
                rows[offset] = written[row_number].encode("utf-8")
            elif (wrapped := wrapping.get(row_number - first_row)) is not None or plain is None:
                wraps = wrapped.columns if wrapped is not None else frozenset()
                height = f' ht="{safe_string(wrapped.lines * LINE_PT + 4)}" customHeight="1"' if wrapped else ""
                cells_of_row = [part for column in cells for part in (numbers[offset], column[offset])]
                rows[offset] = (b'<row r="%s"%s>' % (numbers[offset], height.encode())
                                + row_xml(wraps) % tuple(cells_of_row) + b"</row>")
        yield b"".join(rows)
        number += count
    yield xml[end:]


def write_csv(form: StatForm, path: Path, convert=None, body: _Body | None = None) -> None:  # noqa: ANN001
    """The CSV twin: one header line (group·label), the same rows, UTF-8 with BOM for Excel;
    ``convert`` and ``body`` as for ``write_xlsx``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_one_line(c.label if c.group == c.label else f"{c.group}·{c.label}") for c in form.columns])
    convert = convert or _converter()
    kinds = [c.kind for c in form.columns]
    texts: dict[str, object] = {}  # a text as the CSV holds it (masked, one line, neutralised), once per text

    def cell(kind: str, value: object) -> object:
        if type(value) is str:
            text = texts.get(value)
            if text is None:
                text = texts[value] = _csv_value(kind, value, convert)
            return text
        return _csv_value(kind, value, convert)

    rows = displayed_rows(form)
    if body is None:
        body = streamed_body(form, convert)
    if body is None:
        writer.writerows([cell(kind, v) for kind, v in zip(kinds, values, strict=False)] for values in rows)
    else:
        writer.writerow([cell(kind, v) for kind, v in zip(kinds, rows[0], strict=False)])
        writer.writerows(body.csv_rows())
        writer.writerow([cell(kind, v) for kind, v in zip(kinds, rows[-1], strict=False)])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def _pointed(root: Path) -> str | None:
    """The version ``latest`` names, if it names one whose manifest is there."""
    pointer = root / LATEST_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if (root / name / "manifest.json").is_file():
            return name
    return None


def latest_version(root: Path) -> Path | None:
    """The folder the ``latest`` pointer names (falling back to the highest version)."""
    name = _pointed(root)
    if name is not None:
        return root / name
    versions = package_versions(root)
    return root / versions[-1] if versions else None


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _render(forms: dict[str, StatForm], folder: Path, issued: str | None, attachments: Attachments) -> list[dict]:
    files = []
    for stem, form in sorted(forms.items()):
        convert = _converter()  # the form's texts masked once for both files
        body = streamed_body(form, convert)  # a long list's rows made once for both files
        for suffix in (".xlsx", ".csv"):
            path = folder / f"{stem}{suffix}"
            if suffix == ".xlsx":
                write_xlsx(form, path, issued, convert, body)
            else:
                write_csv(form, path, convert, body)
            files.append({"name": path.name, "sha256": sha256_bytes(path), "bytes": path.stat().st_size,
                          "rows": len(form.rows)})
    extra = attachments(issued) if callable(attachments) else attachments
    for name, content in sorted((extra or {}).items()):
        (folder / name).write_bytes(content)
        files.append({"name": name, "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content),
                      "rows": content.count(b"\n")})
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


def _issued_of(folder: Path | None) -> str | None:
    return read_manifest(folder).get("issued") if folder is not None else None


Attachments = dict[str, bytes] | Callable[[str | None], dict[str, bytes]] | None


def issue_date(period_end: date, arrivals: Iterable[datetime] = ()) -> str:
    """The 报出日期 of a new version: the day its last source arrived (Beijing time), and never
    before the period is over (``period_end``, the day after its last day). Both come from the
    data, not the clock, so a rebuild from scratch gives the same bytes; a correction that
    arrives later makes a new version with a later date."""
    from chufei.core.periods import TZ

    day = period_end
    for moment in arrivals:
        if moment is not None:
            local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TZ).date()
            day = max(day, local)
    return day.isoformat()


def source_arrivals(engine, sources: Iterable[str]) -> list[datetime]:  # noqa: ANN001
    """When each of ``sources`` (received files, by sha256) landed in the inbox, where recorded."""
    from chufei.core.sql import as_instant, run_sql

    wanted = set(sources)
    with engine.connect() as connection:
        return [as_instant(row.arrived_at) for row in run_sql(connection, "source_arrivals") if row.sha256 in wanted]


def issue_date_of(engine, period_end: date, sources: Iterable[str]) -> str:  # noqa: ANN001
    """The 报出日期 a new version of a package built from ``sources`` gets (``issue_date``): a
    correction that arrives later makes a version with a later date; a rebuild keeps its version's."""
    return issue_date(period_end, source_arrivals(engine, sources))


def write_package(root: Path, report: str, period_key: str, forms: dict[str, StatForm],
                  sources: list[str], attachments: Attachments = None, issued: str | None = None) -> dict:
    """Write a period's package as an issued version under ``root`` = outbox/<report>/<period>/.

    Layout: ``root/v1/`` (files + manifest.json), ``root/v2/`` … and ``root/latest`` (a text file
    naming the newest version). ``forms`` maps a file stem to its form; each is written as xlsx and
    its CSV twin; ``attachments`` are further files (name → bytes, e.g. a text summary, or a
    function of the 报出日期 giving them). ``issued`` is the 报出日期 (ISO date) a new version gets;
    the manifest records it, and a rebuild of an issued version keeps that version's date. When
    the newly rendered files equal the latest version's (same bytes, same sources), nothing is
    written and that version is returned: re-running is idempotent and byte-for-byte reproducible.
    Otherwise the package becomes the next version beside the old ones, and its manifest says
    what changed (``changes``). Returns the manifest plus ``folder``.
    """
    import shutil

    if not sources:  # nothing submitted for the period: an empty form would read as zeros
        note = f"{period_key} 尚无报送数据，未生成报表包"
        log.info("%s：%s", report, note)
        return {"report": report, "period": period_key, "version": None, "files": [], "folder": None,
                "note": note}
    root.mkdir(parents=True, exist_ok=True)
    version_of = data_version(sources)
    with publishing(root):  # what a killed build left: its orphan version adopted, its render folder removed
        remove_abandoned(root)
        adopt_orphan(root, package_versions(root), _pointed(root))
    with render_folder(root) as staging:
        current = latest_version(root)
        rendered_with = _issued_of(current) or issued  # a rebuild of the latest version keeps its date
        files = _render(forms, staging, rendered_with, attachments)
        with publishing(root):  # concurrent builds of one period: one publishes, the others find it
            current = latest_version(root)
            if current is not None:
                issued_before = read_manifest(current)
                if _issued_of(current) == rendered_with:
                    same_files = ({(f["name"], f["sha256"]) for f in issued_before["files"]}
                                  == {(f["name"], f["sha256"]) for f in files})
                    if same_files and issued_before["data_version"] == version_of:
                        for entry in files:  # repair a deleted file from identical bytes
                            target = current / entry["name"]
                            if not target.is_file() or sha256_bytes(target) != entry["sha256"]:
                                shutil.copyfile(staging / entry["name"], target)
                        log.info("%s：%s %s 未变化，未写新版本", report, period_key, current.name)
                        return {**issued_before, "folder": str(current)}
            own = max(filter(None, (issued, _issued_of(current))), default=None)  # a new version: its own date
            if own != rendered_with:
                for path in staging.iterdir():
                    path.unlink()
                files = _render(forms, staging, own, attachments)
            issued = own
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
                "issued": issued,
                "sources": sorted(sources),
                "files": files,
            }
            if current is not None:
                manifest["supersedes"] = current.name
                manifest["changes"] = describe_changes(current, issued_before, staging, files, sources)
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
            folder = root / name
            staging.chmod(0o755)  # mkdtemp's 0700 would hide an issued package from the staff's accounts
            staging.rename(folder)
            point_latest(root, name)
    log.info("%s：%s", report, version_note(manifest))
    return {**manifest, "folder": str(folder)}


def version_note(manifest: dict) -> str:
    """One sentence on what a newly written version is: "2020-06 写入 v2：3 个数字变化"."""
    changes = manifest.get("changes")
    if not changes:
        return f"{manifest['period']} 写入 {manifest['version']}（首次出具）"
    parts = [f"{changes['figures_changed_total']} 个数字变化"]
    if changes["sources_added"] or changes["sources_removed"]:
        parts.append(f"来源文件新增 {len(changes['sources_added'])} 个、撤下 {len(changes['sources_removed'])} 个")
    return f"{manifest['period']} 写入 {manifest['version']}：{'，'.join(parts)}（取代 {manifest['supersedes']}）"


def package_summary(manifest: dict) -> dict:
    """What a package build returns to Airflow (XCom and the task log): counts and paths only.

    The manifest itself lists changed figures with their old and new cell text, which can be a
    row's content (a subject's name, a masked responsible person); it stays in the package."""
    changes = manifest.get("changes") or {}
    summary = {"report": manifest.get("report"), "period": manifest.get("period"),
               "version": manifest.get("version"), "folder": manifest.get("folder"),
               "files": len(manifest.get("files") or []), "supersedes": manifest.get("supersedes"),
               "figures_changed": changes.get("figures_changed_total", 0)}
    if manifest.get("note"):  # a period nobody reported for: the DAG skips with this note
        summary["note"] = manifest["note"]
    return summary
