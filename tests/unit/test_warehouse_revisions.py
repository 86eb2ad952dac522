"""The warehouse's Alembic revisions, without a database: one line of revisions ending in one
head, each revision frozen (it never builds tables from chufei's live declarations), and the
upgrade entry points that every run and ``make migrate`` use."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from alembic.script import ScriptDirectory

from chufei.warehouse.upgrade import MIGRATIONS, alembic_config, head_revision

REPO = Path(__file__).resolve().parents[2]


def test_the_revisions_form_one_line_from_the_baseline():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()], "two revisions share a parent: renumber yours after rebasing"
    chain = list(script.walk_revisions())
    assert chain[-1].revision == "0001"
    assert chain[-1].down_revision is None
    for revision in chain:
        assert not revision.is_merge_point, revision.revision
        assert Path(revision.path).name.startswith(f"{revision.revision}_")


def test_revisions_never_build_from_the_live_table_declarations():
    """A revision that imported chufei's tables would change whenever they do, under warehouses
    that already ran it; revisions carry their own copy of what they create."""
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.startswith("chufei") for name in names), (path.name, names)
            assert not (isinstance(node, ast.Attribute) and node.attr in {"create_all", "metadata"}), path.name


def test_make_migrate_and_every_run_upgrade_the_warehouse():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^migrate:.*\n\t\$\(PY\) -m chufei\.warehouse\.upgrade$", makefile, re.M)
    runtime = (REPO / "plugins" / "chufei" / "warehouse" / "runtime.py").read_text(encoding="utf-8")
    body = runtime.split("def warehouse_engine", 1)[1].split("\ndef ", 1)[0]
    assert "ensure_schema(engine)" in body


def test_every_task_learns_the_head_revision_without_importing_alembic():
    """Each task asks for the head before it touches the warehouse: reading the revision files'
    lines is enough, and importing Alembic and loading its scripts cost a task a good part of a second."""
    import subprocess
    import sys

    code = ("import sys; from chufei.warehouse.upgrade import head_revision; "
            "print(head_revision(), 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [ScriptDirectory.from_config(alembic_config()).get_current_head(), "False"]
