"""A run triggered for a period is named after it: ``manual__2020-06_20261202T093000``, note "报告期 2020-06（手动指定）".

When a run is triggered without a logical date (the trigger form's default in Airflow 3) or for
another period than its data interval, the ``period`` Param decides what the run reports, but
Airflow names the run after the moment of the trigger (``manual__2026-12-02T01:30:00+00:00``):
the runs list, whose first column is the run id, could not tell the operator which period a
manual run was for. Airflow asks the timetable for the id without the run's conf, so the trigger
request is completed on its way in instead: the ``chufei`` plugin installs :class:`PeriodRunNames`
as a root middleware of the api-server, which serves both the UI's trigger form and the REST
API. A run id or note the operator typed is kept; a ``period`` that is not a period is left for
Airflow's Param check to refuse (``chufei.ops.param_messages``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, UTC

from chufei.core.periods import PeriodError, manual_run_id, parse_period

_TRIGGER_PATH = re.compile(r"/api/v2/dags/[^/]+/dagRuns$")
# A trigger's body is a few hundred bytes; anything far larger is passed on untouched.
_MAX_BODY = 1 << 20


def name_period_run(body: dict, now: datetime) -> dict:
    """The trigger body with a run id and a note naming its ``period`` Param, when it has one."""
    period = (body.get("conf") or {}).get("period") if isinstance(body.get("conf"), dict) else None
    if not isinstance(period, str) or not period.strip():
        return body
    try:
        key = parse_period(period).key
    except PeriodError:
        return body
    if key != period.strip():  # 2020年6月 and the like: Airflow's pattern check refuses them
        return body
    named = dict(body)
    if not body.get("dag_run_id"):
        run_after = body.get("run_after")
        moment = datetime.fromisoformat(run_after.replace("Z", "+00:00")) if isinstance(run_after, str) else now
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        named["dag_run_id"] = manual_run_id(key, moment)
    if not body.get("note"):
        named["note"] = f"报告期 {key}（手动指定）"
    return named


class PeriodRunNames:
    """ASGI middleware: a trigger with a ``period`` Param gets a run id and a note naming it."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http" or scope.get("method") != "POST" or not _TRIGGER_PATH.search(
                scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                replayed = [message]
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        else:
            replayed = []
        body = b"".join(chunks)
        if not replayed and size <= _MAX_BODY:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                named = name_period_run(parsed, datetime.now(UTC))
                if named is not parsed:
                    body = json.dumps(named, ensure_ascii=False).encode("utf-8")
                    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
                    scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        pending = [{"type": "http.request", "body": body, "more_body": False}, *replayed]

        async def replay() -> dict:
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)
