"""Reading Airflow connections: the warehouse, the portal, the SMTP server, the webhook, the grid platform.

Every reader asks Airflow itself (``airflow.sdk.Connection.get``), so a connection may be given in
any form Airflow accepts — a URI or JSON in ``AIRFLOW_CONN_<CONN_ID>``, the metadata database, or
a secrets backend — and it is found the same way inside a task (through the task supervisor) and
in plain Python (the demo, the tests, ``python -m chufei.warehouse.migrate``). Airflow registers
each password and secret extra with its log masker as it reads them.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

POSTGRES_TYPES = frozenset({"postgres", "postgresql", "postgresql+psycopg"})


class ConnectionUnreadable(ValueError):
    """``AIRFLOW_CONN_<ID>`` is set, but Airflow cannot read it as a connection."""


def env_var(conn_id: str) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def optional(conn_id: str) -> Any | None:
    """The Airflow connection ``conn_id``, or None when it is not defined anywhere.

    A malformed ``AIRFLOW_CONN_<ID>`` is an error, not "not defined": Airflow's lookup skips an
    unreadable variable silently, and falling back to a default (SQLite, no portal) would hide
    the operator's mistake.
    """
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # plain Python without Airflow: nothing is configured
        return None
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        value = os.environ.get(env_var(conn_id), "").strip()
        if not value:
            return None
        try:  # the parse Airflow's environment backend does, to say why it failed
            if value.startswith("{"):
                Connection.from_json(value, conn_id=conn_id)
            else:
                Connection.from_uri(value, conn_id=conn_id)
        except Exception as error:  # noqa: BLE001 - any parse failure is reported the same way
            raise ConnectionUnreadable(f"{env_var(conn_id)} is neither a connection URI nor connection JSON "
                                       f"({type(error).__name__})") from None
        raise


def sqlalchemy_url(conn: Any) -> str:
    """A SQLite or PostgreSQL connection as a SQLAlchemy URL (PostgreSQL through psycopg 3).

    SQLite's path is the host (Airflow's form, ``sqlite://%2Fpath%2Fwarehouse.db`` or JSON
    ``"host": "/path/warehouse.db"``) or the path of a SQLAlchemy-style ``sqlite:////path/warehouse.db``.
    A PostgreSQL connection's extra (``sslmode``, ``connect_timeout``, …) become libpq parameters.
    """
    kind = (conn.conn_type or "").lower()
    if kind == "sqlite":
        path = conn.host or conn.schema or ""
        return f"sqlite:///{path}" if path else "sqlite://"
    if kind in POSTGRES_TYPES:
        from sqlalchemy.engine import URL

        query = {key: str(value) for key, value in (conn.extra_dejson or {}).items()
                 if isinstance(value, (str, int, float)) and not isinstance(value, bool)}
        url = URL.create("postgresql+psycopg", username=conn.login or None, password=conn.password or None,
                         host=conn.host or None, port=conn.port or None, database=conn.schema or None,
                         query=query).render_as_string(hide_password=False)
        if conn.password:
            # Airflow masks the password as stored; a URL carries it percent-escaped, so mask that too.
            from airflow.sdk.log import mask_secret

            mask_secret(urlsplit(url).password)
        return url
    raise ConnectionUnreadable(f"the connection {conn.conn_id!r} is of type {conn.conn_type!r}; "
                               "the warehouse is SQLite or PostgreSQL")
