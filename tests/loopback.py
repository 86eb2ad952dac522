"""Real loopback servers for delivery tests: an HTTP portal and an SMTP server, both on port 0."""

from __future__ import annotations

import email
import email.policy
import http.server
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class PortalState:
    fail_first: int = 0
    requests: list[dict] = field(default_factory=list)
    accepted: dict[str, list[bytes]] = field(default_factory=dict)  # idempotency key → accepted copies
    lock: threading.Lock = field(default_factory=threading.Lock)


class _PortalHandler(http.server.BaseHTTPRequestHandler):
    state: PortalState

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        key = self.headers.get("Idempotency-Key", "")
        with self.state.lock:
            self.state.requests.append({"key": key, "path": self.path, "bytes": len(body),
                                        "headers": dict(self.headers)})
            if len(self.state.requests) <= self.state.fail_first:
                code, text = 503, "busy"
            elif key in self.state.accepted:
                code, text = 200, "duplicate ignored"
            else:
                self.state.accepted[key] = [body]
                code, text = 201, "accepted"
        payload = text.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # quiet
        pass


class Portal:
    def __init__(self, fail_first: int = 0):
        self.state = PortalState(fail_first=fail_first)
        handler = type("Handler", (_PortalHandler,), {"state": self.state})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        def say(line: str) -> None:
            self.wfile.write((line + "\r\n").encode())

        say("220 loopback ESMTP")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                say("250-loopback" if verb == "EHLO" else "250 loopback")
                if verb == "EHLO":
                    say("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                say("250 OK")
            elif verb == "DATA":
                say("354 end with .")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.server.messages.append({"from": sender, "to": recipients, "message": message})
                say("250 queued")
            elif verb == "RSET" or verb == "NOOP":
                say("250 OK")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("502 not implemented")


class SmtpServer:
    def __init__(self):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.messages = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def messages(self) -> list[dict]:
        return self.server.messages

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
