"""A throw-away PostgreSQL database for a bench step: created fresh, dropped afterwards.

The server is the local one the tests use (``BENCH_PG_HOST``/``BENCH_PG_PORT``, default
127.0.0.1:5432, trust auth as user postgres or root); a bench never touches an existing database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))


def _admin():
    import psycopg

    last = None
    for user in ("postgres", "root"):
        try:
            return psycopg.connect(host=HOST, port=PORT, dbname="postgres", user=user, autocommit=True,
                                   connect_timeout=3), user
        except psycopg.OperationalError as error:
            last = error
    raise SystemExit(f"the bench needs PostgreSQL at {HOST}:{PORT} (trust auth, user postgres or root): {last}")


@contextmanager
def fresh_database(label: str = "bench") -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database, dropped when the block ends."""
    admin, user = _admin()
    name = f"chufei_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg://{user}@{HOST}:{PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
