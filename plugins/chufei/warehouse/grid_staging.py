"""Staging a grid file's clue versions in bulk, then one ``INSERT … SELECT`` into the history.

Binding values row by row from Python is most of a big load. So a file's valid rows are written
in bulk while the file is still being validated — on SQLite by the ADBC driver (Arrow in C) into
a scratch database beside the file's work folder, on PostgreSQL by ``COPY … FROM STDIN`` into a
temporary table — and move into ``grid_clue_version`` with one ``grid_insert_staged`` inside the
load's own transaction: the file still loads entirely or not at all, and each (线索编号, 版本)
is stored once. On PostgreSQL the rows whose versions the load numbered itself skip the staging
and are copied straight into the history. A scratch database never outlives its load, even a killed one
(``_remove_abandoned_scratch``); the temporary table is dropped with the transaction.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import BigInteger, Date, DateTime, Integer, String, Table
from sqlalchemy.engine import Connection

from chufei.core.sql import statement
from chufei.warehouse.inflow_schema import grid_clue_version


_TABLE = "grid_clue_stage"  # the table include/sql/grid_insert_staged.sql reads


def _sqlite_arrow(values: pa.Array) -> pa.Array:
    """A column as ``ClueStaging`` stores it: times and dates as the text SQLAlchemy's SQLite
    ``DateTime``/``Date`` write and read (``2020-06-03 14:20:00.000000``, ``2020-06-03``),
    everything else as it is, missing values as NULL."""
    if pa.types.is_timestamp(values.type):
        text = pc.cast(pc.cast(values, pa.timestamp("s")), pa.string())
        return pc.binary_join_element_wise(text, ".000000", "")
    if pa.types.is_date(values.type):
        return pc.cast(values, pa.string())
    return values


class ClueStaging:
    """A file load's clue versions on their way into a SQLite warehouse.

    Binding values from Python is most of a big load through ``sqlite3`` (22 a row). Here the ADBC
    SQLite driver writes each chunk's Arrow columns in C into a scratch database next to the
    file's work folder; ``move`` then copies them into ``grid_clue_version`` with one
    ``INSERT … SELECT`` (``grid_insert_staged``) inside the load's own transaction, so the file
    still loads entirely or not at all. Use through ``clue_staging``, which attaches the scratch
    database as ``grid_stage`` before that transaction begins (SQLite cannot attach inside one);
    the statement names the table alone, and SQLite finds it in the attached database.
    """

    TABLE = _TABLE
    convert = staticmethod(_sqlite_arrow)  # how ``ClueLoader.prepare`` hands over a column
    direct = False  # every row is staged: the scratch database is another connection's

    def __init__(self, path: Path):
        self.path = path
        self.staged = 0
        self._connection = None

    def append(self, rows: pa.Table) -> None:
        if self._connection is None:
            import adbc_driver_sqlite.dbapi

            self._connection = adbc_driver_sqlite.dbapi.connect(str(self.path))
        with self._connection.cursor() as cursor:
            cursor.adbc_ingest(self.TABLE, rows, mode="create_append")
        self.staged += rows.num_rows

    def move(self, connection: Connection, source: str, load_id: str, loaded_at: datetime) -> int:
        """Into the history; returns how many versions were new."""
        self.close()
        if not self.staged:
            return 0
        moved = connection.execute(statement("grid_insert_staged"), {
            "source": source, "load_id": load_id, "loaded_at": loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f")})
        return max(moved.rowcount, 0)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.commit()
            self._connection.close()
            self._connection = None


class NumberTaken(Exception):
    """A version this load numbered itself was stored meanwhile by a concurrent load: the file
    must be loaded again through the staging, whose ``INSERT … SELECT`` leaves stored versions."""


class CopyClueStaging:
    """A file load's clue versions on their way into a PostgreSQL warehouse, by COPY.

    Bound INSERTs cost PostgreSQL a round of parsing, planning and WAL per row even pipelined.
    Here each chunk's Arrow columns become COPY's binary tuples (``binary_tuples``, Arrow kernels
    in C) streamed with ``COPY … FROM STDIN``. Rows whose version this load numbered itself (an export without 版本号:
    a new clue's version 1, or the one after the stored current version) are new keys, so they go
    straight into the history (``insert_numbered``) while the next chunk is being validated: the
    server writes them once, in parallel with the client, and nothing is left for the end. Rows
    that carry their own 版本号 may repeat versions already stored; they go into a temporary table
    created by the first such chunk inside the load's transaction (``ON COMMIT DROP``: it goes with
    the commit or the rollback, and a pooled connection never keeps it), which ``move`` copies into
    the history with the same ``grid_insert_staged`` as SQLite, leaving stored versions as they
    are. Either way a failed file leaves nothing. ``direct=False`` stages every row.
    """

    TABLE = _TABLE

    def __init__(self, connection: Connection, direct: bool = True):
        self.connection, self.direct = connection, direct
        self.staged = 0
        self._created = False

    @staticmethod
    def convert(values: pa.Array) -> pa.Array:
        return values  # binary_tuples encodes Arrow's types as the history's columns take them

    def append(self, rows: pa.Table) -> None:
        if not self._created:
            self.connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE {self.TABLE} ON COMMIT DROP AS "
                f"SELECT {', '.join(rows.column_names)} FROM grid_clue_version WITH NO DATA")
            self._created = True
        self._copy(self.TABLE, rows)
        self.staged += rows.num_rows

    def insert_numbered(self, rows: pa.Table, source: str, load_id: str, loaded_at: datetime) -> int:
        """Rows whose versions this load numbered, straight into the history; returns how many.

        Their keys are new unless a concurrent load stored the same numbers since they were
        given: then COPY fails (after waiting for that load to commit) and ``NumberTaken`` says to
        load the file again with ``direct=False``."""
        import psycopg

        constants = {"source": pa.scalar(source), "load_id": pa.scalar(load_id),
                     "loaded_at": pa.scalar(loaded_at, pa.timestamp("us", "UTC"))}
        try:
            self._copy("grid_clue_version", rows, constants)
        except psycopg.errors.UniqueViolation as error:
            raise NumberTaken(str(error)) from error
        return rows.num_rows

    def _copy(self, table: str, rows: pa.Table, constants: dict[str, pa.Scalar] | None = None) -> None:
        """``rows`` (and ``constants`` in every row) into ``table`` by binary COPY, a slice at a time:
        the server reads one slice while the next is encoded."""
        names = ", ".join([*rows.column_names, *(constants or {})])
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(_BINARY_HEADER)
                for start in range(0, rows.num_rows, _SLICE_ROWS):
                    copy.write(binary_tuples(rows.slice(start, _SLICE_ROWS), grid_clue_version, constants))
                copy.write(_BINARY_TRAILER)
        finally:
            cursor.close()

    def move(self, connection: Connection, source: str, load_id: str, loaded_at: datetime) -> int:
        """The staged rows into the history; returns how many versions were new."""
        if not self.staged:
            return 0
        moved = connection.execute(statement("grid_insert_staged"),
                                   {"source": source, "load_id": load_id, "loaded_at": loaded_at})
        return max(moved.rowcount, 0)

    def close(self) -> None:
        """Nothing to release: the table is dropped with the transaction."""


# COPY's binary format: the signature, no flags, no header extension; a field count of -1 ends it.
# Times count microseconds, dates days, from 2000-01-01; integers and lengths are big-endian.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = struct.pack(">h", -1)
_PG_EPOCH_MICROSECONDS = 946_684_800_000_000
_PG_EPOCH_DAYS = 10_957
_NULL_AS_EMPTY = pc.JoinOptions(null_handling="replace", null_replacement="")
_SLICE_ROWS = 8192


def binary_tuples(rows: pa.Table, table: Table, constants: dict[str, pa.Scalar] | None = None) -> pa.Buffer:
    """``rows`` as the tuples of ``COPY table (its column names, then constants') FROM STDIN (FORMAT binary)``.

    The server takes binary fields without parsing text: about a third less of its time than
    CSV for the clue history. Each row is its field count, then each field's length (-1: NULL)
    and bytes; one element-wise join builds them all, the ``constants``' fields (the same in every
    row) encoded once. Integers take the width of the column they go into, with Arrow's checked cast.
    """
    parts = [part for name in rows.column_names for part in _binary_field(rows[name], table.c[name].type)]
    fixed = b"".join(part[0].as_py() for name, value in (constants or {}).items()
                     for part in _binary_field(pa.array([value]), table.c[name].type))
    count = struct.pack(">h", rows.num_columns + len(constants or {}))
    joined = pc.binary_join_element_wise(pa.scalar(count, pa.binary()), *parts, pa.scalar(fixed, pa.binary()), b"",
                                         options=_NULL_AS_EMPTY)
    offsets = np.frombuffer(joined.buffers()[1], np.int32)
    return joined.buffers()[2][int(offsets[joined.offset]):int(offsets[joined.offset + len(joined)])]


def _binary_field(values, kind) -> tuple[pa.Array, pa.Array]:
    """(each row's length prefix, its bytes) for one column; a NULL has length -1 and no bytes."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    valid = (pc.is_valid(values).to_numpy(zero_copy_only=False) if values.null_count
             else np.ones(len(values), dtype=bool))
    if isinstance(kind, String):  # Text too
        if not pa.types.is_string(values.type):
            raise TypeError(f"text column given {values.type}")
        offsets = np.frombuffer(values.buffers()[1], np.int32)[values.offset:values.offset + len(values) + 1]
        return _fixed_width(np.where(valid, np.diff(offsets), -1), ">i4"), values.cast(pa.binary())
    if isinstance(kind, DateTime):
        if pa.types.is_timestamp(values.type) and (values.type.tz is not None) != bool(kind.timezone):
            raise TypeError(f"{kind} column given {values.type}")
        numbers = pc.cast(pc.cast(values, pa.timestamp("us", values.type.tz)), pa.int64())
        numbers, width = pc.fill_null(numbers, 0).to_numpy() - _PG_EPOCH_MICROSECONDS, 8
    elif isinstance(kind, Date):
        numbers, width = pc.fill_null(pc.cast(pc.cast(values, pa.date32()), pa.int32()), 0).to_numpy() - _PG_EPOCH_DAYS, 4
    elif isinstance(kind, Integer):
        width = 8 if isinstance(kind, BigInteger) else 4
        numbers = pc.fill_null(pc.cast(values, pa.int64() if width == 8 else pa.int32()), 0).to_numpy()
    else:
        raise TypeError(f"no binary COPY for {kind}")
    prefix = _fixed_width(np.where(valid, width, -1), ">i4")
    data = numbers[valid].astype(f">i{width}")
    return prefix, _binary_array(data.tobytes(), np.where(valid, width, 0))


