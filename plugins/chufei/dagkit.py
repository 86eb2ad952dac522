"""Settings every chufei DAG shares. Light on purpose: DAG files import it at parse time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Shanghai")
OWNER = "chufei-office"
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}
# The first reporting year the demo and a fresh deployment cover.
START_DATE = datetime(2020, 1, 1, tzinfo=TIMEZONE)

PERIOD_PATTERNS = {
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "quarter": r"^\d{4}Q[1-4]$",
    "half": r"^\d{4}H[12]$",
    "year": r"^\d{4}$",
}
PERIOD_EXAMPLES = {"month": "2020-06", "quarter": "2020Q2", "half": "2020H1", "year": "2020"}


def period_param(kind: str):
    """The ``period`` Param of a period DAG: empty means 'the run's data interval'."""
    from airflow.sdk import Param

    return Param(None, type=["null", "string"], pattern=PERIOD_PATTERNS[kind],
                 title="报告期 period",
                 description=f"Leave empty to report the run's data interval; set e.g. "
                             f"{PERIOD_EXAMPLES[kind]} to (re)compute that {kind} from a manual run.")
