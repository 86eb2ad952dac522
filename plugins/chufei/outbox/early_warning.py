"""The early-warning package of a day: ``outbox/early_warning/<YYYY-MM-DD>/v<n>/``.

Forms (each xlsx with its UTF-8-BOM CSV twin, through ``chufei.outbox.reports.write_package``, so
a re-run with the same data writes nothing new and the bytes are reproducible):

- ``warnings``: the warning list (预警名单): 预警编号, the entity, its score and band, its status,
  and its reasons in one cell;
- ``warning_reasons``: one row per warning and contributing indicator — value, points and the
  evidence rows (source, file sha256, row; the ``EVIDENCE_LISTED`` latest and the count where
  there are more);
- ``spike_alerts`` and ``spike_tests``: the district spike alerts of the same day
  (``chufei.statistics.spikes``), when the warehouse has the history they need;
- ``early_warning_summary.json``: the reference data's version, the counts per band and the
  share of 属实 among checked warnings.

Names of natural persons are masked by the scorer; every text cell also passes ``mask_text``.
"""

from __future__ import annotations

import json
import logging
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chufei.core.masking import mask_text
from chufei.core.settings import DataDir, early_warning_config
from chufei.core.sql import driver_rows
from chufei.core.units import units
from chufei.outbox.reports import write_package
from chufei.statistics.early_warning import feedback_summary
from chufei.statistics.forms import FormColumn, StatForm
from chufei.warehouse.entity_schema import entity_event

log = logging.getLogger(__name__)
REPORT = "early_warning"
SOURCE_NAMES = {"grid": "网格线索", "ad_screening": "广告排查", "risk_ledger": "风险监测台账", "case_ledger": "案件台账",
                "admin_action": "行政处置", "report_reward": "举报奖励"}
_WARNING_COLUMNS = [
    FormColumn("预警编号", "预警编号", "text"), FormColumn("主体", "主体编号", "text"),
    FormColumn("主体", "主体名称", "text"), FormColumn("主体", "区县", "text"),
    FormColumn("分值", "分值", "count"), FormColumn("等级", "等级", "text"), FormColumn("状态", "状态", "text"),
    FormColumn("预警日期", "预警日期", "text"), FormColumn("核查日期", "核查日期", "text"),
    FormColumn("预警依据", "预警依据", "text"),
]
_REASON_COLUMNS = [
    FormColumn("预警编号", "预警编号", "text"), FormColumn("主体", "主体名称", "text"),
    FormColumn("指标", "指标", "text"), FormColumn("指标", "指标值", "text"), FormColumn("分值", "分值", "count"),
    FormColumn("依据", "依据(来源 文件 行)", "text"),
]


def _district(code: object) -> str:
    names = {u.code: u.name for u in units()}
    return names.get(code, "全市") if isinstance(code, str) else "全市"


def _text(value: object) -> str:
    return mask_text(str(value)) if value is not None and not (isinstance(value, float) and pd.isna(value)) else ""


def evidence_refs(engine: Engine, ids: set[int]) -> dict[int, str]:
    """Event id → "网格线索 WG1 3f9a2c10b4e1 第2行": where the evidence is, without personal data."""
    refs: dict[int, str] = {}
    ordered = sorted(ids)
    with engine.connect() as connection:
        for start in range(0, len(ordered), 5000):
            rows = driver_rows(connection.execute(  # 250,000 a day at 1M
                select(entity_event.c.id, entity_event.c.source, entity_event.c.source_key,
                       entity_event.c.file_sha256, entity_event.c.row_no)
                .where(entity_event.c.id.in_(ordered[start:start + 5000]))))
            for event_id, source, key, sha, row_no in rows:
                clue = f" {key}" if source == "grid" else ""  # a clue number names no one; other keys may
                refs[event_id] = f"{SOURCE_NAMES.get(source, source)}{clue} {sha[:12]} 第{row_no}行"
    return refs


# The evidence rows printed per indicator: an entity warned for 40 clues would fill a row taller
# than a page (and the day's list hundreds of pages); its page in the UI keeps the whole timeline.
EVIDENCE_LISTED = 10


def listed_evidence(evidence: list[int]) -> list[int]:
    """The evidence rows an indicator's 依据 cell lists: all of them, or the ``EVIDENCE_LISTED``
    latest (a reason's ids are in date order, ``chufei.statistics.early_warning``)."""
    return evidence[-EVIDENCE_LISTED:]


def evidence_text(evidence: list[int], refs: dict[int, str]) -> str:
    """An indicator's 依据: its listed evidence rows, after the count where not all are listed."""
    listed = listed_evidence(evidence)
    text = "；".join(refs.get(i, str(i)) for i in listed)
    return text if len(listed) == len(evidence) else f"共{len(evidence)}条，列最近的{len(listed)}条：{text}"


def reason_text(reasons: list[dict]) -> str:
    return "；".join(f"{r['label']} {r['value']}（{r['points']:+d}分）" for r in reasons)


