"""Delivering issued packages: to the provincial portal (HTTP POST) and to the staff (email, ``chufei.core.mail``).

The package always stays in the outbox. Each latest version of each package is delivered once
per channel: a delivery is recorded in ``package_delivery``, and a version already accepted by
the portal (or already emailed) is skipped. The portal receives the version as one reproducible
zip with an ``Idempotency-Key`` built from report, period and version, so a retried POST can
never be counted twice. Transient failures are retried by the session of ``chufei.core.http``.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import REFERENCE_DIR, DataDir
from chufei.core import connections, http, mail
from chufei.core.masking import mask_text
from chufei.outbox.reports import latest_version, read_manifest

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def delivery_settings() -> dict:
    """Staff list, sender and connection ids (include/reference/delivery.json)."""
    return json.loads((REFERENCE_DIR / "delivery.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PortalConfig:
    url: str
    auth: tuple[str, str] | None = None
    token: str | None = None
    retries: int = 4
    backoff_factor: float = 1.0
    connect_timeout: float = 5.0
    read_timeout: float = 60.0


@dataclass(frozen=True)
class SmtpConfig:
    """Who gets the packages; how to reach the server is the SMTP connection's (``chufei.core.mail``)."""

    conn_id: str
    sender: str
    recipients: tuple[str, ...]


@dataclass
class DeliveryResult:
    delivered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    emailed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Package:
    report: str
    period: str
    version: str
    folder: Path

    @property
    def idempotency_key(self) -> str:
        return f"chufei:{self.report}:{self.period}:{self.version}"

    @property
    def label(self) -> str:
        return f"{self.report}/{self.period}/{self.version}"

    def files(self) -> list[Path]:
        manifest = read_manifest(self.folder)
        return [self.folder / "manifest.json"] + [self.folder / entry["name"] for entry in manifest["files"]]


def issued_packages(data: DataDir) -> list[Package]:
    """The latest version of every report's package (``chufei.outbox.registry``), in a stable order."""
    from chufei.outbox.registry import REPORTS

    found = []
    for report_dir in sorted(p for p in (data.outbox / name for name in REPORTS) if p.is_dir()):
        for period_dir in sorted(p for p in report_dir.iterdir() if p.is_dir()):
            folder = latest_version(period_dir)
            if folder is not None:
                found.append(Package(report_dir.name, period_dir.name, folder.name, folder))
    return found


def package_zip(package: Package) -> bytes:
    """The version folder as a zip with fixed timestamps: the same package, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in package.files():
            entry = zipfile.ZipInfo(f"{package.report}_{package.period}_{package.version}/{path.name}",
                                    date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def _session(config: PortalConfig):
    """The portal's session: the POST is retried too, since its Idempotency-Key makes a repeat harmless."""
    from chufei.core.http import session

    headers = {"Authorization": f"Bearer {config.token}"} if config.token else None
    portal = session(retries=config.retries, backoff_factor=config.backoff_factor,
                     timeout=(config.connect_timeout, config.read_timeout), methods={"POST"}, headers=headers)
    if config.auth:
        portal.auth = config.auth
    return portal


def _already(engine: Engine, channel: str, key: str, status: str) -> bool:
    table = warehouse.package_delivery
    with engine.connect() as connection:
        return connection.execute(select(table.c.id).where(
            table.c.channel == channel, table.c.idempotency_key == key, table.c.status == status)).first() is not None


def _record(engine: Engine, package: Package, channel: str, status: str, attempts: int, sha: str,
            http_status: int | None = None, detail: str | None = None) -> None:
    with engine.begin() as connection:
        connection.execute(insert(warehouse.package_delivery), {
            "report": package.report, "period_key": package.period, "version": package.version,
            "channel": channel, "idempotency_key": package.idempotency_key, "status": status,
            "attempts": attempts, "http_status": http_status, "package_sha256": sha,
            "detail": mask_text(detail)[:2000] if detail else None, "recorded_at": warehouse.now_utc()})


