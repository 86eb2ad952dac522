"""Delivery to a real loopback portal and SMTP server: retries, idempotency, records."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from chufei.warehouse import schema as warehouse
from chufei.outbox.case_reports import build_case_statistics_package
from chufei.delivery.provincial import DeliveryError, PortalConfig, SmtpConfig, deliver, issued_packages
from chufei.core.periods import month_period, quarter_period
from tests.loopback import Portal, SmtpServer
from tests.statsfacts import generate, load_facts


def _portal(port: int, retries: int = 4) -> PortalConfig:
    return PortalConfig(url=f"http://127.0.0.1:{port}/packages", retries=retries, backoff_factor=0.01,
                        connect_timeout=2, read_timeout=5)


def _records(engine):
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(warehouse.package_delivery)
                                                    .order_by(warehouse.package_delivery.c.id)).mappings()]


def _smtp_connection(monkeypatch, port: int) -> SmtpConfig:
    """An Airflow SMTP connection to the loopback server (plain SMTP: no SSL, no STARTTLS)."""
    monkeypatch.setenv("AIRFLOW_CONN_CHUFEI_TEST_SMTP", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 5, "retry_limit": 0}}))
    return SmtpConfig("chufei_test_smtp", "chufei@example.org", ("a@example.org", "b@example.org"))


def test_portal_failing_twice_gets_exactly_one_copy_and_staff_get_email(engine, data, monkeypatch):
    load_facts(engine, *generate())
    build_case_statistics_package(engine, data, month_period(2020, 6), "case_statistics_monthly")
    (package,) = issued_packages(data)
    smtp_server = SmtpServer()
    with Portal(fail_first=2) as portal, smtp_server:
        smtp = _smtp_connection(monkeypatch, smtp_server.port)
        result = deliver(engine, data, _portal(portal.port), smtp)
        assert result.delivered == [package.label]
        assert result.emailed == [package.label]
        assert [r["key"] for r in portal.state.requests] == [package.idempotency_key] * 3
        assert list(portal.state.accepted) == [package.idempotency_key]
        assert len(portal.state.accepted[package.idempotency_key]) == 1
        # Running again sends nothing more: the warehouse remembers the accepted copy and the email.
        again = deliver(engine, data, _portal(portal.port), smtp)
        assert again.skipped == [package.label]
        assert not again.delivered
        assert not again.emailed
        assert len(portal.state.requests) == 3
    assert package.idempotency_key == "chufei:case_statistics_monthly:2020-06:v1"
    copy = zipfile.ZipFile(io.BytesIO(portal.state.accepted[package.idempotency_key][0]))
    manifest = json.loads(copy.read("case_statistics_monthly_2020-06_v1/manifest.json"))
    assert manifest["period"] == "2020-06"
    for entry in manifest["files"]:
        import hashlib
        assert hashlib.sha256(copy.read(f"case_statistics_monthly_2020-06_v1/{entry['name']}")).hexdigest() == \
            entry["sha256"]
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert sorted(mail["to"]) == ["a@example.org", "b@example.org"]
    assert mail["from"] == "chufei@example.org"
    assert mail["message"]["Subject"] == "【处非办】case_statistics_monthly 2020-06 v1"
    body = mail["message"].get_body(("html",)).get_content()
    assert "报告期：2020-06" in body
    assert all(f"{f['name']}  sha256 {f['sha256']}" in body for f in manifest["files"])
    attachments = {part.get_filename(): part.get_content() for part in mail["message"].iter_attachments()}
    assert sorted(attachments) == sorted(["manifest.json"] + [f["name"] for f in manifest["files"]])
    for entry in manifest["files"]:
        import hashlib
        assert hashlib.sha256(attachments[entry["name"]]).hexdigest() == entry["sha256"]
    records = _records(engine)
    assert [(r["channel"], r["status"], r["attempts"]) for r in records] == [("portal", "accepted", 3),
                                                                             ("email", "sent", 1)]
    assert records[0]["http_status"] == 201
    # The package is still in the outbox.
    assert (data.outbox / "case_statistics_monthly" / "2020-06" / "v1" / "manifest.json").is_file()


def test_portal_down_fails_the_run_then_a_later_run_delivers(engine, data):
    load_facts(engine, *generate())
    build_case_statistics_package(engine, data, quarter_period(2020, 1), "case_statistics_quarterly")
    with Portal(fail_first=100) as portal:
        with pytest.raises(DeliveryError, match="not accepted"):
            deliver(engine, data, _portal(portal.port, retries=1), None)
        assert portal.state.accepted == {}
        portal.state.fail_first = 0
        result = deliver(engine, data, _portal(portal.port, retries=1), None)
        assert len(result.delivered) == 1
        assert sum(len(v) for v in portal.state.accepted.values()) == 1
    statuses = [(r["status"], r["http_status"]) for r in _records(engine)]
    assert statuses == [("failed", 503), ("accepted", 201)]


def test_a_new_version_is_delivered_as_its_own_copy(engine, data):
    cases, actions = generate()
    load_facts(engine, cases, actions)
    build_case_statistics_package(engine, data, month_period(2020, 3), "case_statistics_monthly")
    with Portal() as portal:
        deliver(engine, data, _portal(portal.port), None)
        from tests.statsfacts import case_row, load_submission
        with engine.begin() as connection:
            unit = cases[0].unit_code
            rows = [case_row(c, amount_fen=c.amount_fen + 100 if c.filed.year == 2020 and c.filed.month == 3
                             else c.amount_fen) for c in cases if c.unit_code == unit]
            rows.append(case_row(cases[0], case_no="EXTRA-1", filed_date=month_period(2020, 3).start))
            load_submission(connection, "case_ledger", unit, month_period(2020, 12), rows)
        assert build_case_statistics_package(engine, data, month_period(2020, 3), "case_statistics_monthly")["version"] == "v2"
        deliver(engine, data, _portal(portal.port), None)
        assert sorted(portal.state.accepted) == ["chufei:case_statistics_monthly:2020-03:v1",
                                                 "chufei:case_statistics_monthly:2020-03:v2"]
