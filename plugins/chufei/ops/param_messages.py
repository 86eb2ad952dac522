"""The api-server's refusal of a bad Param, in Chinese: "报告期应为 YYYY-MM，如 2020-06".

Airflow validates a triggered run's Params with jsonschema and answers 400 with jsonschema's own
text — ``'2020-13' does not match '^\\d{4}-(0[1-9]|1[0-2])$'`` and a dump of the schema — which the
trigger form shows as it is. jsonschema has no custom-message keyword and the api-server validates
with its own (server-side) Param class, so the answer is rewritten on its way out instead: the
``chufei`` plugin installs :class:`ChineseParamErrors` as a root middleware of the api-server.
Answers it does not recognise pass unchanged.
"""

from __future__ import annotations

import json
import re

from chufei.core.periods import ANALYSIS_FORM, PERIOD_FORMS

# jsonschema names the failed pattern with repr(): the key that finds the hint.
PATTERN_HINTS = {repr(pattern): hint for pattern, _, hint in [*PERIOD_FORMS.values(), ANALYSIS_FORM]}
FORMAT_HINTS = {"date": "应为日期 YYYY-MM-DD，如 2020-12-31"}
_PARAM_ERROR = re.compile(r"^Invalid input for param (?P<name>[\w.-]+): (?P<first>[^\n]*)")
_PATTERN = re.compile(r"^(?P<value>.*) does not match (?P<pattern>'.*')$")
_FORMAT = re.compile(r"^(?P<value>.*) is not a '(?P<format>[\w-]+)'$")


def chinese_param_error(detail: str) -> str | None:
    """The Chinese message for an api-server Param refusal, or None when it is some other answer."""
    match = _PARAM_ERROR.match(detail)
    if not match:
        return None
    name, first = match["name"], match["first"]
    if (found := _PATTERN.match(first)) and found["pattern"] in PATTERN_HINTS:
        return f"参数 {name} 填写有误（收到 {found['value']}）：{PATTERN_HINTS[found['pattern']]}。"
    if (found := _FORMAT.match(first)) and found["format"] in FORMAT_HINTS:
        return f"参数 {name} 填写有误（收到 {found['value']}）：{FORMAT_HINTS[found['format']]}。"
    return None


class ChineseParamErrors:
    """ASGI middleware: a 400 answer to a trigger whose detail is a Param refusal gets the Chinese one."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope.get("path", "").endswith(
                ("/dagRuns", "/backfills")):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        parts: list[bytes] = []

        async def hold_refusals(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] != 400:
                    await send(message)
                return
            if start.get("status") != 400 or message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                await send_rewritten(b"".join(parts))

        async def send_rewritten(body: bytes) -> None:
            headers = start.get("headers", [])
            try:
                detail = json.loads(body).get("detail")
                text = chinese_param_error(detail) if isinstance(detail, str) else None
            except (ValueError, AttributeError):
                text = None
            if text is not None:
                body = json.dumps({"detail": text}, ensure_ascii=False).encode("utf-8")
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold_refusals)