def _fixed_width(numbers: np.ndarray, dtype: str) -> pa.Array:
    encoded = numbers.astype(dtype)
    return _binary_array(encoded.tobytes(), np.full(len(numbers), encoded.itemsize))


def _binary_array(data: bytes, lengths: np.ndarray) -> pa.Array:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.BinaryArray.from_buffers(pa.binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


@contextmanager
def clue_staging(connection: Connection, folder: Path, load_id: str, direct: bool = True
                 ) -> Iterator[ClueStaging | CopyClueStaging]:
    """The staging of one file load on ``connection``: a ``CopyClueStaging`` on PostgreSQL, else a
    ``ClueStaging`` attached to it (``direct``: ``CopyClueStaging``'s). Enter before the load's
    transaction begins; the scratch database
    is detached and deleted when the block ends, loaded or not, and every cleanup step runs even
    when one before it fails, so the pooled connection never keeps it attached."""
    if connection.dialect.name == "postgresql":
        yield CopyClueStaging(connection, direct)
        return
    host = socket.gethostname()
    _remove_abandoned_scratch(folder, host)
    path = folder / f"{_SCRATCH_PREFIX}{host}-{os.getpid()}-{threading.get_ident()}-{load_id[:16]}.sqlite"
    _remove_database(path)
    _detach_scratch(connection)  # left attached by a load whose cleanup could not finish
    connection.exec_driver_sql(f"ATTACH DATABASE ? AS {_SCRATCH_SCHEMA}", (str(path),))
    connection.commit()  # ends SQLAlchemy's autobegun transaction; the caller begins its own
    staging = ClueStaging(path)
    try:
        yield staging
    finally:
        with ExitStack() as cleanup:  # run last to first, each whatever the others do
            cleanup.callback(_remove_database, path)
            cleanup.callback(_detach_scratch, connection)
            cleanup.callback(staging.close)


_SCRATCH_PREFIX = ".stage-"
_SCRATCH_SCHEMA = "grid_stage"  # the schema include/sql/grid_insert_staged.sql reads


def _detach_scratch(connection: Connection) -> None:
    if connection.in_transaction():
        connection.rollback()
    attached = {row[1] for row in connection.exec_driver_sql("PRAGMA database_list")}
    if _SCRATCH_SCHEMA in attached:
        connection.exec_driver_sql(f"DETACH DATABASE {_SCRATCH_SCHEMA}")
    connection.commit()


def _remove_abandoned_scratch(folder: Path, host: str) -> None:
    """Scratch databases of this machine's loads whose process is gone (killed mid-load). Those
    of other machines sharing the data directory are theirs to remove."""
    for path in folder.glob(f"{_SCRATCH_PREFIX}{host}-*.sqlite"):
        pid = path.name[len(_SCRATCH_PREFIX) + len(host) + 1:].split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_database(path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_database(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
