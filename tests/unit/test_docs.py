"""The docs a newcomer follows point at files that exist, and the layer map lists every module.

A path in README.md, DEVELOPERS.md or docs/*.md that no longer exists sends the reader nowhere;
a module missing from docs/architecture.md's table is a module nobody can find by its layer.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

DOCS = [REPO / "README.md", REPO / "DEVELOPERS.md", *sorted((REPO / "docs").glob("*.md"))]
# Repository paths as the docs write them: `plugins/chufei/ingest/grid.py`, include/sql/x.sql …
REPO_PATH = re.compile(r"(?<![\w/.<-])((?:plugins|dags|tests|include|demo|bench|docs)/[\w./-]*[\w/])")
PACKAGE = REPO / "plugins" / "chufei"
# Modules as the docs write them: `chufei.core.periods`, chufei.dagkit.period_dag …
MODULE = re.compile(r"\bchufei\.(\w+)\.(\w+)")


def _exists(layer: str, name: str) -> bool:
    folder = PACKAGE / layer
    if (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file():
        return True
    init = folder / "__init__.py"
    return init.is_file() and re.search(rf"^(def|class) {name}\b|^{name}\b", init.read_text(encoding="utf-8"),
                                        flags=re.MULTILINE) is not None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_repository_path_a_doc_names_exists(doc):
    text = doc.read_text(encoding="utf-8")
    missing = sorted({path for path in REPO_PATH.findall(text) if not (REPO / path).exists()})
    assert missing == [], f"{doc.name} names paths that do not exist: {missing}"
    stale = sorted({".".join(("chufei", *found)) for found in MODULE.findall(text) if not _exists(*found)})
    assert stale == [], f"{doc.name} names modules that do not exist: {stale}"


def layer_rows() -> dict[str, str]:
    """layer → the text of its row in architecture.md's table of modules."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `(\w+)` \| (.*) \|$", text, flags=re.MULTILINE))


def test_the_layer_map_lists_every_module_of_every_layer():
    rows = layer_rows()
    layers = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert sorted(rows) == layers
    for layer in layers:
        modules = {p.name for p in (PACKAGE / layer).glob("*.py") if p.name != "__init__.py"}
        named = set(re.findall(r"`(\w+\.py)`", rows[layer]))
        assert modules - named == set(), f"docs/architecture.md does not list {sorted(modules - named)} under {layer}"
        assert named - modules - {"__init__.py"} == set(), (
            f"docs/architecture.md lists {sorted(named - modules)} under {layer}, which has no such module")
