"""Alembic's environment for the chufei warehouse; run by ``chufei.warehouse.upgrade``, never imported.

It migrates the connection ``ensure_schema`` passes in ``config.attributes["connection"]`` inside
that connection's transaction (under the schema lock), or, when Alembic is driven without one,
the warehouse of ``sqlalchemy.url`` / the ``chufei_warehouse`` connection. On SQLite operations
are rendered and run in batch mode (a table is rebuilt to alter it), so a revision may add or
alter columns there as on PostgreSQL.
"""

from __future__ import annotations

from alembic import context

from chufei.warehouse import schema
from chufei.warehouse.engine import engine_for
from chufei.warehouse.upgrade import VERSION_TABLE, include_object


def run(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=schema.metadata, version_table=VERSION_TABLE,
                      render_as_batch=connection.dialect.name == "sqlite", include_object=include_object,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
        # Derived data a revision asked for (e.g. the monthly facts of an adopted warehouse that
        # predates them), rebuilt by today's code on the schema it expects: at the end of the upgrade.
        if context.config.attributes.pop("rebuild_facts", False):
            schema.refresh_case_facts(connection)
            schema.refresh_action_facts(connection)


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=schema.metadata,
                          version_table=VERSION_TABLE, literal_binds=True, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
    elif connection is not None:
        run(connection)
    else:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            from chufei.core.settings import warehouse_url

            url = warehouse_url()
        with engine_for(url).begin() as own:
            run(own)


main()
