"""bench-out/results.json: each bench writes its own section and keeps the others'."""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bench-out"


def write_results(section: str, figures: dict) -> Path:
    """``figures`` under ``section`` in bench-out/results.json, keeping the other bench's section."""
    OUT.mkdir(exist_ok=True)
    path = OUT / "results.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        results = {}
    results[section] = figures
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
