"""Loading and running the SQL files in include/sql: values are always bound, never formatted in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.sql.elements import TextClause

from chufei.core.settings import SQL_DIR


# A fragment several statements share (a definition written once), included as {{ name }}:
# include/sql/<name>.sql's text in place, its comment lines dropped so it can stand mid-clause.
_FRAGMENT = re.compile(r"\{\{ (\w+) \}\}")


def _fragment(match: re.Match) -> str:
    lines = (SQL_DIR / f"{match.group(1)}.sql").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


def sql_text(name: str) -> str:
    """include/sql/<name>.sql with its fragments included."""
    return _FRAGMENT.sub(_fragment, (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


@cache
def statement(name: str) -> TextClause:
    return text(sql_text(name))


def run_sql(connection: Connection, name: str, **params: object) -> CursorResult:
    """Run include/sql/<name>.sql; dates are bound as DATE so SQLite and PostgreSQL compare alike."""
    clause = statement(name).bindparams(
        *[bindparam(key, type_=Date) for key, value in params.items() if isinstance(value, date)])
    return connection.execute(clause, params)


@contextmanager
def postgresql_settings(connection: Connection, **settings: str) -> Iterator[None]:
    """PostgreSQL planner settings for the statements run inside, set back after them (and local
    to the transaction, as SET LOCAL); nothing on SQLite."""
    if connection.dialect.name != "postgresql":
        yield
        return
    names = sorted(settings)
    was = connection.exec_driver_sql(
        "SELECT " + ", ".join(f"current_setting('{name}'), set_config('{name}', %s, true)" for name in names),
        tuple(settings[name] for name in names)).one()
    try:
        yield
    finally:
        connection.exec_driver_sql("SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in names),
                                   tuple(was[2 * index] for index in range(len(names))))


def driver_rows(result: CursorResult) -> list[tuple]:
    """A result's rows as the DBAPI driver's tuples, the result closed: for many rows of plain
    columns (ids, codes, text, counts), which need none of SQLAlchemy's row processing."""
    rows = result.cursor.fetchall()
    result.close()
    return rows


def fetch_rows(engine: Engine, name: str, **params: object) -> list[dict]:
    """include/sql/<name>.sql's rows as dicts, on a connection of their own."""
    with engine.connect() as connection:
        return [dict(row) for row in run_sql(connection, name, **params).mappings()]


def as_date(value: object) -> date | None:
    """A DATE column's value: SQLite hands back the ISO text SQLAlchemy stored, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_instant(value: object) -> datetime | None:
    """A timestamp column's value as an aware UTC instant: through a text statement SQLite hands
    back the stored text, and without its zone (SQLAlchemy stores the UTC value); PostgreSQL a
    datetime with its zone."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
