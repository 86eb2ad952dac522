"""Reminders and failure notices, sent through one configurable channel.

``[chufei] notify_channel`` (env ``AIRFLOW__CHUFEI__NOTIFY_CHANNEL``) chooses it:

- ``log`` (default): the message goes to the task log only;
- ``webhook``: JSON ``{"subject", "text", "items"}`` POSTed to ``[chufei] webhook_url``, or to the
  host of the Airflow connection ``chufei_webhook`` (sent by ``chufei.core.http``);
- ``email``: through the SMTP connection ``[chufei] smtp_conn_id`` (default ``smtp_default``, sent
  by ``SmtpHook``; the sender is the connection's extra ``from_email``) to ``[chufei] notify_to``
  (comma-separated addresses).

Messages name units, periods and dataset kinds only — never personal data; a 红 warning names its
entity (a natural person by the surname only).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from airflow.sdk import BaseNotifier

from chufei.core import connections, mail
from chufei.core.settings import chufei_option

log = logging.getLogger(__name__)
WEBHOOK_CONN_ID = "chufei_webhook"


class ChannelError(RuntimeError):
    """The notification channel is misconfigured or refused the message."""


def _webhook_url() -> str:
    url = chufei_option("webhook_url", "")
    if url:
        return url
    conn = connections.optional(WEBHOOK_CONN_ID)
    if conn is None:
        raise ChannelError(f"notify_channel=webhook needs [chufei] webhook_url or the connection {WEBHOOK_CONN_ID!r}")
    host = conn.host or ""
    if "://" in host:
        return host
    port = f":{conn.port}" if conn.port else ""
    return f"{conn.schema or 'https'}://{host}{port}"


def post_webhook(url: str, payload: dict, timeout: float = 10.0) -> int:
    """POST the message once; repeated only when the webhook says it did not act on it.

    A webhook has no idempotency key, so a POST that may have been received (a 5xx other than
    503, a read timeout) is not sent again: the same notice twice would read as two.
    """
    from chufei.core.http import NOT_ACTED_ON, session

    with session(retries=3, backoff_factor=0.5, timeout=timeout, methods={"POST"}, statuses=NOT_ACTED_ON,
                 retry_reads=False) as webhook:
        response = webhook.post(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                headers={"Content-Type": "application/json; charset=utf-8"})
    if response.status_code >= 400:
        raise ChannelError(f"webhook answered HTTP {response.status_code}")
    return response.status_code


def send(subject: str, text: str, items: Sequence[dict] = ()) -> str:
    """Deliver one message on the configured channel; returns the channel used."""
    channel = chufei_option("notify_channel", "log").strip().lower()
    if channel == "log":
        log.warning("chufei notice: %s (%d item(s))\n%s", subject, len(items), text)
    elif channel == "webhook":
        post_webhook(_webhook_url(), {"subject": subject, "text": text, "items": list(items)})
    elif channel == "email":
        recipients = [a.strip() for a in chufei_option("notify_to", "").split(",") if a.strip()]
        if not recipients:
            raise ChannelError("notify_channel=email needs [chufei] notify_to (comma-separated addresses)")
        mail.send(chufei_option("smtp_conn_id", "smtp_default"), to=recipients, subject=subject, text=text)
    else:
        raise ChannelError(f"unknown [chufei] notify_channel {channel!r}: use log, webhook or email")
    return channel


class ChufeiNotifier(BaseNotifier):
    """Airflow notifier for chufei's channel; usable as on_failure_callback or called directly."""

    template_fields = ("subject", "text")

    def __init__(self, subject: str, text: str = "", items: Sequence[dict] = ()) -> None:
        super().__init__()
        self.subject = subject
        self.text = text
        self.items = list(items)

    def notify(self, context) -> None:  # noqa: ANN001
        send(self.subject, self.text, self.items)


def _describe(context) -> tuple[str, str]:  # noqa: ANN001
    dag_id = getattr(context.get("dag"), "dag_id", None) or "?"
    ti = context.get("task_instance") or context.get("ti")
    run_id = getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")
    task_id = getattr(ti, "task_id", "?")
    return dag_id, f"DAG {dag_id}, run {run_id}, task {task_id}"


def notify_failure(context) -> None:  # noqa: ANN001
    """A task failed (after its retries): tell the operators where to look; never raises."""
    dag_id, where = _describe(context)
    exception = context.get("exception")
    kind = type(exception).__name__ if exception is not None else "failure"
    try:
        ChufeiNotifier(f"[chufei] {dag_id} failed", f"{where} failed ({kind}). See the task log in Airflow.")(context)
    except Exception:  # noqa: BLE001 - a broken channel must not hide the original failure
        log.exception("could not deliver the failure notice for %s", where)


def deadline_missed(context=None, **kwargs) -> None:  # noqa: ANN001
    """DeadlineAlert callback: a period run is still not finished after the configured hours."""
    context = context or {}
    dag_run = context.get("dag_run") or {}
    dag_id = getattr(dag_run, "dag_id", None) or (dag_run.get("dag_id") if isinstance(dag_run, dict) else None)
    run_id = getattr(dag_run, "run_id", None) or (dag_run.get("run_id") if isinstance(dag_run, dict) else None)
    send(f"[chufei] {dag_id or 'a period DAG'} is late",
         f"DAG run {run_id or '?'} of {dag_id or '?'} missed its deadline; check it in Airflow.")


def notify_red_warnings(engine, as_of) -> dict:  # noqa: ANN001
    """New 红 warnings on the channel, at most once per entity and band (``warning_notice``).

    The notice names warning ids, entity ids, districts, scores and the entity's name (a natural
    person's by the surname only, as the warning list shows it); nothing else. A notice is recorded
    after it is sent: a failed send is retried by the task, a sent one is not repeated.
    """
    from sqlalchemy import select

    from chufei.core.masking import mask_name, mask_text
    from chufei.core.units import units
    from chufei.warehouse.entity_schema import entity, entity_warning, warning_notice

    names = {u.code: u.name for u in units()}
    with engine.connect() as connection:
        noticed = set(connection.execute(select(warning_notice.c.entity_id, warning_notice.c.band)).all())
        rows = connection.execute(
            select(entity_warning.c.warning_id, entity_warning.c.entity_id, entity_warning.c.score,
                   entity.c.name, entity.c.natural_person, entity.c.district_code)
            .join(entity, entity.c.entity_id == entity_warning.c.entity_id)
            .where(entity_warning.c.band == "红", entity_warning.c.status == "待核查",
                   entity_warning.c.raised_on <= as_of)
            .order_by(entity_warning.c.score.desc(), entity_warning.c.warning_id)).all()
    new = [row for row in rows if (row.entity_id, "红") not in noticed]
    if not new:
        return {"sent": 0}
    items = [{"warning_id": row.warning_id, "entity_id": row.entity_id, "score": int(row.score),
              "district": names.get(row.district_code, "全市"),
              "name": mask_name(row.name) if row.natural_person else mask_text(row.name)} for row in new]
    text = "\n".join(f"{i['warning_id']} {i['district']} {i['name']}（{i['score']} 分）" for i in items)
    channel = send(f"[chufei] 新增红色预警 {len(items)} 条（截至 {as_of.isoformat()}）",
                   f"以下主体新达到红色预警，请核查后报送“预警核查反馈”：\n{text}", items)
    with engine.begin() as connection:
        connection.execute(warning_notice.insert(), [{"entity_id": i["entity_id"], "band": "红",
                                                      "warning_id": i["warning_id"], "sent_on": as_of} for i in items])
    return {"sent": len(items), "channel": channel}
