"""Loading validated grid clue versions into the history, inside the caller's transaction.

``grid_clue_version`` keeps every (线索编号, 版本) exactly once (``grid_insert_version`` inserts only
the keys not stored yet); ``grid_clue_current`` is a view over it. Whole Arrow columns become the
values the driver binds — no per-row ORM or dict work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from chufei.core.sql import statement
from chufei.kinds.grid_report import CLUE_COLUMNS
from chufei.warehouse import schema as warehouse
from chufei.warehouse.grid_staging import ClueStaging, CopyClueStaging
from chufei.warehouse.inflow_schema import grid_clue_version

_LOOKUP_BATCH = 500


@cache
def _positional(name: str, paramstyle: str) -> tuple[str, tuple[str, ...]]:
    """include/sql/<name>.sql with its :names turned into the driver's positional markers."""
    sql = statement(name).text
    names = tuple(re.findall(r"(?<![:\w]):(\w+)", sql))
    return re.sub(r"(?<![:\w]):(\w+)", "?" if paramstyle == "qmark" else "%s", sql), names


_PER_LOAD = ("source", "load_id", "loaded_at")  # the same for every row of a file or page
_SQLITE_ROWS_PER_STATEMENT = 64


@cache
def _sqlite_bulk(rows: int) -> tuple[str, tuple[str, ...]]:
    """``grid_insert_version`` for SQLite with ``rows`` rows per statement, and its row columns.

    Python's sqlite3 spends most of a bulk load binding values, a missing one (``None``) costing
    twice a text (it goes through the adapter lookup), and releases the GIL around every step. So
    the VALUES row of the SQL file is repeated ``rows`` times, the load's constants are numbered
    markers (?1-?3) bound once per statement, and a nullable column is bound as '' for missing
    (``NULLIF(?, '')``; normalised text is never blank, times and numbers never text).
    """
    sql = statement("grid_insert_version").text
    head, values, tail = re.fullmatch(r"(.*\bVALUES\s*)\((.*?)\)(\s*ON CONFLICT.*)", sql, re.S).groups()
    names = re.findall(r"(?<![:\w]):(\w+)", values)
    row_names = tuple(name for name in names if name not in _PER_LOAD)
    width = len(row_names)

    def marker(name: str, row: int) -> str:
        if name in _PER_LOAD:
            return f"?{_PER_LOAD.index(name) + 1}"
        number = len(_PER_LOAD) + 1 + row * width + row_names.index(name)
        return f"NULLIF(?{number}, '')" if grid_clue_version.c[name].nullable else f"?{number}"

    groups = ", ".join("(" + ", ".join(marker(name, row) for name in names) + ")" for row in range(rows))
    return head + groups + tail, row_names


def _sqlite_values(values: pa.Array) -> list:
    """A column as the values ``_sqlite_bulk`` binds: text as SQLAlchemy stores it, '' for missing.

    Times and dates are the text SQLAlchemy's SQLite ``DateTime``/``Date`` write and read
    (``2020-06-03 14:20:00.000000``, ``2020-06-03``) — what a bound ``datetime`` compares
    against; Arrow's cast writes it ten times faster than ``strftime``.
    """
    if pa.types.is_timestamp(values.type):
        text = pc.cast(pc.cast(values, pa.timestamp("s")), pa.string())
        values = pc.binary_join_element_wise(text, ".000000", "")
    elif pa.types.is_date(values.type):
        values = pc.cast(values, pa.string())
    if pa.types.is_string(values.type):
        return _python_strings(values, missing="")
    if not values.null_count:
        return values.to_pylist()
    objects = pc.fill_null(values, 0).to_numpy().astype(object)
    objects[pc.is_null(values).to_numpy(zero_copy_only=False)] = ""
    return objects.tolist()


@dataclass
class LoadChunk:
    rows: pa.Table  # the valid rows of a batch
    columns: dict[str, list]  # their bound values by column, all but version


