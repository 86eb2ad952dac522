"""Small seeded inflows for the early-warning tests, written into the warehouse tables the
ingests fill (grid clue versions, submissions and their rows), so the register reads them as it
reads real ones. Expected figures are worked out by the tests from these plain values."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import insert

from chufei.core.periods import Period
from chufei.kinds.ad_screening import AD_SCREENING
from chufei.warehouse import schema as warehouse
from chufei.warehouse.inflow_schema import grid_clue_version
from tests.statsfacts import load_submission



def uscc(body17: str) -> str:
    """A checksum-valid 统一社会信用代码 from its first 17 characters (GB 32100 mod 31)."""
    from stdnum.cn import uscc as std

    return body17 + std.calc_check_digit(body17)


def grid_clue(connection, clue_no: str, reported: datetime, district: str, grid: str, name: str,
              code: str | None = None, signs: str = "", version: int = 1, load: str = "grid-file-1",
              row_no: int = 1, loaded_at: datetime | None = None) -> None:
    if loaded_at is None:
        loaded_at = datetime(2026, 1, 1, 8, 0, 0) if load == "grid-file-1" else datetime(2026, 1, 2, 8, 0, 0)
    connection.execute(insert(grid_clue_version), {
        "clue_no": clue_no, "version": version, "updated_at": None, "source": "file",
        "load_id": hashlib.sha256(load.encode()).hexdigest(), "row_no": row_no,
        "loaded_at": loaded_at,
        "reported_at": reported, "district_code": district, "town": "凤凰街道", "community": None,
        "grid_code": grid, "worker_id": "GW0001", "discovery_method": "巡查", "subject_name": name,
        "credit_code": code, "address": None, "industry": "投资咨询", "risk_signs": signs or None, "people": None,
        "amount_fen": None, "judgement": "疑似", "transfer_unit": None, "status": "待核查", "closed_date": None})


def advert(connection, unit_code: str, period: Period, rows: list[dict]) -> str:
    """An advert-screening submission (its detail rows; warehouse column names)."""
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    connection.execute(insert(warehouse.received_file), {
        "sha256": digest, "source": "ad_screening", "original_name": "广告.xlsx", "size_bytes": 1,
        "archive_path": f"{digest}.xlsx", "received_at": warehouse.now_utc(), "status": "accepted"})
    full = [{"screened_date": None, "reporting_unit": None, "carrier": "网站", "platform": "某网站", "publisher": None,
             "credit_code": None, "summary": "", "keywords": None, "licensed": True, "action": "删除",
             "action_date": None} | row for row in rows]
    warehouse.replace_submission(connection, AD_SCREENING, unit_code, period.key, period.start, period.end, digest,
                                 {}, list(enumerate(full, 1)))
    return digest


def ledger_row(name: str, found: date, level: str, signs: str = "", code: str | None = None,
               subject_type: str = "企业") -> dict:
    return {"subject_name": name, "credit_code": code, "subject_type": subject_type, "industry": "投资咨询",
            "clue_source": "网格排查", "found_date": found, "risk_signs": signs, "people": None, "amount_fen": None,
            "risk_level": level, "monitoring": None, "responsible_unit": "鄂城区处非办", "responsible_person": "李四",
            "rectification": None, "rectify_deadline": None, "progress": None, "resolved": False,
            "resolved_date": None}


def action_row(name: str, day: date, action: str = "约谈劝导", code: str | None = None) -> dict:
    return {"action_date": day, "subject_name": name, "credit_code": code, "action_type": action,
            "industry": "投资咨询", "result": None, "penalty_fen": None}


__all__ = ["advert", "action_row", "grid_clue", "ledger_row", "load_submission", "uscc"]
