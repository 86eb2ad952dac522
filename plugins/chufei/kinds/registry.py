"""Every submission kind, found by looking at the modules of ``chufei.kinds``.

A module that defines ``KIND`` (a ``chufei.kinds.spec.Kind``) is a kind: adding one is that module
plus its GX suite in ``include/expectations/`` (and, when units owe it, its line in the work
plan's obligations, ``include/reference/work_plan_tasks.json``). Every consumer reads this
registry: the workbook reader, the validator, the warehouse tables, the templates, the ingest
DAG's Assets, the completeness matrix's titles. docs/architecture.md lists the files.
"""

from __future__ import annotations

import importlib
import pkgutil

from pathlib import Path

import chufei.kinds as _package
from chufei.kinds.spec import Dataset, Kind


def _discover() -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for module in sorted(info.name for info in pkgutil.iter_modules(_package.__path__)):
        kind = getattr(importlib.import_module(f"{_package.__name__}.{module}"), "KIND", None)
        if not isinstance(kind, Kind):
            continue
        if kind.name != module or kind.name in found:
            raise ValueError(f"chufei.kinds.{module} declares the kind {kind.name!r}: a kind's module is named after it")
        found[kind.name] = kind
    return found


KINDS: dict[str, Kind] = _discover()
"""Every kind by name, in the order of their module names."""

DATASETS: dict[str, Dataset] = {name: kind.dataset for name, kind in KINDS.items()
                                if kind.inbox == "submissions" and kind.dataset is not None}
"""The kinds units send to ``inbox/submissions/`` as template workbooks (the reader tells them apart)."""



def write_templates(folder: Path) -> list[Path]:
    """The blank template of every kind that has one, named after its title."""
    return [kind.template(folder) for kind in KINDS.values() if kind.template is not None]
