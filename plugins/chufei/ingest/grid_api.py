"""Pulling clue records from the grid platform's HTTP API (contract: docs/grid_api.md).

Incremental: each sync asks for records changed since the stored watermark (``grid_sync_state``)
and follows ``next_cursor`` to the last page. Transport faults (connection refused or reset, read
timeouts, 429/5xx) are retried with exponential backoff by the session of ``chufei.core.http``
(urllib3 ``Retry``); anything still failing raises, so the Airflow task fails and is retried.

Exactly once: every page is archived byte-for-byte and loaded in one transaction together with
the watermark advance, and records load by (线索编号, 版本) — a page fetched twice, or records
re-read after a failure (``updated_since`` is inclusive) or in the overlap window, never load
twice, and a page that fails mid-way loads nothing, so the next attempt starts from the last
committed page. A record refused once (invalid, or stamped in the future) is kept in
``rejected_row`` once, however often a later sync reads it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from chufei.core import connections
from chufei.core.masking import mask_text
from chufei.core.periods import TZ as TIMEZONE
from chufei.core.settings import DataDir
from chufei.ingest.grid import LoadResult, load_batches
from chufei.ingest.submissions import archive_bytes, record_loading, record_outcome
from chufei.kinds.grid_report import DATASET
from chufei.read.grid_export import RawBatch, raw_table, record_row
from chufei.warehouse import schema as warehouse
from chufei.warehouse.grid_sync import EPOCH, advance_watermark, parse_instant, watermark

log = logging.getLogger(__name__)

CONN_ID = "grid_platform"
SOURCE = "grid_api"
CLUES_PATH = "/api/v1/clues"


class GridApiError(RuntimeError):
    """The platform answered something the contract does not allow; the task fails and retries."""


@dataclass(frozen=True)
class GridApiConfig:
    base_url: str  # e.g. https://grid.example.gov.cn
    token: str
    page_size: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 5
    backoff_factor: float = 1.0  # waits 0, 2, 4, 8 … s between attempts (urllib3 Retry)
    backoff_max: float = 120.0
    max_pages: int = 2000  # per sync; the next sync goes on from the watermark
    clock_skew_seconds: float = 300.0  # how far in the future an updated_at may be before it is quarantined
    overlap_seconds: float = 3600.0  # re-read before the watermark each sync


def config_from_airflow(conn_id: str = CONN_ID) -> GridApiConfig | None:
    """The API settings from the Airflow connection, or None when it is not defined.

    host (with or without scheme) and port; the token in the password, or ``extra.token``;
    optional extras: scheme, page_size, read_timeout, retries, backoff_factor.
    """
    conn = connections.optional(conn_id)
    if conn is None:
        return None
    extra = conn.extra_dejson or {}
    host = (conn.host or "").rstrip("/")
    if not host:
        return None
    if "://" not in host:
        host = f"{extra.get('scheme', 'https')}://{host}"
    if conn.port:
        host = f"{host}:{conn.port}"
    settings = {key: type(getattr(GridApiConfig, key))(extra[key])
                for key in ("page_size", "connect_timeout", "read_timeout", "retries", "backoff_factor", "max_pages",
                            "clock_skew_seconds", "overlap_seconds")
                if key in extra}
    return GridApiConfig(base_url=host, token=conn.password or extra.get("token") or "", **settings)


def session_for(config: GridApiConfig):
    """The grid platform's session: only GETs, retried with backoff, raising once the retries are spent."""
    from chufei.core.http import session

    return session(retries=config.retries, backoff_factor=config.backoff_factor, backoff_max=config.backoff_max,
                   timeout=(config.connect_timeout, config.read_timeout), methods={"GET"}, raise_on_status=True,
                   headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"})


@dataclass
class Page:
    body: bytes
    items: list[dict]
    next_cursor: str | None
    request: str


def fetch_page(session, config: GridApiConfig, updated_since: str, cursor: str | None) -> Page:
    params = {"updated_since": updated_since, "page_size": config.page_size}
    if cursor:
        params["cursor"] = cursor
    response = session.get(config.base_url + CLUES_PATH, params=params)
    if response.status_code >= 400:
        raise GridApiError(f"grid platform answered HTTP {response.status_code} for {CLUES_PATH} "
                           f"(updated_since={updated_since}, cursor={cursor}): {response.text[:200]}")
    body = response.content
    try:
        document = json.loads(body)
    except ValueError as error:
        raise GridApiError(f"grid platform page is not valid JSON (updated_since={updated_since}, "
                           f"cursor={cursor}): {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list) \
            or not all(isinstance(item, dict) for item in document["items"]) \
            or not isinstance(document.get("next_cursor"), (str, type(None))):
        raise GridApiError(f"grid platform page does not follow the contract (docs/grid_api.md): expected "
                           f"{{'items': [...], 'next_cursor': str|null}} (cursor={cursor})")
    return Page(body, document["items"], document.get("next_cursor") or None,
                f"GET {CLUES_PATH}?updated_since={updated_since}&cursor={cursor or ''}")


@dataclass
class SyncSummary:
    pages: int = 0
    duplicate_pages: int = 0
    records: int = 0
    accepted: int = 0
    rejected: int = 0
    quarantined: int = 0  # stamped in the future: kept in rejected_row, not loaded
    already_rejected: int = 0  # re-read records an earlier sync had rejected: not recorded again
    new_versions: int = 0
    watermark: str = EPOCH
    more: bool = False  # stopped at max_pages: the next sync goes on


CURSOR_REPEATS = 3  # a page served twice is tolerated (it is a duplicate by its bytes); a cursor loop is not


def _future(items: list[dict], limit: datetime) -> tuple[list[dict], list[tuple[int, dict]]]:
    """The page's records split into (to load, [(position, record) stamped after ``limit``])."""
    present, future = [], []
    for position, item in enumerate(items, 1):
        instant = parse_instant(item.get("updated_at"))
        if instant is not None and instant > limit:
            future.append((position, item))
        else:
            present.append(item)
    return present, future


def _quarantine(connection, sha256: str, future: list[tuple[int, dict]], started: datetime,
                skew: float) -> tuple[str | None, int]:
    """Keep the records stamped in the future in ``rejected_row`` once (every later sync meets them
    again); the receipt's message and how many an earlier sync had already kept."""
    if not future:
        return None, 0
    start = started.astimezone(TIMEZONE).isoformat(timespec="seconds")
    rows = []
    for position, item in future:
        message = (f"更新时间 {item.get('updated_at')} 晚于本次同步开始时间 {start}（允许时钟误差 {skew:g} 秒）："
                   "记录已隔离、未入库，也不推进同步水位；请核查网格平台的时钟后由平台重新推送")
        issue = {"sheet": "api", "row": position, "column": "更新时间", "cell": None,
                 "value": item.get("updated_at"), "message": message}
        rows.append({"file_sha256": sha256, "dataset": DATASET, "sheet": "api", "row_no": position,
                     "raw_json": json.dumps(item, ensure_ascii=False, default=str),
                     "reasons_json": json.dumps([issue], ensure_ascii=False)})
    fresh = warehouse.not_yet_rejected(connection, SOURCE, rows)
    if fresh:
        connection.execute(insert(warehouse.rejected_row), fresh)
    return f"{len(future)} 条记录的更新时间晚于同步开始时间（{start}），已隔离未入库", len(rows) - len(fresh)


def load_page(engine: Engine, data: DataDir, page: Page, summary: SyncSummary, started: datetime | None = None,
              skew: float = GridApiConfig.clock_skew_seconds) -> None:
    """Archive the page, then load its records and advance the watermark in one transaction.

    A record stamped after the sync's start (beyond ``skew``) is quarantined in ``rejected_row``
    with the reason: it is not loaded and does not move the watermark, which never passes the
    sync's start either."""
    started = started or warehouse.now_utc()
    sha256 = hashlib.sha256(page.body).hexdigest()
    archive_name = archive_bytes(page.body, sha256, ".json", data).name
    present, future = _future(page.items, started + timedelta(seconds=skew))
    with engine.begin() as connection:
        current = watermark(connection, SOURCE)
        if warehouse.file_known(connection, sha256):
            warehouse.record_arrival(connection, sha256, page.request, "duplicate")
            summary.duplicate_pages += 1
            summary.watermark = advance_watermark(connection, SOURCE, present, current, 0, started)
            return
        record_loading(connection, sha256=sha256, source=SOURCE, original_name=page.request[:500],
                       size_bytes=len(page.body), archive_name=archive_name, dataset=DATASET)
        result = load_batches(connection, [RawBatch(1, raw_table([record_row(i) for i in present]), "api")],
                              sha256, "api", rereads_of=SOURCE) if present else LoadResult()
        message, already_quarantined = _quarantine(connection, sha256, future, started, skew)
        rejected = result.rejected + len(future)
        status = "accepted" if not rejected else ("partially_accepted" if result.accepted else "rejected")
        record_outcome(connection, sha256=sha256, original_name=page.request[:500], status=status,
                       rows=result.rows + len(future), accepted=result.accepted, rejected=rejected, message=message)
        summary.watermark = advance_watermark(connection, SOURCE, present, current, result.new_versions, started)
    summary.records += result.rows + len(future)
    summary.accepted += result.accepted
    summary.rejected += rejected
    summary.quarantined += len(future)
    summary.new_versions += result.new_versions
    summary.already_rejected += result.already_rejected + already_quarantined
    if message:
        log.warning("grid API page %s: %s", page.request, message)
    for issue in result.errors[:20]:
        log.warning("grid API record rejected: row %s %s: %s", issue.get("row"), issue.get("column"),
                    mask_text(str(issue.get("message"))))


def sync(engine: Engine, data: DataDir, config: GridApiConfig) -> dict:
    """Fetch every record changed since the watermark, less ``overlap_seconds`` (a platform whose
    clock went back loses nothing; re-read versions load nothing twice), page by page; returns
    counts for XCom. A cursor sent more than ``CURSOR_REPEATS`` times fails the sync; at most
    ``max_pages`` pages are read."""
    warehouse.ensure_schema(engine)
    started = warehouse.now_utc()
    with engine.connect() as connection:
        mark = watermark(connection, SOURCE)
    since = (min(parse_instant(mark), started.astimezone(TIMEZONE))
             - timedelta(seconds=config.overlap_seconds)).isoformat()
    summary = SyncSummary(watermark=mark)
    log.info("grid API sync from %s, updated_since=%s (watermark %s)", config.base_url, since, mark)
    cursor, seen = None, Counter()
    with session_for(config) as session:
        while True:
            page = fetch_page(session, config, since, cursor)
            summary.pages += 1
            load_page(engine, data, page, summary, started, config.clock_skew_seconds)
            log.info("page %d: %d records, watermark now %s", summary.pages, len(page.items), summary.watermark)
            if page.next_cursor is None:
                break
            seen[page.next_cursor] += 1
            if seen[page.next_cursor] > CURSOR_REPEATS:
                raise GridApiError(f"grid platform sent cursor {page.next_cursor[:80]!r} {seen[page.next_cursor]} "
                                   f"times (page {summary.pages}, updated_since={since}): the cursor does not "
                                   "advance, so the sync stops; the pages before it are loaded (docs/grid_api.md)")
            if summary.pages >= config.max_pages:
                if summary.watermark == mark:
                    raise GridApiError(f"grid platform served {summary.pages} pages (max_pages) without the "
                                       f"watermark moving past {mark}: its cursor does not end (docs/grid_api.md)")
                summary.more = True
                log.warning("grid API sync stopped after max_pages=%d pages; the next sync goes on from %s",
                            config.max_pages, summary.watermark)
                break
            cursor = page.next_cursor
    log.info("grid API sync finished: %s", summary)
    return asdict(summary)
