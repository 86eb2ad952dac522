"""网格线索上报 (grid-worker clue reports): the columns of the grid platform's exports and API.

Clues arrive continuously, as CSV/XLSX exports in ``inbox/grid_reports/`` or as JSON pages from
the platform's API (docs/grid_api.md); both carry the fields below. The GX suite is
``include/expectations/grid_report.json``; the rules GX cannot express run vectorised over Arrow
batches (``chufei.validate.grid_rules``), because a grid export can be far larger
than a unit's workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

from chufei.kinds.spec import Kind

DATASET = "grid_report"
TITLE = "网格线索上报"
SOURCE = "grid_reports"  # the inbox folder


@dataclass(frozen=True)
class GridField:
    name: str  # warehouse column
    label: str  # export column header
    kind: str  # text | code | timestamp | date | count | amount_wan | multi | int
    api_key: str  # JSON field in the platform API (docs/grid_api.md)
    required_header: bool = False


FIELDS: tuple[GridField, ...] = (
    GridField("clue_no", "线索编号", "code", "clue_id", True),
    GridField("reported_at", "上报时间", "timestamp", "reported_at", True),
    GridField("district_code", "区县代码", "code", "district_code", True),
    GridField("town", "乡镇街道", "text", "town", True),
    GridField("community", "社区村", "text", "community"),
    GridField("grid_code", "网格编码", "code", "grid_code", True),
    GridField("worker_id", "网格员工号", "code", "worker_id"),
    GridField("discovery_method", "发现方式", "text", "discovery_method", True),
    GridField("subject_name", "主体名称", "text", "subject_name", True),
    GridField("credit_code", "统一社会信用代码", "code", "credit_code"),
    GridField("address", "地址", "text", "address"),
    GridField("industry", "行业领域", "text", "industry", True),
    GridField("risk_signs", "风险表现", "multi", "risk_signs"),
    GridField("people", "估计涉及人数", "count", "estimated_people"),
    GridField("amount_fen", "估计金额(万元)", "amount_wan", "estimated_amount_wan"),
    GridField("judgement", "研判结果", "text", "judgement", True),
    GridField("transfer_unit", "移交单位", "text", "transfer_unit"),
    GridField("status", "处置状态", "text", "status", True),
    GridField("closed_date", "办结日期", "date", "closed_date"),
    GridField("version", "版本号", "int", "version"),
    GridField("updated_at", "更新时间", "timestamp", "updated_at"),
)
BY_NAME = {f.name: f for f in FIELDS}
CLUE_COLUMNS = [f.name for f in FIELDS if f.name not in ("version", "updated_at")]

# No template: the platform writes the exports. No period: clues arrive continuously.
KIND = Kind(name=DATASET, title=TITLE, inbox=SOURCE, period_kind=None, suite="grid_report.json", fields=FIELDS)
