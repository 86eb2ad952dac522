"""chufei's one HTTP session, against a real server on 127.0.0.1: retries, their bound, timeouts, User-Agent."""

from __future__ import annotations

import http.server
import threading
import time
import tomllib
from pathlib import Path

import pytest
import requests

from chufei.core.http import session

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


class Server:
    """Answers ``fail_first`` requests with ``fail_status``, then 200; ``/slow`` answers after 2 s."""

    def __init__(self, fail_first: int = 0, fail_status: int = 503):
        self.fail_first, self.fail_status = fail_first, fail_status
        self.requests: list[dict] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                owner.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
                if self.path == "/slow":
                    time.sleep(2)
                status = owner.fail_status if len(owner.requests) <= owner.fail_first else 200
                body = b"busy" if status != 200 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_a_503_is_retried_until_the_server_answers():
    with Server(fail_first=2) as server, session(retries=3, backoff_factor=0) as http:
        response = http.get(server.url + "/clues")
    assert response.status_code == 200
    assert response.text == "ok"
    assert len(server.requests) == 3


def test_retries_stop_at_the_bound_and_hand_back_the_last_answer():
    with Server(fail_first=100) as server, session(retries=2, backoff_factor=0) as http:
        response = http.get(server.url + "/clues")
    assert response.status_code == 503
    assert len(server.requests) == 3  # the first try and two retries


def test_retries_stop_at_the_bound_and_raise_when_asked():
    with (Server(fail_first=100) as server, session(retries=2, backoff_factor=0, raise_on_status=True) as http,
          pytest.raises(requests.exceptions.RetryError)):
        http.get(server.url + "/clues")
    assert len(server.requests) == 3


def test_a_post_is_sent_once_unless_the_caller_says_it_may_be_repeated():
    with Server(fail_first=100) as server, session(retries=2, backoff_factor=0) as http:
        assert http.post(server.url + "/packages", data=b"x").status_code == 503
    assert len(server.requests) == 1
    with Server(fail_first=2) as server, session(retries=2, backoff_factor=0, methods={"POST"}) as http:
        assert http.post(server.url + "/packages", data=b"x").status_code == 200
    assert len(server.requests) == 3


def test_every_request_gets_the_default_timeout():
    with Server() as server, session(retries=0, timeout=(2, 0.3)) as http:
        started = time.monotonic()
        with pytest.raises(requests.exceptions.RequestException, match="(?i)timed? ?out"):
            http.get(server.url + "/slow")  # no timeout= here: the session's applies
        assert time.monotonic() - started < 1.5  # the server would have answered after 2 s


def test_a_read_timeout_is_retried_only_when_the_caller_allows_it():
    with (Server() as server, session(retries=1, backoff_factor=0, timeout=(2, 0.3)) as http,
          pytest.raises(requests.exceptions.RequestException)):
        http.get(server.url + "/slow")
    assert len(server.requests) == 2
    with (Server() as server, session(retries=1, backoff_factor=0, timeout=(2, 0.3), retry_reads=False) as http,
          pytest.raises(requests.exceptions.RequestException)):
        http.get(server.url + "/slow")
    assert len(server.requests) == 1


def test_the_server_sees_chufeis_name_and_release():
    release = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    with Server() as server, session(headers={"Accept": "application/json"}) as http:
        http.get(server.url + "/clues")
        http.post(server.url + "/packages", data=b"x")
    assert [r["headers"]["User-Agent"] for r in server.requests] == [f"chufei/{release}"] * 2
    assert server.requests[0]["headers"]["Accept"] == "application/json"


def test_the_webhook_is_repeated_only_when_it_did_not_act_on_the_notice():
    from chufei.ops import notify

    with Server(fail_first=2, fail_status=503) as server:
        assert notify.post_webhook(server.url + "/hook", {"subject": "s"}) == 200
    assert len(server.requests) == 3
    # A 500 may come after the notice was posted: it is not sent again.
    with Server(fail_first=1, fail_status=500) as server, pytest.raises(notify.ChannelError, match="HTTP 500"):
        notify.post_webhook(server.url + "/hook", {"subject": "s"})
    assert len(server.requests) == 1