def post_package(engine: Engine, package: Package, config: PortalConfig) -> bool:
    """POST one package unless the portal already accepted it; True when accepted."""
    import requests

    key = package.idempotency_key
    if _already(engine, "portal", key, "accepted"):
        return False
    body = package_zip(package)
    sha = hashlib.sha256(body).hexdigest()
    headers = {"Idempotency-Key": key, "Content-Type": "application/zip",
               "X-Chufei-Report": package.report, "X-Chufei-Period": package.period,
               "X-Chufei-Version": package.version, "X-Chufei-Sha256": sha}
    attempts, status, detail = 1, None, None
    try:
        with _session(config) as session:
            response = session.post(config.url, data=body, headers=headers)
        attempts = http.attempts(response)
        status, detail = response.status_code, response.text[:500]
        accepted = 200 <= status < 300 or status == 409  # 409: the portal already holds this key
    except requests.RequestException as error:
        accepted, detail = False, f"{type(error).__name__}: {error}"
    _record(engine, package, "portal", "accepted" if accepted else "failed", attempts, sha, status, detail)
    log.info("portal %s: %s after %d attempt(s), HTTP %s", package.label,
             "accepted" if accepted else "FAILED", attempts, status)
    if not accepted:
        raise DeliveryError(f"the portal did not accept {package.label}: HTTP {status} {detail or ''}".strip())
    return True


def email_package(engine: Engine, package: Package, config: SmtpConfig) -> bool:
    """Email one package's files to the staff unless this version was already sent."""
    key = package.idempotency_key
    if _already(engine, "email", key, "sent") or not config.recipients:
        return False
    manifest = read_manifest(package.folder)
    lines = [f"报表：{package.report}", f"报告期：{package.period}", f"版本：{package.version}",
             f"数据版本：{manifest['data_version']}", "", "附件："]
    lines += [f"  {entry['name']}  sha256 {entry['sha256']}" for entry in manifest["files"]]
    if manifest.get("changes"):
        lines += ["", f"本版本替代 {manifest['supersedes']}，变更 {manifest['changes']['figures_changed_total']} 项数据。"]
    files = package.files()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    # The Message-ID follows the idempotency key, so a mail client can tell a resent copy.
    mail.send(config.conn_id, to=config.recipients, sender=config.sender, files=files,
              subject=f"【处非办】{package.report} {package.period} {package.version}", text="\n".join(lines) + "\n",
              headers={"Message-ID": f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@chufei>"})
    _record(engine, package, "email", "sent", 1, digest.hexdigest(), detail=f"to {len(config.recipients)} recipients")
    return True


class DeliveryError(RuntimeError):
    """A package could not be delivered; it stays in the outbox and the next run retries."""


def deliver(engine: Engine, data: DataDir, portal: PortalConfig | None, smtp: SmtpConfig | None) -> DeliveryResult:
    """Deliver the latest version of every package not yet delivered on each configured channel."""
    warehouse.ensure_schema(engine)
    result = DeliveryResult()
    for package in issued_packages(data):
        if portal is not None:
            try:
                (result.delivered if post_package(engine, package, portal) else result.skipped).append(package.label)
            except DeliveryError as error:
                log.error("%s", error)
                result.failed.append(package.label)
        if smtp is not None and email_package(engine, package, smtp):
            result.emailed.append(package.label)
    if result.failed:
        raise DeliveryError(f"{len(result.failed)} package(s) not accepted by the portal: "
                            f"{', '.join(result.failed)}; they stay in the outbox and are retried")
    return result


def portal_config_from_connection(conn) -> PortalConfig:
    """An Airflow connection → PortalConfig: extra ``url`` or schema://host:port + extra ``endpoint``."""
    extra = conn.extra_dejson or {}
    url = extra.get("url")
    if not url:
        scheme = conn.schema or "https"
        port = f":{conn.port}" if conn.port else ""
        url = f"{scheme}://{conn.host}{port}{extra.get('endpoint', '/')}"
    return PortalConfig(
        url=url, auth=(conn.login, conn.password or "") if conn.login else None, token=extra.get("token"),
        retries=int(extra.get("retries", 4)), backoff_factor=float(extra.get("backoff_factor", 1.0)),
        connect_timeout=float(extra.get("connect_timeout", 5)), read_timeout=float(extra.get("read_timeout", 60)))


def smtp_config_from_connection(conn) -> SmtpConfig:
    """The SMTP connection's extra ``from_email`` and ``staff`` override include/reference/delivery.json."""
    settings = delivery_settings()
    extra = conn.extra_dejson or {}
    return SmtpConfig(conn_id=conn.conn_id, sender=extra.get("from_email", settings["email_from"]),
                      recipients=tuple(extra.get("staff", settings["staff"])))


def configured_channels() -> tuple[PortalConfig | None, SmtpConfig | None]:
    """The portal and SMTP settings from the Airflow connections, None for each one absent."""
    settings = delivery_settings()
    portal = connections.optional(settings["portal_connection"])
    smtp = connections.optional(settings["smtp_connection"])
    return (portal_config_from_connection(portal) if portal else None,
            smtp_config_from_connection(smtp) if smtp else None)
