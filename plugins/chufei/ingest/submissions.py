"""Taking files from an inbox: claim, archive byte-for-byte, identify, validate, load, receipt.

A bad file never raises: it gets a receipt that says what is wrong. A broken warehouse does
raise, so the task fails and Airflow retries; the claimed file stays in ``work/`` and is picked
up again by the retry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from chufei.inbox import claims, entries
from chufei.inbox.entries import Verdict
from chufei.inbox.arrival import arrival_of, as_instant, local_date

from chufei.warehouse import schema as warehouse
from chufei.inbox.claims import Claim, ClaimLock, DeadOwner
from chufei.core.settings import DataDir
from chufei.core.pseudonym import protect_rows, pseudonym_key
from chufei.inbox.receipts import STATUS_ZH, Receipt, add_warnings, write_receipt
from chufei.ingest.rebuild import rebuilt_receipt, receipt_missing
from chufei.validate import old_case_check
from chufei.validate.validation import period_not_over, validate
from chufei.warehouse.versions import current_version
from chufei.warehouse.case_duplicates import duplicate_cases, duplicate_warning
from chufei.kinds.case_ledger import CASE_LEDGER
from chufei.read.workbook import FileRejected, ParsedWorkbook, read_workbook

log = logging.getLogger(__name__)
_CLAIM_SEPARATOR = "__"


@dataclass
class ClaimedFile:
    path: Path
    original_name: str
    verdict: Verdict = Verdict(entries.READY)  # READY, or INCOMPLETE / REFUSED with the reason


def claim_files(data: DataDir, source: str) -> list[ClaimedFile]:
    """Move the inbox's complete entries (and left-overs of a failed attempt) into work/ under a
    fresh token.

    What an entry is comes from ``lstat`` only (``chufei.inbox.entries``): uploads still under way
    stay in the inbox; strange entries (links, directories, devices, FIFOs) are claimed to be
    refused unread. ``os.rename`` is atomic and moves a link, never its target, so when two runs see
    the same inbox exactly one of them wins each entry; what arrived in work/ is judged again, in
    case the entry was swapped between the look and the rename. Files in work/ are taken over only
    when the run that claimed them is gone (``chufei.inbox.claims``): a concurrent live run keeps
    its files. The claim lock is held until the returned ``Claim`` is released or dropped (after
    ``for claimed in claim_files(...)``).
    """
    data.ensure()
    work = data.work(source)
    lock = ClaimLock(work)
    now = time.time()
    candidates = []
    for path in data.inbox(source).iterdir():
        verdict = _judged(path, path.name, now)
        if verdict is None or verdict.kind == entries.WAIT:
            continue  # gone, or still being written: the next run looks again
        candidates.append((path, path.name))
    owners: dict[str, DeadOwner | None] = {}
    for path in work.iterdir():
        if path.name.startswith(".") or claims.owner_of(path.name) == lock.token:
            continue
        token = claims.owner_of(path.name)
        if token not in owners:
            owners[token] = claims.dead_owner(work, token)
        if owners[token] is not None:
            candidates.append((path, claims.original_name(path.name)))
    claimed = []
    for path, original in sorted(candidates, key=lambda item: (_mtime(item[0]), item[1])):
        target = work / lock.name_for(original)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            continue  # another run claimed it first
        verdict = _judged(target, original, now, quiet=0, stale=0)  # claimed once: complete by now
        if verdict is not None:
            claimed.append(ClaimedFile(target, original, verdict))
    for owner in owners.values():
        if owner is not None:
            owner.close()
    return Claim(claimed, lock)


def _judged(path: Path, name: str, now: float, **limits) -> Verdict | None:
    try:
        return entries.judge(name, os.lstat(path), now, **limits)
    except FileNotFoundError:
        return None


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except FileNotFoundError:
        return 0.0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_file(path: Path, sha256: str, data: DataDir) -> Path:
    """Keep the exact bytes under archive/<sha256><suffix>; identical content is stored once."""
    original = unicodedata.normalize("NFKC", path.name.split(_CLAIM_SEPARATOR, 1)[-1])  # ．ｘｌｓｘ → .xlsx
    suffix = "".join(c for c in Path(original).suffix.lower() if (c.isascii() and c.isalnum()) or c == ".")[:10]
    return _archive(data.archive / f"{sha256}{suffix}", lambda tmp: shutil.copyfile(path, tmp))


def archive_bytes(body: bytes, sha256: str, suffix: str, data: DataDir) -> Path:
    """``archive_file`` for content received in memory (an API page)."""
    return _archive(data.archive / f"{sha256}{suffix}", lambda tmp: tmp.write_bytes(body))


def _archive(target: Path, write: Callable[[Path], object]) -> Path:
    if not target.exists():  # written aside, then renamed: the archive never holds a partial file
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        write(tmp)
        tmp.replace(target)
    return target


def receive(engine: Engine, data: DataDir, path: Path, original_name: str, source: str,
            dataset: str | None = None, dataset_title: str | None = None) -> tuple[Receipt, Path | None]:
    """What every inbox file goes through first: its sha256, its bytes archived, and its receipt,
    "rejected" until the ingest decides. A file received before gets its duplicate receipt and no
    archive path: there is nothing more to do with it. If that earlier load committed but its
    receipt was never written, the receipt is rebuilt from the load record instead."""
    now = warehouse.now_utc()
    arrived = arrival_of(path, now)  # before reading: the mtime is the sender's, not ours
    sha256 = sha256_of(path)
    archived = archive_file(path, sha256, data)
    receipt = Receipt(file=original_name, sha256=sha256, source=source, status="rejected",
                      received_at=now.isoformat(timespec="seconds"), arrived_at=arrived.isoformat(),
                      dataset=dataset, dataset_title=dataset_title)
    with engine.begin() as connection:
        known = warehouse.file_known(connection, sha256)
        if known and receipt_missing(data.receipts, sha256):
            return rebuilt_receipt(connection, known, dataset_title), None
        if known:
            warehouse.record_arrival(connection, sha256, original_name, "duplicate", arrived)
            return duplicate_receipt(receipt, known), None
    return receipt, archived


@dataclass
class IngestSummary:
    files: int = 0
    accepted: int = 0
    partially_accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0

    def add(self, receipt: Receipt) -> None:
        self.files += 1
        setattr(self, receipt.status, getattr(self, receipt.status) + 1)
        if receipt.status != "duplicate":
            self.rows_accepted += receipt.counts["accepted"]
            self.rows_rejected += receipt.counts["rejected"]


def file_line(receipt: Receipt) -> str:
    """The task log's line for one file, in Chinese and masked like the receipt it names, e.g.
    "鄂城区 案件台账 2020年3月《鄂城区3月台账.xlsx》：部分接收，20 行中接收 18 行，退回 2 行（回执 9ec4dbc19345）"."""
    from chufei.core.masking import mask_text

    unit = (receipt.unit or {}).get("name") or "（未识别单位）"
    kind = receipt.dataset_title or receipt.dataset or "（未识别报表）"
    period = receipt.period_label or receipt.period or "（报告期未识别）"
    counts = receipt.counts
    return (f"{unit} {kind} {period}《{mask_text(receipt.file)}》：{STATUS_ZH[receipt.status]}，"
            f"{counts.get('rows', 0)} 行中接收 {counts.get('accepted', 0)} 行，退回 {counts.get('rejected', 0)} 行"
            f"（回执 {receipt.sha256[:12]}）")


def process_inbox(data: DataDir, source: str, ingest_one: Callable[[Path, str], Receipt],
                  summary: IngestSummary) -> IngestSummary:
    """Every entry claimed from inbox/<source> ends with a receipt, then leaves the inbox: a complete
    file ingested by ``ingest_one(path, original name)``; an upload never completed archived and
    refused; a strange entry (link, directory, device…) refused unread and moved to refused/."""
    for claimed in claim_files(data, source):
        if claimed.verdict.kind == entries.REFUSED:
            receipt = refuse_entry(data, source, claimed)
        elif claimed.verdict.kind == entries.INCOMPLETE:
            receipt = refuse_incomplete(data, source, claimed)
        else:
            receipt = ingest_one(claimed.path, claimed.original_name)
            write_receipt(receipt, data.receipts)
            claimed.path.unlink()
        summary.add(receipt)
        log.info("%s", file_line(receipt))
    log.info("本次共处理 %d 个文件：已接收 %d，部分接收 %d，已退回 %d，重复 %d；接收 %d 行，退回 %d 行", summary.files,
             summary.accepted, summary.partially_accepted, summary.rejected, summary.duplicate,
             summary.rows_accepted, summary.rows_rejected)
    return summary


def refuse_entry(data: DataDir, source: str, claimed: ClaimedFile) -> Receipt:
    """A link, directory, device or FIFO: its receipt says what it is, from ``lstat`` and
    ``readlink`` only, and the entry itself is moved unread to refused/<source>/."""
    status = os.lstat(claimed.path)
    now = warehouse.now_utc()
    receipt = Receipt(file=claimed.original_name, source=source, status="rejected",
                      sha256=hashlib.sha256(entries.describe(claimed.original_name, claimed.path, status)).hexdigest(),
                      received_at=now.isoformat(timespec="seconds"), arrived_at=arrival_of(status, now).isoformat(),
                      message=claimed.verdict.reason)
    write_receipt(receipt, data.receipts, keep_existing=True)
    refused = data.root / "refused" / source
    refused.mkdir(parents=True, exist_ok=True)
    os.rename(claimed.path, refused / claimed.path.name)
    return receipt


def refuse_incomplete(data: DataDir, source: str, claimed: ClaimedFile) -> Receipt:
    """An upload left under its temporary name for too long: its bytes archived as they are, and a
    receipt saying it was never completed (never read: a half-written workbook means nothing)."""
    now = warehouse.now_utc()
    arrived = arrival_of(claimed.path, now)
    sha256 = sha256_of(claimed.path)
    archive_file(claimed.path, sha256, data)
    receipt = Receipt(file=claimed.original_name, sha256=sha256, source=source, status="rejected",
                      received_at=now.isoformat(timespec="seconds"), arrived_at=arrived.isoformat(),
                      message=claimed.verdict.reason)
    write_receipt(receipt, data.receipts, keep_existing=True)
    claimed.path.unlink()
    return receipt


def ingest_submissions(engine: Engine, data: DataDir) -> IngestSummary:
    """Process every file in inbox/submissions; returns counts for the task log and XCom."""
    warehouse.ensure_schema(engine)
    return process_inbox(data, "submissions",
                         lambda path, name: ingest_submission_file(engine, data, path, name), IngestSummary())


def ingest_submission_file(engine: Engine, data: DataDir, path: Path, original_name: str) -> Receipt:
    receipt, archived = receive(engine, data, path, original_name, "submissions")
    if archived is None:
        return receipt
    sha256 = receipt.sha256
    try:
        parsed = read_workbook(path, original_name)
    except FileRejected as rejection:
        receipt.message, receipt.errors = rejection.message, [rejection.as_error()]
        for key, value in rejection.identified.items():  # what could be read: kind, unit, period
            setattr(receipt, key, value)
        return record_submission(engine, receipt, archived, path)
    receipt.dataset, receipt.dataset_title = parsed.dataset.name, parsed.dataset.title
    receipt.unit = {"code": parsed.unit.code, "name": parsed.unit.name}
    receipt.period, receipt.period_label = parsed.period.key, parsed.period.label
    arrived_on, too_early = refuse_unfinished_period(receipt, parsed)
    if too_early:
        return record_submission(engine, receipt, archived, path)
    try:
        result = validate(parsed, arrived_on)
    except (ImportError, MemoryError, OSError):
        raise  # the platform, not the file: fail the task so Airflow retries
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the rest of the inbox
        log.exception("file %s…: validation failed with an internal error; the file is refused", sha256[:12])
        receipt.message = (f"处理该文件时发生内部错误（{type(error).__name__}），文件已存档，处非办将人工核查；"
                           "如需更正请修改后重新报送")
        return record_submission(engine, receipt, archived, path)
    if any(column.pseudonymised for column in parsed.dataset.columns):
        protect_rows(parsed.dataset, result.valid + result.rejected, pseudonym_key(data))
    receipt.counts = {"rows": len(parsed.rows), "accepted": len(result.valid), "rejected": len(result.rejected)}
    receipt.errors = [issue.as_dict() for issue in result.issues]
    receipt.warnings = parsed.warnings
    if result.rejected and not result.valid:
        receipt.status, receipt.message = "rejected", "所有数据行均未通过校验，本次报送未入库"
    else:
        receipt.status = "partially_accepted" if result.rejected else "accepted"
    receipt = record_submission(engine, receipt, archived, path, parsed, result,
                                with_version=_old_case_check(receipt, parsed, result))
    if parsed.dataset.name == CASE_LEDGER.name and receipt.status in ("accepted", "partially_accepted"):
        warn_duplicate_cases(engine, data, receipt, parsed)
    return receipt


def _old_case_check(receipt: Receipt, parsed, result) -> Callable[[Connection, int], None] | None:
    """For a 陈案处置进展 or a 案件台账: its warnings against the unit's other report of the month,
    as the warehouse holds it in the load's own transaction (the second to arrive carries them)."""
    if parsed.dataset.name not in (old_case_check.PROGRESS, old_case_check.LEDGER):
        return None

    def check(connection: Connection, submission_id: int) -> None:
        receipt.warnings += old_case_check.receipt_warnings(
            connection, parsed.dataset.name, parsed.unit.code, parsed.period, parsed.sheet, parsed.column_letters,
            [(outcome.row, outcome.values) for outcome in result.valid])
    return check


