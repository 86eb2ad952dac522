"""
### 报送省处非办 — deliver issued packages to the province and the staff

**概要**：报表包更新时触发，把各报表的最新版本报送省处非办（门户接口），并发邮件给工作人员；
每次投递都有记录，已被接收的版本不会重复报送。

*English:*

**Consumes** the report packages in `<data dir>/outbox/`; triggered whenever a report DAG
updates its package Asset (`outbox.<dag_id>` of every report in `chufei.outbox.registry`:
`outbox.case_statistics_monthly`, `…_quarterly`, `…_annual`, `outbox.report_reward_quarterly`,
`outbox.risk_ledger_rollup`, `outbox.warnings_actions_quarterly`, `outbox.situation_analysis`).

**Does**, for the latest version of every report's package in `<data dir>/outbox/` (packages always stay
there):
- when the Airflow connection `provincial_portal` exists: POSTs the version as one zip with an
  `Idempotency-Key` of report, period and version (urllib3 `Retry` on 429/5xx and connection
  errors, connect/read timeouts; connection extra: `url` or `endpoint`, `token`, `retries`,
  `backoff_factor`, `connect_timeout`, `read_timeout`);
- when the SMTP connection `smtp_default` exists: emails the files through `SmtpHook` to the
  staff list in `include/reference/delivery.json` (or the connection extra `staff`; TLS, login
  and timeouts are the connection's, see `docs/connections.md`);
- records every attempt in the warehouse table `package_delivery`; a version already accepted
  (or emailed) is never sent again.

**Produces** the portal's accepted copy, the staff email, and the `package_delivery` records.

**Re-run**: safe at any time. A package the portal did not accept fails the task (Airflow
retries); the next run sends only what is still missing.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetAny, dag, task

from chufei.dagkit import DEFAULT_ARGS, START_DATE
from chufei.dagkit.schedules import ChineseAssetTimetable
from chufei.outbox.registry import REPORTS

# Any report's package Asset (the report registry: plain data, cheap to import).
TRIGGER = AssetAny(*(Asset(report.asset) for report in REPORTS.values()))


@dag(
    schedule=ChineseAssetTimetable(TRIGGER, about="任一报表包"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["delivery"],
    doc_md=__doc__,
)
def provincial_delivery():
    @task(multiple_outputs=True)
    def deliver_packages() -> dict:
        from dataclasses import asdict

        from chufei.warehouse import runtime
        from chufei.delivery.provincial import configured_channels, deliver

        portal, smtp = configured_channels()
        return asdict(deliver(runtime.warehouse_engine(), runtime.data(), portal, smtp))

    deliver_packages()


provincial_delivery()
