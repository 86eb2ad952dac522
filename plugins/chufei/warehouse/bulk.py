"""Many rows into one table inside the caller's transaction: COPY on PostgreSQL, else executemany.

A bound INSERT costs PostgreSQL a parse, plan and WAL record per row even pipelined; ``COPY …
FROM STDIN`` streams the rows in one statement. Small batches keep the plain INSERT, which costs
less to start. The row tables hold plain types (text, dates, integers, booleans), which psycopg
adapts for COPY as it does for INSERT.
"""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

COPY_ROWS = 2_000  # from this many rows on, PostgreSQL loads by COPY


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> None:
    """``rows`` (dicts with the same keys, as for an executemany) into ``table``."""
    if not rows:
        return
    if connection.dialect.name != "postgresql" or len(rows) < COPY_ROWS:
        connection.execute(insert(table), rows)
        return
    _copy(connection, table, rows)


def _copy(connection: Connection, table: Table, rows: list[dict]) -> None:
    names = [column.name for column in table.columns if column.name in rows[0]]
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    target = connection.dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(name) for name in names])
    finally:
        cursor.close()
