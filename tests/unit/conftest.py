"""The unit tier runs without a database: asking for one here fails and says where the test belongs."""

from __future__ import annotations

import pytest

DATABASE_FIXTURES = ("airflow_db", "airflow_env", "engine", "warehouse_url", "pg_server", "pg_database",
                     "pg_module_database", "pg_other_database")


def _needs_a_database(name: str):
    @pytest.fixture(name=name)
    def refuse(request):
        pytest.fail(f"{request.node.nodeid} asks for {name}: tests that need a database belong in tests/integration")

    return refuse


for _name in DATABASE_FIXTURES:
    globals()[f"_no_{_name}"] = _needs_a_database(_name)
