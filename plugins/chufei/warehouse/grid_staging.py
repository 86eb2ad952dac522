"""Scratch SQLite databases that stage a grid file's clue versions (ADBC, Arrow in C).

A file's chunks are written into a scratch database beside its work folder while the file is
validated, then moved into the history with one ``INSERT … SELECT`` inside the load's own
transaction: the file still loads entirely or not at all. The scratch database never outlives
its load, even a killed one (``_remove_abandoned_scratch``).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy.engine import Connection

from chufei.core.sql import statement


class ClueStaging:
    """A file load's clue versions on their way into a SQLite warehouse.

    Binding values from Python is most of a big load through ``sqlite3`` (22 a row). Here the ADBC
    SQLite driver writes each chunk's Arrow columns in C into a scratch database next to the
    file's work folder; ``move`` then copies them into ``grid_clue_version`` with one
    ``INSERT … SELECT`` (``grid_insert_staged``) inside the load's own transaction, so the file
    still loads entirely or not at all. Use through ``clue_staging``, which attaches the scratch
    database as ``grid_stage`` before that transaction begins (SQLite cannot attach inside one).
    """

    TABLE = "clue_version"

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


@contextmanager
def clue_staging(connection: Connection, folder: Path, load_id: str) -> Iterator[ClueStaging | None]:
    """A ``ClueStaging`` attached to ``connection`` for one file load (None on PostgreSQL, where
    psycopg pipelines the rows). Enter before the load's transaction begins; the scratch database
    is detached and deleted when the block ends, loaded or not, and every cleanup step runs even
    when one before it fails, so the pooled connection never keeps it attached."""
    if connection.dialect.name != "sqlite":
        yield None
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