class ClueLoader:
    """Loads the valid rows of one file or API page inside the caller's transaction.

    No per-row ORM or dict work: ``prepare`` turns whole Arrow columns into what the staging or the
    driver takes, ``stage`` settles the versions and writes them. A file's chunks go to its
    ``staging`` (``chufei.warehouse.grid_staging``) and reach the history in ``finish``; an API page
    (no staging) goes straight in through the driver (``grid_insert_version``: only (线索编号, 版本)
    not stored yet), many rows per statement on SQLite (``_sqlite_bulk``). ``grid_clue_current``
    is a view over the history.
    """

    def __init__(self, connection: Connection, load_id: str, source: str,
                 staging: ClueStaging | CopyClueStaging | None = None):
        self.connection, self.load_id, self.source, self.staging = connection, load_id, source, staging
        self.sqlite = connection.dialect.name == "sqlite"
        self.paramstyle = "qmark" if self.sqlite else "format"
        self.loaded_at = warehouse.now_utc()
        self.new_versions = 0
        if self.sqlite:  # index pages of a million-row load stay in memory until commit
            connection.exec_driver_sql("PRAGMA cache_size = -262144")
        self.has_history = connection.execute(select(grid_clue_version.c.clue_no).limit(1)).first() is not None
        self._row_names = _sqlite_bulk(1)[1]  # the bound columns of each row (not the per-load ones)
        # Staged rows reach the history only at the end of the file: the rows this file gave a 版本号
        # (rare in exports) are remembered, so a later row of the same clue without one is numbered
        # after them, as it would be once they were stored. {线索编号: (版本, content)}
        self._staged_versions: dict[str, tuple] = {}

    def _current(self, clues: list[str]) -> dict[str, tuple]:
        """(version, content) of the current version of each of ``clues`` already stored."""
        v, w = grid_clue_version.alias("v"), grid_clue_version.alias("w")
        latest = select(func.max(w.c.version)).where(w.c.clue_no == v.c.clue_no).scalar_subquery()
        found: dict[str, tuple] = {}
        for offset in range(0, len(clues), _LOOKUP_BATCH):
            query = (select(v.c.version, *(v.c[name] for name in CLUE_COLUMNS))
                     .where(v.c.clue_no.in_(clues[offset:offset + _LOOKUP_BATCH]), v.c.version == latest))
            for row in self.connection.execute(query):
                found[row.clue_no] = (row.version, tuple(row[1:]))
        return found

    def _versions(self, rows: pa.Table) -> tuple[pa.Array, pa.Array | None]:
        """The version each row loads as, and which rows to load (None: all of them).

        A row without 版本号 (an export) becomes version 1 of a new clue, or the next version of a
        stored one — unless its content equals the stored current version: then nothing changed.
        """
        versions = rows["version"].combine_chunks()
        if not versions.null_count:
            return versions, None
        if not self.has_history and not self._staged_versions:  # every export row is its clue's first version
            return pc.fill_null(versions, 1), None
        clues, numbers = rows["clue_no"].to_pylist(), versions.to_pylist()
        unversioned = [i for i, version in enumerate(numbers) if version is None]
        existing = self._current([clues[i] for i in unversioned]) if self.has_history else {}
        for index in unversioned:
            staged = self._staged_versions.get(clues[index])
            if staged is not None and (clues[index] not in existing or staged[0] > existing[clues[index]][0]):
                existing[clues[index]] = staged
        if existing:
            contents = list(zip(*(rows[name].to_pylist() for name in CLUE_COLUMNS), strict=False))
        for index in unversioned:
            known = existing.get(clues[index])
            numbers[index] = known[0] + 1 if known else 1
            if known is not None and known[1] == contents[index]:
                numbers[index] = None  # the same content again: not a new version
        loaded = pa.array(numbers, type=pa.int32())
        return loaded, (pc.is_valid(loaded) if loaded.null_count else None)

    def _remember_given_versions(self, rows: pa.Table) -> None:
        given = pc.is_valid(rows["version"])
        if not pc.any(given).as_py():
            return
        rows = rows.filter(given)
        contents = zip(*(rows[name].to_pylist() for name in CLUE_COLUMNS), strict=False)
        for clue, version, content in zip(rows["clue_no"].to_pylist(), rows["version"].to_pylist(), contents, strict=False):
            if clue not in self._staged_versions or version > self._staged_versions[clue][0]:
                self._staged_versions[clue] = (version, tuple(content))

    def prepare(self, typed: pa.Table, ok: pa.Array, row_numbers: list[int]) -> LoadChunk:
        """The rows marked ``ok`` and their columns as the driver binds them (all but 版本).

        Needs no database, so ``load_batches`` runs it in the helper thread with validation.
        """
        rows = typed.filter(ok)
        numbers = pc.filter(pa.array(row_numbers, type=pa.int64()), ok)
        convert = self.staging.convert if self.staging else (_sqlite_values if self.sqlite else _python_values)
        return LoadChunk(rows, {name: convert(numbers if name == "row_no" else rows[name].combine_chunks())
                                for name in self._row_names if name != "version"})

    def stage(self, chunk: LoadChunk) -> int:
        """Load a prepared chunk; returns how many rows were valid (new versions or repeats)."""
        count = chunk.rows.num_rows
        if count == 0:
            return 0
        numbered_here = chunk.rows["version"].null_count == count  # no row carries its own 版本号
        versions, keep = self._versions(chunk.rows)
        columns = chunk.columns
        if self.staging:
            self._remember_given_versions(chunk.rows)
            if keep is not None:  # a re-export of clues already stored: only changed ones load
                columns = {name: pc.filter(values, keep) for name, values in columns.items()}
                versions = pc.filter(versions, keep)
            if not len(versions):
                return count
            rows = pa.table({**columns, "version": versions})
            if numbered_here and self.staging.direct:
                self.new_versions += self.staging.insert_numbered(rows, self.source, self.load_id, self.loaded_at)
            else:
                self.staging.append(rows)
            return count
        if keep is not None:  # a re-export of clues already stored: only changed ones load
            kept = np.flatnonzero(keep.to_numpy(zero_copy_only=False)).tolist()
            if not kept:
                return count
            columns = {name: [values[i] for i in kept] for name, values in columns.items()}
            versions = pc.filter(versions, keep)
        columns = {**columns, "version": (_sqlite_values if self.sqlite else _python_values)(versions)}
        insert_rows = self._insert_sqlite if self.sqlite else self._insert
        self.new_versions += insert_rows([columns[name] for name in self._row_names])
        return count

    def _insert_sqlite(self, columns: list[list]) -> int:
        """Many rows per statement (``_sqlite_bulk``); returns how many were new."""
        loaded_at = self.loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        per_load = {"source": self.source, "load_id": self.load_id, "loaded_at": loaded_at}
        constants = [per_load[name] for name in _PER_LOAD]
        step, width, count = _SQLITE_ROWS_PER_STATEMENT, len(columns), len(columns[0])
        whole, per_statement = count - count % step, step * len(columns)
        flat = [None] * (count * width)  # row after row; a strided slice assignment per column
        for position, column in enumerate(columns):
            flat[position::width] = column
        cursor = self.connection.connection.driver_connection.cursor()
        added = 0
        try:
            if whole:
                cursor.executemany(_sqlite_bulk(step)[0], (constants + flat[start:start + per_statement]
                                                           for start in range(0, whole * width, per_statement)))
                added += max(cursor.rowcount, 0)
            if count > whole:
                cursor.execute(_sqlite_bulk(count - whole)[0], constants + flat[whole * width:])
                added += max(cursor.rowcount, 0)
        finally:
            cursor.close()
        return added

    def _insert(self, columns: list[list]) -> int:
        """One row per bound parameter set (PostgreSQL: psycopg pipelines them); how many were new."""
        given = dict(zip(self._row_names, columns, strict=False))
        given.update(source=repeat(self.source), load_id=repeat(self.load_id), loaded_at=repeat(self.loaded_at))
        sql, names = _positional("grid_insert_version", self.paramstyle)
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, zip(*(given[name] for name in names), strict=False))
            return max(cursor.rowcount, 0)
        finally:
            cursor.close()

    def finish(self) -> int:
        """How many versions this file or page added to the history."""
        if self.staging:
            self.new_versions += self.staging.move(self.connection, self.source, self.load_id, self.loaded_at)
        return self.new_versions


def _python_values(values: pa.Array) -> list:
    return _python_strings(values) if pa.types.is_string(values.type) else values.to_pylist()


def _python_strings(values: pa.Array, missing: str | None = None) -> list:
    """A string column as Python ``str``s, one object per distinct value, ``missing`` for null.

    Most clue columns repeat a few values (区县代码, 行业领域, 处置状态…): taking them from the
    dictionary is quicker than converting every cell, and the driver encodes each object once.
    """
    encoded = pc.dictionary_encode(values)
    distinct = len(encoded.dictionary)
    if distinct * 2 > len(values):
        return (values if missing is None else pc.fill_null(values, missing)).to_pylist()
    lookup = np.array([*encoded.dictionary.to_pylist(), missing], dtype=object)
    return lookup[pc.fill_null(encoded.indices, distinct).to_numpy()].tolist()