def warning_forms(engine: Engine, warnings: pd.DataFrame, as_of: date) -> dict[str, StatForm]:
    """The warning list and its reasons as forms (the last row of each is 合计)."""
    version = early_warning_config()["version"]
    label = f"截至{as_of.isoformat()}"
    bands = ", ".join(f"{b['band']} ≥ {b['min']}" for b in early_warning_config()["bands"])
    notes = [f"注：预警依据为截至 {as_of.isoformat()}（含）已知的各来源记录；指标、分值与等级（{bands}）见 "
             f"include/reference/early_warning.json，版本 {version}。各项指标分值之和即预警分值。",
             "状态：待核查、属实、不属实、处置中（由“预警核查反馈”报送）；已核查的主体仅在出现新的记录后再次预警。",
             f"依据：每项指标的记录（来源、文件 sha256 前 12 位、行号），超过 {EVIDENCE_LISTED} 条的列出日期最近的 "
             f"{EVIDENCE_LISTED} 条并注明总数；全部记录见处非统计页面上该主体的时间线。",
             "自然人主体仅显示姓氏。"]
    reasons = warnings["reasons"].map(lambda r: r if isinstance(r, list) else [])
    refs = evidence_refs(engine, {i for rs in reasons for r in rs for i in listed_evidence(r["evidence"])})
    rows, reason_rows = [], []
    for row, row_reasons in zip(warnings.itertuples(index=False), reasons, strict=True):
        rows.append([row.warning_id, row.entity_id, _text(row.name), _district(row.district_code), int(row.score),
                     row.band or "—", row.status, _text(row.raised_on), _text(row.checked_on),
                     _text(reason_text(row_reasons))])
        for reason in row_reasons:
            reason_rows.append([row.warning_id, _text(row.name), reason["label"], _text(reason["value"]),
                                reason["points"], evidence_text(reason["evidence"], refs)])
    total = ["合计", f"{len(rows)}条", "", "", None, "", "", "", "", ""]
    reason_total = ["合计", "", f"{len(reason_rows)}项", "", sum(r[4] for r in reason_rows), ""]
    common = dict(period_label=label, unit_of_measure="分", notes=notes, key_columns=1)
    return {
        "warnings": StatForm(title="监测预警名单", form_no="处非预警表1", sheet="预警名单", columns=_WARNING_COLUMNS,
                             rows=rows + [total], **common),
        "warning_reasons": StatForm(title="监测预警依据明细", form_no="处非预警表1附", sheet="预警依据",
                                    columns=_REASON_COLUMNS, rows=reason_rows + [reason_total], **common),
    }


def spike_forms_of(engine: Engine, as_of: date) -> dict[str, StatForm]:
    """The district spike alerts of the day, as forms of the same package (none without history)."""
    from chufei.outbox.spike_alerts import spike_forms
    from chufei.statistics.spikes import spike_alerts

    report = spike_alerts(engine, as_of)
    return spike_forms(report) if report.tests else {}


def build_early_warning_package(engine: Engine, data: DataDir, as_of: date, warnings: pd.DataFrame,
                                sources: list[str]) -> dict:
    """Write the day's package (see the module docstring); returns its manifest plus ``folder``."""
    forms = {**warning_forms(engine, warnings, as_of), **spike_forms_of(engine, as_of)}
    summary = feedback_summary(engine)
    bands = warnings["band"].value_counts().to_dict() if not warnings.empty else {}
    share = summary["true_share_percent"]
    attachment = {
        "as_of": as_of.isoformat(), "config_version": early_warning_config()["version"],
        "warnings": len(warnings), "bands": {b["band"]: int(bands.get(b["band"], 0))
                                              for b in early_warning_config()["bands"]},
        "checked": summary["checked"], "true": summary["属实"], "false": summary["不属实"],
        "in_hand": summary["处置中"], "true_share_percent": None if share is None else str(share),
        "true_share_note": "尚无核查反馈" if share is None else "属实 ÷ 已核查预警"}
    body = (json.dumps(attachment, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return write_package(data.outbox / REPORT / as_of.isoformat(), REPORT, as_of.isoformat(), forms, sources,
                         attachments={"early_warning_summary.json": body}, issued=as_of.isoformat())


def run_day(engine: Engine, data: DataDir, as_of: date) -> dict:
    """The daily run after the register's update: feedback applied, warnings raised or updated, the
    day's package written. Returns a summary for the task's XCom (counts, folder; no names)."""
    from chufei.core.sql import run_sql
    from chufei.statistics.early_warning import refresh_warnings, unknown_feedback_ids

    warnings = refresh_warnings(engine, as_of)
    unknown = unknown_feedback_ids(engine)
    if unknown:  # the unit's receipt accepted the row (the id's form is right); the office should know
        log.warning("预警核查反馈中有 %d 个预警编号不在预警记录中：%s", len(unknown), "、".join(unknown[:20]))
    with engine.connect() as connection:
        sources = list(run_sql(connection, "entity_files_as_of", as_of=as_of).scalars())
    manifest = build_early_warning_package(engine, data, as_of, warnings, sources)
    bands = warnings["band"].value_counts().to_dict() if not warnings.empty else {}
    return {"as_of": as_of.isoformat(), "warnings": len(warnings),
            "bands": {band: int(count) for band, count in sorted(bands.items())},
            "folder": manifest.get("folder"), "version": manifest.get("version"), "note": manifest.get("note"),
            "unknown_feedback": unknown}