def warn_duplicate_cases(engine: Engine, data: DataDir, receipt: Receipt, parsed: ParsedWorkbook) -> None:
    """Each case of this ledger that another unit reports too: a warning in this receipt, naming
    the other unit and its row, and one in the receipt of the other unit's ledger, naming this one."""
    with engine.connect() as connection:
        duplicates = duplicate_cases(connection)
    letter = parsed.column_letters.get("case_no")
    elsewhere: dict[str, list[dict]] = {}
    for duplicate in duplicates:
        here = [copy for copy in duplicate.copies if copy.file_sha256 == receipt.sha256]
        if not here:
            continue
        receipt.warnings += [duplicate_warning(duplicate, copy, parsed.sheet, letter) for copy in here]
        for other in duplicate.copies:
            if other.file_sha256 != receipt.sha256:
                elsewhere.setdefault(other.file_sha256, []).append(duplicate_warning(duplicate, other))
    for sha256, warnings in elsewhere.items():
        add_warnings(data.receipts, sha256, warnings)


def record_received(connection, receipt: Receipt, archived: Path, path: Path) -> None:
    """The file's row in ``received_file`` (its verdict and counts, as the receipt says) and its arrival."""
    connection.execute(insert(warehouse.received_file), {
        "sha256": receipt.sha256, "source": receipt.source, "original_name": receipt.file,
        "size_bytes": path.stat().st_size, "archive_path": archived.name,
        "received_at": warehouse.now_utc(), "arrived_at": as_instant(receipt.arrived_at),
        "status": receipt.status, "dataset": receipt.dataset,
        "unit_code": (receipt.unit or {}).get("code"), "period_key": receipt.period,
        "rows_total": receipt.counts["rows"], "rows_accepted": receipt.counts["accepted"],
        "rows_rejected": receipt.counts["rejected"], "message": receipt.message})
    warehouse.record_arrival(connection, receipt.sha256, receipt.file, receipt.status, as_instant(receipt.arrived_at))


