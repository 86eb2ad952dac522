"""Which run owns a claimed file: a lock per live claim, so only dead runs' leftovers are retried.

An ingest run claims files by renaming them into ``work/<source>/`` under its claim token
(``<token>.<n>__<original name>``) while it holds an exclusive ``flock`` on
``work/<source>/.claim-<token>.lock``. The kernel drops the lock when the run's process ends,
however it ends, so a later run can tell the leftovers of a crashed attempt (lock free: take them
over) from files a concurrent live run is still processing (lock held: leave them alone). The
lock file is created under a temporary name and locked before it is renamed into place, so a
lock that is visible is always held. ``flock`` works between containers on one host and on
NFSv4, the volumes the compose stack shares.

Database writes of concurrent runs are kept apart by ``serialize`` (a PostgreSQL transaction
advisory lock; SQLite lets one writer at a time in anyway).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
import contextlib

LOCK_PREFIX = ".claim-"
SEPARATOR = "__"


class ClaimLock:
    """Held by a live run for as long as it processes the files it claimed."""

    def __init__(self, folder: Path) -> None:
        self.token = uuid.uuid4().hex
        self.folder = folder
        self.path = folder / f"{LOCK_PREFIX}{self.token}.lock"
        pending = folder / f".pending-{self.token}.lock"
        self._fd: int | None = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        os.rename(pending, self.path)
        self._count = 0

    def name_for(self, original: str) -> str:
        self._count += 1
        return f"{self.token}.{self._count}{SEPARATOR}{original}"

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:
        self.release()


def owner_of(name: str) -> str:
    """The claim token in a claimed file's name (older names: the whole prefix)."""
    return name.partition(SEPARATOR)[0].split(".", 1)[0]


def original_name(name: str) -> str:
    return name.split(SEPARATOR, 1)[-1]


class DeadOwner:
    """The lock of a run that is gone, held while its files are taken over, then deleted."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self.fd = path, fd

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


def dead_owner(folder: Path, token: str) -> DeadOwner | None:
    """The owner's lock if the run that claimed under ``token`` has ended; None while it is alive."""
    path = folder / f"{LOCK_PREFIX}{token}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return DeadOwner(path, None)  # finished, or a claim from before claim locks existed
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return DeadOwner(path, fd)


class Claim(list):
    """The files a run claimed. Its lock is released by ``release()``, at the end of a ``with``
    block, or when the claim is dropped: right after ``for claimed in claim_files(...)`` ends, and
    by the kernel when the process ends, however it ends."""

    def __init__(self, files, lock: ClaimLock) -> None:
        super().__init__(files)
        self.lock = lock

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def serialize(connection: Connection, name: str) -> None:
    """Make concurrent transactions that write ``name`` take turns (until this transaction ends).

    PostgreSQL: an advisory lock on ``name``. SQLite has one writer at a time anyway, but Python's
    sqlite3 begins a transaction only at the first INSERT/UPDATE/DELETE, so DDL and reads before it
    run outside any transaction: the transaction is begun here, taking the write lock at once
    (``BEGIN IMMEDIATE``), when it has not begun yet. Call it first in the transaction.
    """
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
