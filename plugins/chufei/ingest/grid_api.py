"""Pulling clue records from the grid platform's HTTP API (contract: docs/grid_api.md).

Incremental: each sync asks for records changed since the stored watermark (``grid_sync_state``)
and follows ``next_cursor`` to the last page. Transport faults (connection refused or reset, read
timeouts, 429/5xx) are retried with exponential backoff by the session of ``chufei.core.http``
(urllib3 ``Retry``); anything still failing raises, so the Airflow task fails and is retried.

Exactly once: every page is archived byte-for-byte and loaded in one transaction together with
the watermark advance, and records load by (线索编号, 版本) — a page fetched twice, or records
re-read after a failure (``updated_since`` is inclusive), never load twice, and a page that fails
mid-way loads nothing, so the next attempt starts from the last committed page.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine

from chufei.core import connections
from chufei.core.masking import mask_text
from chufei.core.settings import DataDir
from chufei.ingest.grid import load_batches
from chufei.ingest.submissions import archive_bytes, record_loading, record_outcome
from chufei.kinds.grid_report import DATASET
from chufei.read.grid_export import RawBatch, raw_table, record_row
from chufei.warehouse import schema as warehouse
from chufei.warehouse.grid_sync import EPOCH, advance_watermark, watermark

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
                for key in ("page_size", "connect_timeout", "read_timeout", "retries", "backoff_factor")
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
    new_versions: int = 0
    watermark: str = EPOCH


def load_page(engine: Engine, data: DataDir, page: Page, summary: SyncSummary) -> None:
    """Archive the page, then load its records and advance the watermark in one transaction."""
    sha256 = hashlib.sha256(page.body).hexdigest()
    archive_name = archive_bytes(page.body, sha256, ".json", data).name
    with engine.begin() as connection:
        current = watermark(connection, SOURCE)
        if warehouse.file_known(connection, sha256):
            warehouse.record_arrival(connection, sha256, page.request, "duplicate")
            summary.duplicate_pages += 1
            summary.watermark = advance_watermark(connection, SOURCE, page.items, current, 0)
            return
        record_loading(connection, sha256=sha256, source=SOURCE, original_name=page.request[:500],
                       size_bytes=len(page.body), archive_name=archive_name, dataset=DATASET)
        result = load_batches(connection, [RawBatch(1, raw_table([record_row(i) for i in page.items]), "api")],
                              sha256, "api")
        status = "accepted" if not result.rejected else ("partially_accepted" if result.accepted else "rejected")
        record_outcome(connection, sha256=sha256, original_name=page.request[:500], status=status,
                       rows=result.rows, accepted=result.accepted, rejected=result.rejected)
        summary.watermark = advance_watermark(connection, SOURCE, page.items, current, result.new_versions)
    summary.records += result.rows
    summary.accepted += result.accepted
    summary.rejected += result.rejected
    summary.new_versions += result.new_versions
    for issue in result.errors[:20]:
        log.warning("grid API record rejected: row %s %s: %s", issue.get("row"), issue.get("column"),
                    mask_text(str(issue.get("message"))))


def sync(engine: Engine, data: DataDir, config: GridApiConfig) -> dict:
    """Fetch every record changed since the watermark, page by page; returns counts for XCom."""
    warehouse.ensure_schema(engine)
    with engine.connect() as connection:
        since = watermark(connection, SOURCE)
    summary = SyncSummary(watermark=since)
    log.info("grid API sync from %s, updated_since=%s", config.base_url, since)
    cursor = None
    with session_for(config) as session:
        while True:
            page = fetch_page(session, config, since, cursor)
            summary.pages += 1
            load_page(engine, data, page, summary)
            log.info("page %d: %d records, watermark now %s", summary.pages, len(page.items), summary.watermark)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    log.info("grid API sync finished: %s", summary)
    return asdict(summary)