def record_loading(connection, *, sha256: str, source: str, original_name: str, size_bytes: int,
                   archive_name: str, dataset: str, status: str = "processing", message: str | None = None,
                   arrived_at: datetime | None = None) -> None:
    """The ``received_file`` row of a grid export or API page, written in the load's transaction
    before its rows: their counts are known only once they are loaded (``record_outcome``).
    ``arrived_at``: when the export landed in the inbox, or the page was fetched."""
    now = warehouse.now_utc()
    connection.execute(insert(warehouse.received_file), {
        "sha256": sha256, "source": source, "original_name": original_name, "size_bytes": size_bytes,
        "archive_path": archive_name, "received_at": now, "arrived_at": arrived_at or now,
        "status": status, "dataset": dataset,
        "rows_total": 0, "rows_accepted": 0, "rows_rejected": 0, "message": message})


def record_outcome(connection, *, sha256: str, original_name: str, status: str, rows: int, accepted: int,
                   rejected: int, message: str | None = None, arrived_at: datetime | None = None) -> None:
    """The verdict and counts of a file recorded with ``record_loading``, and its arrival."""
    connection.execute(update(warehouse.received_file).where(warehouse.received_file.c.sha256 == sha256).values(
        status=status, rows_total=rows, rows_accepted=accepted, rows_rejected=rejected, message=message))
    warehouse.record_arrival(connection, sha256, original_name, status, arrived_at)


