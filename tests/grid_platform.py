"""A fake grid platform: a real HTTP server on loopback (port 0) that can misbehave on cue.

``faults`` maps the n-th request (1-based, retries included) to one of: ``503`` (an error
status), ``timeout`` (answers only after the client's read timeout), ``reset`` (drops the TCP
connection with RST, no answer), ``malformed`` (HTTP 200 with a truncated JSON body),
``repeat`` (the previous response again, byte for byte). ``record`` builds one clue as the
platform sends it; ``server_records`` the set the API tests pull, with corrections and one bad code.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
import contextlib

TOKEN = "test-token"
T0 = datetime.fromisoformat("2020-06-01T08:00:00+08:00")


def _uscc(rng: random.Random) -> str:
    from stdnum.cn import uscc

    body = "91420700" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def record(n: int, version: int, minutes: int, status: str = "待核查", **changes) -> dict:
    rng = random.Random(n)
    base = {
        "clue_id": f"WG2020{n:06d}", "version": version,
        "updated_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "reported_at": (T0 + timedelta(minutes=n)).isoformat(), "district_code": "420704",
        "town": "凤凰街道", "community": "滨湖社区", "grid_code": f"420704001{n % 30:02d}",
        "worker_id": f"GW{n:04d}", "discovery_method": "巡查", "subject_name": f"鄂州第{n}投资管理有限公司",
        "credit_code": _uscc(rng), "address": "鄂州市凤凰街道", "industry": "投资咨询",
        "risk_signs": ["承诺高额回报", "发展下线"], "estimated_people": 10 + n,
        "estimated_amount_wan": f"{n}.25", "judgement": "疑似", "transfer_unit": None, "status": status,
        "closed_date": "2020-07-01" if status == "已办结" else None,
    }
    return {**base, **changes}


def server_records() -> list[dict]:
    records = [record(n, 1, n) for n in range(1, 31)]
    records += [record(n, 2, 100, status="已办结") for n in range(1, 8)]  # one instant across a page boundary
    records += [record(n, 2, 200 + n, status="核查中") for n in range(20, 26)]
    records.append(record(99, 1, 300, credit_code="91420700MA4ABCDE10"))  # bad check character
    return records


class FakeGridPlatform:
    def __init__(self, records: list[dict], faults: dict[int, str] | None = None, slow_seconds: float = 1.0):
        self.records = records
        self.faults = dict(faults or {})
        self.slow_seconds = slow_seconds
        self.requests: list[dict] = []
        self.last_body: bytes | None = None
        self.lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                platform.handle(self)

            def finish(self):
                with contextlib.suppress(OSError):
                    super().finish()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def page(self, since: str, cursor: str | None, size: int) -> bytes:
        floor = datetime.fromisoformat(since)
        eligible = sorted((r for r in self.records if datetime.fromisoformat(r["updated_at"]) >= floor),
                          key=lambda r: (datetime.fromisoformat(r["updated_at"]), r["clue_id"], r["version"]))
        offset = int(cursor or 0)
        items = eligible[offset:offset + size]
        following = str(offset + size) if offset + size < len(eligible) else None
        return json.dumps({"items": items, "next_cursor": following}, ensure_ascii=False).encode()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append({"path": parts.path, **params})
            fault = self.faults.pop(len(self.requests), None)
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(handler, 401, b'{"error": "unauthorized"}')
        if parts.path != "/api/v1/clues":
            return self._send(handler, 404, b'{"error": "not found"}')
        if fault == "503":
            return self._send(handler, 503, b'{"error": "busy"}')
        if fault == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            return None
        if fault == "timeout":
            time.sleep(self.slow_seconds)
        if fault == "repeat" and self.last_body is not None:
            return self._send(handler, 200, self.last_body)
        body = self.page(params["updated_since"], params.get("cursor"), int(params.get("page_size", 100)))
        if fault == "malformed":
            return self._send(handler, 200, body[: len(body) // 2])
        self.last_body = body
        return self._send(handler, 200, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up (read timeout): nothing to answer
