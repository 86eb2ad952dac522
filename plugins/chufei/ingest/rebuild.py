"""A receipt rebuilt from the warehouse's load record, for a file whose load committed but whose
receipt was never written (the worker died in between).

The retry finds the file already known; without this it would call the file a duplicate of
itself, pointing at a ``<sha256>.json`` that does not exist, and the unit would never hear of
its rejected rows. Everything a receipt says is in the load's own transaction: the file's row
in ``received_file`` (verdict, counts, message, unit, period), the version it became in
``submission`` and the reasons of each rejected row in ``rejected_row``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from chufei.core.periods import PeriodError, parse_period
from chufei.core.units import unit_by_code
from chufei.inbox.receipts import Receipt
from chufei.kinds.registry import DATASETS
from chufei.warehouse import schema as warehouse


def receipt_missing(receipts_dir, sha256: str) -> bool:
    return not (receipts_dir / f"{sha256}.json").exists()


def rebuilt_receipt(connection: Connection, known: dict, dataset_title: str | None = None) -> Receipt:
    """The receipt the load of ``known`` (its ``received_file`` row) would have written."""
    sha256 = known["sha256"]
    dataset = DATASETS.get(known["dataset"] or "")
    receipt = Receipt(
        file=known["original_name"], sha256=sha256, source=known["source"], status=known["status"],
        received_at=_iso(known["received_at"]), arrived_at=_iso(known.get("arrived_at")),
        dataset=known["dataset"], dataset_title=dataset.title if dataset else dataset_title,
        period=known["period_key"], message=known["message"],
        counts={"rows": known["rows_total"], "accepted": known["rows_accepted"], "rejected": known["rows_rejected"]})
    if known["unit_code"]:
        try:
            unit = unit_by_code(known["unit_code"])
            receipt.unit = {"code": unit.code, "name": unit.name}
        except StopIteration:
            receipt.unit = {"code": known["unit_code"], "name": known["unit_code"]}
    if known["period_key"]:
        try:
            receipt.period_label = parse_period(known["period_key"]).label
        except PeriodError:
            receipt.period_label = known["period_key"]
    version = connection.execute(select(warehouse.submission.c.dataset, warehouse.submission.c.unit_code,
                                        warehouse.submission.c.period_key, warehouse.submission.c.version)
                                 .where(warehouse.submission.c.file_sha256 == sha256)).first()
    if version is not None:
        receipt.version = version.version
        receipt.replaces_sha256 = connection.execute(select(warehouse.submission.c.file_sha256).where(
            warehouse.submission.c.dataset == version.dataset, warehouse.submission.c.unit_code == version.unit_code,
            warehouse.submission.c.period_key == version.period_key,
            warehouse.submission.c.version == version.version - 1)).scalar()
    reasons = connection.execute(select(warehouse.rejected_row.c.reasons_json)
                                 .where(warehouse.rejected_row.c.file_sha256 == sha256)
                                 .order_by(warehouse.rejected_row.c.row_no, warehouse.rejected_row.c.id)).scalars()
    receipt.errors = [issue for text in reasons for issue in json.loads(text)]
    return receipt


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(timespec="seconds")
