"""Warehouse tables of the two streaming inflows: grid-worker clues and advert screening.

Registered on ``chufei.warehouse.metadata.metadata`` (imported by ``chufei.warehouse.schema``), so
``ensure_schema`` creates them with the rest of the schema, on SQLite and PostgreSQL alike.

Grid clues keep every version in ``grid_clue_version`` (key 线索编号 + 版本). On SQLite it is an
ordinary rowid table: a clue version is a few hundred bytes, more than the twentieth of a page
under which SQLite advises WITHOUT ROWID; on the bench's million-row export the rowid table with
its key index loads faster and answers ``grid_clue_current`` faster (the latest-version lookup
reads the narrow key index). Warehouses created as WITHOUT ROWID keep working unchanged.
``grid_clue_current`` is a
view of the highest version of each clue: loading writes each version once and the current state
can never disagree with the history. ``grid_sync_state`` holds the API watermark. Advert screening reuses
the ``submission`` versioning of unit workbooks; its detail rows live in ``ad_screening_row`` and
its summary counts in ``ad_screening_summary``.
"""

from __future__ import annotations

from sqlalchemy import (DDL, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table,
                        Text, event)

from chufei.warehouse.metadata import metadata


def _table(name: str, *parts, **options) -> Table:
    """Define a table once: Airflow's plugin loader may execute this file a second time."""
    return metadata.tables[name] if name in metadata.tables else Table(name, metadata, *parts, **options)


def _clue_columns() -> list[Column]:
    return [
        Column("reported_at", DateTime, nullable=False),  # 上报时间, local (Asia/Shanghai) wall time
        Column("district_code", String(12), nullable=False),  # 区县代码: text, leading zeros kept
        Column("town", Text, nullable=False),  # 乡镇街道
        Column("community", Text),  # 社区村
        Column("grid_code", String(40), nullable=False),  # 网格编码
        Column("worker_id", String(40)),  # 网格员工号
        Column("discovery_method", String(16), nullable=False),  # 发现方式
        Column("subject_name", Text, nullable=False),  # 主体名称
        Column("credit_code", String(18)),  # 统一社会信用代码
        Column("address", Text),  # 地址
        Column("industry", String(32), nullable=False),  # 行业领域
        Column("risk_signs", Text),  # 风险表现, values joined with "、"
        Column("people", Integer),  # 估计涉及人数
        Column("amount_fen", BigInteger),  # 估计金额 in 分
        Column("judgement", String(16), nullable=False),  # 研判结果
        Column("transfer_unit", Text),  # 移交单位
        Column("status", String(16), nullable=False),  # 处置状态
        Column("closed_date", Date),  # 办结日期
    ]


grid_clue_version = _table(
    "grid_clue_version",
    Column("clue_no", String(64), primary_key=True),  # 线索编号
    Column("version", Integer, primary_key=True),
    Column("updated_at", DateTime),  # the platform's change time, when known
    Column("source", String(8), nullable=False),  # api | file
    Column("load_id", String(64), nullable=False),  # sha256 of the file or API page it came in
    Column("row_no", Integer, nullable=False),  # line of the file / position in the page
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    *_clue_columns(),
    Index("ix_grid_clue_version_loaded", "loaded_at"),  # what arrived since the entity register's mark
    # the clues reported in a range of days (the spike alerts' tested periods, the daily counts)
    Index("ix_grid_clue_version_reported", "reported_at", "district_code", "clue_no"))

# Each 区县代码's distinct clues (over all their versions) per 上报日: the history the spike alerts'
# baselines need, kept current from the loads by chufei.warehouse.grid_days instead of counted
# from every version each day; ``grid_clue_day_mark`` holds the latest loaded_at taken in.
grid_clue_day = _table(
    "grid_clue_day",
    Column("district_code", String(12), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("clues", Integer, nullable=False))

grid_clue_day_mark = _table(
    "grid_clue_day_mark",
    Column("name", String(32), primary_key=True),  # loaded_at
    Column("mark", Text, nullable=False))

_CURRENT_VIEW = ("grid_clue_current AS SELECT v.* FROM grid_clue_version v WHERE v.version = "
                 "(SELECT MAX(w.version) FROM grid_clue_version w WHERE w.clue_no = v.clue_no)")
if not metadata.info.get("grid_clue_current_view"):
    metadata.info["grid_clue_current_view"] = True
    event.listen(metadata, "after_create",
                 DDL("CREATE VIEW IF NOT EXISTS " + _CURRENT_VIEW).execute_if(dialect="sqlite"))
    event.listen(metadata, "after_create",
                 DDL("CREATE OR REPLACE VIEW " + _CURRENT_VIEW).execute_if(dialect="postgresql"))

grid_sync_state = _table(
    "grid_sync_state",
    Column("source", String(32), primary_key=True),
    Column("updated_since", Text, nullable=False),  # ISO 8601 with offset, as the API returned it
    Column("records_loaded", BigInteger, nullable=False, default=0),
    Column("synced_at", DateTime(timezone=True), nullable=False))

ad_screening_row = _table(
    "ad_screening_row",
    Column("submission_id", Integer, ForeignKey("submission.id"), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("unit_code", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("screened_date", Date),
    Column("reporting_unit", Text),
    Column("carrier", Text),
    Column("platform", Text),
    Column("publisher", Text),
    Column("credit_code", Text),
    Column("summary", Text),
    Column("keywords", Text),
    Column("licensed", Boolean),
    Column("action", Text),
    Column("action_date", Date))

ad_screening_summary = _table(
    "ad_screening_summary",
    Column("submission_id", Integer, ForeignKey("submission.id"), primary_key=True),
    Column("unit_code", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("staff_deployed", Integer),  # 出动人次
    Column("premises_checked", Integer),  # 检查户数
    Column("items_verified", Integer),  # 核查条数
    Column("online_monitored", Integer),  # 线上监测条次
    Column("items_removed", Integer),  # 清理条数
    Column("clues_transferred", Integer))  # 移送线索数
