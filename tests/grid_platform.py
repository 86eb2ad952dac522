"""A fake grid platform: a real HTTP server on loopback (port 0) that can misbehave on cue.

``faults`` maps the n-th request (1-based, retries included) to one of: ``503`` (an error
status), ``timeout`` (answers only after the client's read timeout), ``reset`` (drops the TCP
connection with RST, no answer), ``malformed`` (HTTP 200 with a truncated JSON body),
``repeat`` (the previous response again, byte for byte).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
import contextlib

TOKEN = "test-token"


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