def _not_current(sheet: str, version: int, kept: int) -> dict:
    message = (f"本文件已作为第 {version} 版保存，但当前有效的仍是第 {kept} 版：按更正顺序规则（先看到达时间，再看填报日期，"
               f"再看文件名中的“更正”标记），第 {kept} 版较新。如本文件才是更正版，请在文件名中注明“更正”或填写更晚的"
               "填报日期后重新报送")
    return {"sheet": sheet, "row": None, "column": None, "cell": None, "value": None, "message": message}


def duplicate_receipt(receipt: Receipt, known: dict) -> Receipt:
    receipt.status, receipt.duplicate_of = "duplicate", known["sha256"]
    receipt.dataset, receipt.period = known["dataset"], known["period_key"]
    receipt.counts = {"rows": known["rows_total"], "accepted": 0, "rejected": 0}
    return receipt


def refuse_unfinished_period(receipt: Receipt, parsed: ParsedWorkbook) -> tuple[date, bool]:
    """The file's arrival (Beijing date), and whether its 报告期 had not ended by then.

    One rule for every workbook kind, whatever its inbox: a refusal is written into the receipt
    (the caller records the file as rejected); the arrival date then bounds the rows' own dates.
    """
    arrived_on = local_date(as_instant(receipt.arrived_at))
    too_early = period_not_over(parsed.dataset, parsed.period, arrived_on)
    if too_early:
        receipt.message = too_early
        receipt.errors = [{"sheet": parsed.sheet, "row": None, "column": "报告期", "cell": None,
                           "value": parsed.period.label, "message": too_early}]
    return arrived_on, too_early is not None


