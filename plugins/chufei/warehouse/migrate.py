"""Move a warehouse to another database, typically the embedded SQLite one into PostgreSQL.

    python -m chufei.warehouse.migrate --from sqlite:////srv/chufei/data/warehouse.db \\
        --to postgresql+psycopg://chufei:SECRET@warehouse-db:5432/chufei_warehouse

Without ``--to`` the target is the configured warehouse (the ``chufei_warehouse`` connection).

The target's schema is created (or upgraded) by the warehouse migrations first, exactly as a
task would (``ensure_schema``). Tables are copied in foreign-key order (``chufei.warehouse.schema.metadata``), in batches, in one
transaction on the target: either everything arrives or nothing does. Values go through the
SQLAlchemy column types, so amounts stay exact integers of 分 and dates stay dates; timestamps
that SQLite kept without a zone are the UTC instants the warehouse wrote (``now_utc``). On
PostgreSQL the id sequences are moved past the copied ids so later ingests keep working. A
target that already holds rows is refused unless ``--replace`` is given. The source is only read.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, UTC

from sqlalchemy import DateTime, Integer, MetaData, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url

from chufei.warehouse import schema as warehouse

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 5000
# Schema bookkeeping, not data: each warehouse keeps its own (Alembic's, and the pre-Alembic one's).
BOOKKEEPING = {"chufei_alembic_version", "chufei_schema_version"}
MONTHLY_FACTS = ("case_month_fact", "admin_action_month_fact", "month_source")


class MigrationRefused(RuntimeError):
    """The move would lose or mix data; the message says why and what to do."""


@dataclass
class MigrationResult:
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied
    skipped: list[str] = field(default_factory=list)  # tables the (older) source does not have
    unknown: list[str] = field(default_factory=list)  # source tables outside warehouse.metadata: NOT copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _present(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _non_empty(connection: Connection) -> dict[str, int]:
    present = _present(connection)
    counts = {}
    for table in warehouse.metadata.sorted_tables:
        # A schema without data (as airflow-init leaves it) is empty.
        if table.name in present:
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            if count:
                counts[table.name] = count
    return counts


def _as_utc(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: the next generated id follows the largest copied one."""
    for table in warehouse.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True and isinstance(column.type, Integer):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))


def migrate(source: Engine, target: Engine, *, replace: bool = False,
            batch_size: int = DEFAULT_BATCH_SIZE) -> MigrationResult:
    """Copy every warehouse table from ``source`` into ``target``; returns the rows per table."""
    if source.url == target.url:
        raise MigrationRefused("source and target are the same database")
    result = MigrationResult()
    with source.connect() as reader:
        present = _present(reader)
        if warehouse.received_file.name not in present:
            raise MigrationRefused(f"{source.url.render_as_string(hide_password=True)} holds no chufei warehouse")
        result.unknown = sorted(present - set(warehouse.metadata.tables) - BOOKKEEPING)
        # The source's own columns: an older source lacks columns that later upgrades added.
        source_meta = MetaData()
        source_meta.reflect(reader, only=[t.name for t in warehouse.metadata.sorted_tables if t.name in present])
        warehouse.ensure_schema(target)
        with target.begin() as writer:
            existing = _non_empty(writer)
            if existing and not replace:
                raise MigrationRefused(
                    "the target warehouse already holds rows (" +
                    ", ".join(f"{name} {count}" for name, count in existing.items()) +
                    "); pass --replace to delete them and copy the source instead")
            for table in reversed(warehouse.metadata.sorted_tables):
                writer.execute(table.delete())
            for table in warehouse.metadata.sorted_tables:
                if table.name not in present:
                    result.skipped.append(table.name)
                    continue
                names = [c.name for c in table.columns if c.name in source_meta.tables[table.name].columns]
                zoned = [n for n in names if isinstance(table.c[n].type, DateTime) and table.c[n].type.timezone]
                query = select(*(table.c[n] for n in names)).order_by(*table.primary_key.columns)
                copied = 0
                stream = reader.execution_options(yield_per=batch_size).execute(query)
                for batch in stream.mappings().partitions(batch_size):
                    rows = [dict(row) for row in batch]
                    for row in rows:
                        for name in zoned:
                            row[name] = _as_utc(row[name])
                    writer.execute(table.insert(), rows)
                    copied += len(rows)
                result.rows[table.name] = copied
                log.info("copied %s: %d rows", table.name, copied)
            if writer.dialect.name == "postgresql":
                _reset_sequences(writer)
            if any(name in result.skipped for name in MONTHLY_FACTS):
                # A source from before the monthly facts: fill them from the copied cases and actions.
                warehouse.refresh_case_facts(writer)
                warehouse.refresh_action_facts(writer)
            for name, copied in result.rows.items():
                arrived = writer.execute(select(func.count()).select_from(warehouse.metadata.tables[name])).scalar_one()
                if arrived != copied:
                    raise MigrationRefused(f"{name}: copied {copied} rows but the target holds {arrived}")
    return result


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chufei.warehouse.migrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", required=True, help="SQLAlchemy URL of the warehouse to copy")
    parser.add_argument("--to", dest="target", help="SQLAlchemy URL of the new warehouse "
                        "(default: the chufei_warehouse connection, e.g. AIRFLOW_CONN_CHUFEI_WAREHOUSE)")
    parser.add_argument("--replace", action="store_true", help="delete whatever the target holds first")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.target is None:
        from chufei.core.settings import warehouse_url

        args.target = warehouse_url()
    source, target = warehouse.engine_for(args.source), warehouse.engine_for(args.target)
    try:
        result = migrate(source, target, replace=args.replace, batch_size=args.batch_size)
    except MigrationRefused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 2
    print(f"copied {result.total} rows in {len(result.rows)} tables from {_safe(args.source)} to {_safe(args.target)}")
    for name, count in result.rows.items():
        print(f"  {name:<24} {count:>9}")
    if result.skipped:
        print(f"  (not in the source, left empty: {', '.join(result.skipped)})")
    if result.unknown:
        print(f"WARNING: tables in the source that chufei.warehouse.schema does not define were NOT copied: "
              f"{', '.join(result.unknown)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
