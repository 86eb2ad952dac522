"""Grid-worker clue reports (网格线索上报): parse, validate and load in bounded memory.

Exports arrive as CSV or XLSX in ``inbox/grid_reports/``; the platform's API delivers the same
records as JSON pages (``chufei.ingest.grid_api``). Both become Arrow batches of text columns
(``chufei.read.grid_export``), then one path does the rest, chunk by chunk:

* ``chufei.validate.grid_normalise`` turns the text into typed columns;
* ``chufei.validate.grid_rules`` evaluates the GX suite and the rules it cannot express;
* ``chufei.warehouse.grid_load`` merges the valid rows into ``grid_clue_version`` (history,
  exactly once per 线索编号 + 版本), a file's rows staged in bulk first
  (``chufei.warehouse.grid_staging``: ADBC on SQLite, COPY on PostgreSQL).

This module only orchestrates: one transaction per file or page, rejected rows kept with their
reasons, the receipt. Memory is bounded by the chunk size (one Arrow record batch).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine

from chufei.core.settings import DataDir
from chufei.inbox.receipts import Receipt
from chufei.inbox.arrival import as_instant
from chufei.ingest.submissions import IngestSummary, process_inbox, receive, record_loading, record_outcome
from chufei.kinds.grid_report import DATASET, SOURCE, TITLE
from chufei.read.grid_export import BLOCK_BYTES, CHUNK_ROWS, RawBatch, read_batches
from chufei.read.workbook import FileRejected
from chufei.validate.grid_normalise import normalise
from chufei.validate.grid_rules import Rejected, validate
from chufei.warehouse import schema as warehouse
from chufei.warehouse.grid_load import ClueLoader, LoadChunk
from chufei.warehouse.grid_staging import ClueStaging, CopyClueStaging, NumberTaken, clue_staging

RECEIPT_ERROR_LIMIT = 1000  # every rejected row is in the warehouse; the receipt lists the first ones


@dataclass
class LoadResult:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    new_versions: int = 0
    already_rejected: int = 0  # rejected again after an earlier load recorded the same record
    errors: list[dict] = field(default_factory=list)


@dataclass
class _Prepared:
    batch: RawBatch
    chunk: LoadChunk
    rejected: list[Rejected]


def load_batches(connection: Connection, batches, load_id: str, source: str, dataset: str = DATASET,
                 timings: dict[str, float] | None = None, staging: ClueStaging | CopyClueStaging | None = None,
                 rereads_of: str | None = None) -> LoadResult:
    """Normalise, validate and load every batch; rejected rows go to ``rejected_row``.

    ``rereads_of`` names a source that reads records again (the grid API's overlap): a rejected
    record its earlier loads already recorded, same content, is counted in ``already_rejected``
    and not recorded again (``warehouse.not_yet_rejected``). A file keeps all its rejected rows:
    its own receipt lists them.

    The next batch is read, validated and turned into bound values (``ClueLoader.prepare``) in a
    helper thread while this one loads (Arrow kernels and SQLite release the GIL), so the two cores
    both work; the database is only touched here.
    ``timings`` (optional) accumulates seconds per stage (parse, validate, load) and the wall time
    of the whole (``wall``, less than their sum because they overlap).
    """
    from concurrent.futures import ThreadPoolExecutor

    clock = timings if timings is not None else {}
    for stage in ("parse", "validate", "load", "wall"):
        clock.setdefault(stage, 0.0)
    clock["convert"] = 0.0
    began = time.perf_counter()
    result = LoadResult()
    loader = ClueLoader(connection, load_id, source, staging)
    seen: dict[object, int] = {}
    iterator = iter(batches)

    def prepare() -> _Prepared | None:
        started = time.perf_counter()
        batch = next(iterator, None)
        parsed = time.perf_counter()
        clock["parse"] += parsed - started
        if batch is None:
            return None
        numbers = batch.row_numbers or list(range(batch.first_row, batch.first_row + batch.table.num_rows))
        typed, checks = normalise(batch.table)
        ok, rejected = validate(batch.table, typed, checks, numbers, batch.sheet, seen)
        validated = time.perf_counter()
        clock["validate"] += validated - parsed
        chunk = loader.prepare(typed, ok, numbers)
        clock["convert"] += time.perf_counter() - validated
        return _Prepared(batch, chunk, rejected)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grid-validate") as pool:
        pending = pool.submit(prepare)
        while (item := pending.result()) is not None:
            pending = pool.submit(prepare)
            loading = time.perf_counter()
            result.rows += item.batch.table.num_rows
            result.accepted += loader.stage(item.chunk)
            result.rejected += len(item.rejected)
            rejected = [(r, {"file_sha256": load_id, "dataset": dataset, "sheet": item.batch.sheet, "row_no": r.row,
                             "raw_json": json.dumps(r.raw, ensure_ascii=False, default=str),
                             "reasons_json": json.dumps(r.issues, ensure_ascii=False, default=str)})
                        for r in item.rejected]
            if rejected and rereads_of is not None:
                fresh = {id(row) for row in warehouse.not_yet_rejected(connection, rereads_of,
                                                                        [row for _, row in rejected])}
                result.already_rejected += len(rejected) - len(fresh)
                rejected = [(r, row) for r, row in rejected if id(row) in fresh]
            if rejected:
                connection.execute(insert(warehouse.rejected_row), [row for _, row in rejected])
                room = RECEIPT_ERROR_LIMIT - len(result.errors)
                result.errors += [issue for r, _ in rejected for issue in r.issues][:max(room, 0)]
            clock["load"] += time.perf_counter() - loading
    finishing = time.perf_counter()
    result.new_versions = loader.finish()
    clock["load"] += time.perf_counter() - finishing + clock.pop("convert")  # turning rows into bound values is part of loading them
    clock["wall"] += time.perf_counter() - began
    return result


@dataclass
class GridSummary(IngestSummary):
    new_versions: int = 0  # clue versions the files added to the history

    def add(self, receipt: Receipt) -> None:
        super().add(receipt)
        if receipt.status != "duplicate":
            self.new_versions += receipt.counts.get("new_versions", 0)


def ingest_grid_files(engine: Engine, data: DataDir, chunk_rows: int = CHUNK_ROWS,
                      chunk_bytes: int = BLOCK_BYTES) -> dict:
    """Process every export in inbox/grid_reports; returns counts for the task log and XCom."""
    warehouse.ensure_schema(engine)
    return asdict(process_inbox(
        data, SOURCE, lambda path, name: ingest_grid_file(engine, data, path, name, chunk_rows, chunk_bytes),
        GridSummary()))


def ingest_grid_file(engine: Engine, data: DataDir, path: Path, original_name: str,
                     chunk_rows: int = CHUNK_ROWS, chunk_bytes: int = BLOCK_BYTES,
                     timings: dict[str, float] | None = None) -> Receipt:
    """One export, one transaction: all its valid rows load, or (on an unreadable file) none do.

    A second transaction, every row staged, only when a concurrent load stored versions this one
    had numbered and copied straight into the history (``NumberTaken``); the first left nothing."""
    receipt, archived = receive(engine, data, path, original_name, SOURCE, DATASET, TITLE)
    if archived is None:
        return receipt
    sha256 = receipt.sha256
    try:
        try:  # on PostgreSQL the versions this load numbers go straight into the history (grid_staging)
            _load_file(engine, data, path, original_name, receipt, archived, chunk_rows, chunk_bytes, timings)
        except NumberTaken:  # a concurrent load stored some of those numbers: the file again, every row staged
            _load_file(engine, data, path, original_name, receipt, archived, chunk_rows, chunk_bytes, timings,
                       direct=False)
    except FileRejected as rejection:
        receipt.status, receipt.message = "rejected", rejection.message
        receipt.counts = {"rows": 0, "accepted": 0, "rejected": 0}
        receipt.errors = [rejection.as_error()]
        with engine.begin() as connection:
            record_loading(connection, **_received(receipt, archived, path), status="rejected", message=receipt.message)
            warehouse.record_arrival(connection, sha256, original_name, "rejected", as_instant(receipt.arrived_at))
    return receipt


def _load_file(engine: Engine, data: DataDir, path: Path, original_name: str, receipt: Receipt, archived: Path,
               chunk_rows: int, chunk_bytes: int, timings: dict[str, float] | None, direct: bool = True) -> None:
    """The file's rows and its load record in one transaction; the outcome goes into ``receipt``."""
    sha256 = receipt.sha256
    with (engine.connect() as connection, clue_staging(connection, data.work(SOURCE), sha256, direct) as staging,
          connection.begin()):
        record_loading(connection, **_received(receipt, archived, path))
        result = load_batches(connection, read_batches(path, original_name, chunk_rows, chunk_bytes),
                               sha256, "file", timings=timings, staging=staging)
        receipt.counts = {"rows": result.rows, "accepted": result.accepted, "rejected": result.rejected,
                          "new_versions": result.new_versions}
        receipt.errors = result.errors
        if result.rejected > len(result.errors):
            receipt.message = (f"共 {result.rejected} 行未通过校验，回执仅列出前 {len(result.errors)} 个问题；"
                               "全部退回行及原因保存在处非办数据库中")
        if result.accepted == 0:
            receipt.status = "rejected"
            receipt.message = receipt.message or ("文件中没有数据行" if result.rows == 0 else
                                                   "所有数据行均未通过校验，本次报送未入库")
        else:
            receipt.status = "partially_accepted" if result.rejected else "accepted"
        record_outcome(connection, sha256=sha256, original_name=original_name, status=receipt.status,
                       rows=result.rows, accepted=result.accepted, rejected=result.rejected,
                       message=receipt.message, arrived_at=as_instant(receipt.arrived_at))


def _received(receipt: Receipt, archived: Path, path: Path) -> dict:
    return {"sha256": receipt.sha256, "source": receipt.source, "original_name": receipt.file,
            "size_bytes": path.stat().st_size, "archive_name": archived.name, "dataset": DATASET,
            "arrived_at": as_instant(receipt.arrived_at)}