def record_submission(engine: Engine, receipt: Receipt, archived: Path, path: Path, parsed=None, result=None,
                      with_version: Callable[[Connection, int], None] | None = None) -> Receipt:
    """One transaction: the file, its rows (accepted ones as a new version of the unit's
    submission), its rejected rows. ``with_version(connection, submission_id)`` adds what a kind
    keeps beside its rows (the advert screening's summary counts) to the new version."""
    try:
        with engine.begin() as connection:
            claims.serialize(connection, "chufei.submissions")  # concurrent runs load one file at a time
            record_received(connection, receipt, archived, path)
            if parsed is None:
                return receipt
            if receipt.status != "rejected":
                submission_id, receipt.version, receipt.replaces_sha256 = warehouse.replace_submission(
                    connection, parsed.dataset, parsed.unit.code, parsed.period.key, parsed.period.start,
                    parsed.period.end, receipt.sha256, parsed.header,
                    [(outcome.row, outcome.values) for outcome in result.valid])
                if with_version is not None:
                    with_version(connection, submission_id)
                kept = current_version(connection, submission_id)
                if kept is not None:
                    receipt.warnings.append(_not_current(parsed.sheet, receipt.version, kept))
            if result.rejected:
                connection.execute(insert(warehouse.rejected_row), [{
                    "file_sha256": receipt.sha256, "dataset": parsed.dataset.name, "sheet": parsed.sheet,
                    "row_no": outcome.row, "raw_json": json.dumps(outcome.raw, ensure_ascii=False, default=str),
                    "reasons_json": json.dumps([i.as_dict() for i in outcome.issues], ensure_ascii=False,
                                               default=str)} for outcome in result.rejected])
    except IntegrityError:
        # A concurrent run recorded the same bytes between our check and our insert.
        with engine.begin() as connection:
            known = warehouse.file_known(connection, receipt.sha256)
            if not known:
                raise
            warehouse.record_arrival(connection, receipt.sha256, receipt.file, "duplicate",
                                     as_instant(receipt.arrived_at))
        return duplicate_receipt(receipt, known)
    return receipt
