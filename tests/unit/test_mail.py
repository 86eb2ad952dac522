"""Notices by email go through SmtpHook and the configured SMTP connection, to a loopback server."""

from __future__ import annotations

import json

from tests.loopback import SmtpServer


def test_an_email_notice_reaches_the_server_of_the_configured_connection(monkeypatch):
    from chufei.ops import notify

    with SmtpServer() as server:
        monkeypatch.setenv("AIRFLOW_CONN_CHUFEI_NOTICES", json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": server.port,
            "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "chufei@example.org",
                      "timeout": 5, "retry_limit": 0}}))
        monkeypatch.setenv("AIRFLOW__CHUFEI__NOTIFY_CHANNEL", "email")
        monkeypatch.setenv("AIRFLOW__CHUFEI__SMTP_CONN_ID", "chufei_notices")
        monkeypatch.setenv("AIRFLOW__CHUFEI__NOTIFY_TO", "tongji@example.org, ban@example.org")
        assert notify.send("[chufei] 2020-06 reminders", "华容区 case_ledger 2020-06 <missing> & late") == "email"
    (mail,) = server.messages
    assert mail["from"] == "chufei@example.org"
    assert sorted(mail["to"]) == ["ban@example.org", "tongji@example.org"]
    assert mail["message"]["Subject"] == "[chufei] 2020-06 reminders"
    body = mail["message"].get_body(("html",)).get_content()
    assert body == "<pre>华容区 case_ledger 2020-06 &lt;missing&gt; &amp; late</pre>"
