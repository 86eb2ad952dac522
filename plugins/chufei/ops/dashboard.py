"""What the 处非统计 page shows, read from the warehouse and the outbox (no Airflow needed).

- completeness: the latest ``submission_status`` matrix written by ``submission_watch``;
- figures: the case statistics of the latest reported month, its quarter and its year, and the
  work plan's targets — 陈案化解率 ≥ 50% (task 十二), ≥ 3 风险提示 per territorial unit a year
  (task 十一), 2018年底前陈案兑付清零 (task 十四); each target says "no data" when its dataset is empty;
- quality: rows accepted / rejected per unit and dataset, and the latest rejected rows (where and
  why, masked; never the row's values);
- work-plan progress: each of the plan's 26 tasks, its city-wide status and how many responsible
  units stand at each status, as of the chosen 截至 day or the latest reported month's end
  (``chufei.statistics.work_plan``);
- early warning (预警): the latest warning of each entity (band, status, score) and the share of 属实
  among checked warnings; a page per entity (``entity_page``) with its reasons and its timeline;
- packages: every folder of the outbox with its files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection, Engine

from chufei.core.masking import mask_text
from chufei.outbox.office_reports import WARNING_TARGET as WARNINGS_TARGET
from chufei.statistics.old_cases import DECLINE_TARGET_PERCENT as OLD_CASE_TARGET
from chufei.statistics.old_cases import PAYOUT_CUTOFF
from chufei.core.periods import Period, parse_period, quarter_period, year_period
from chufei.core.units import units
from chufei.core.sql import as_date, run_sql


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Target:
    title: str
    goal: str
    value: str | None  # None = no data
    met: bool | None
    detail: str = ""


@dataclass
class Dashboard:
    as_of: date | None = None
    matrix_columns: list[tuple[str, str, str]] = field(default_factory=list)  # dataset, period, due
    matrix: list[dict] = field(default_factory=list)  # unit rows
    status_counts: dict[str, int] = field(default_factory=dict)
    month: Period | None = None
    figures: list[dict] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    quality: list[dict] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)
    packages: list[dict] = field(default_factory=list)
    charts: list = field(default_factory=list)  # chufei.ops.charts.Chart
    warning_counts: dict[str, int] = field(default_factory=dict)  # territorial unit code → 风险提示 this year
    progress: list[dict] = field(default_factory=list)  # one row per work-plan task
    progress_as_of: date | None = None  # the last day the progress is judged at
    warnings: list[dict] = field(default_factory=list)  # the latest warning of each entity, 红 first
    warning_feedback: dict = field(default_factory=dict)  # chufei.statistics.early_warning.feedback_summary


def _has(connection: Connection, table: str) -> bool:
    return inspect(connection).has_table(table)


def completeness_matrix(connection: Connection, dash: Dashboard, max_columns: int = 12,
                        as_of: date | None = None) -> None:
    """The matrix submission_watch stored last, or, for a chosen 截至 day, computed for that day."""
    from chufei.ops.watch import STATUS_LABELS, completeness, submission_status

    if as_of is not None:
        rows = [{"unit_code": r.item.unit_code, "dataset": r.item.dataset, "period_key": r.item.period_key,
                 "due_date": r.item.due_date, "status": r.status, "as_of": as_of}
                for r in completeness(connection, as_of)]
    elif not _has(connection, "submission_status"):
        return
    else:
        rows = connection.execute(select(submission_status)).mappings().all()
    if not rows:
        dash.as_of = as_of
        return
    dash.as_of = max(r["as_of"] for r in rows)
    columns = sorted({(r["dataset"], r["period_key"], r["due_date"]) for r in rows}, key=lambda c: (c[2], c[0], c[1]))
    columns = columns[-max_columns:]  # the latest due items; the xlsx has them all
    dash.matrix_columns = [(d, p, due.isoformat()) for d, p, due in columns]
    by_key = {(r["unit_code"], r["dataset"], r["period_key"]): r["status"] for r in rows}
    for status in STATUS_LABELS:
        dash.status_counts[status] = sum(1 for r in rows if r["status"] == status)
    for unit in units():
        cells = [by_key.get((unit.code, d, p)) for d, p, _ in columns]
        totals = {s: sum(1 for (u, _, _), v in by_key.items() if u == unit.code and v == s) for s in STATUS_LABELS}
        dash.matrix.append({"code": unit.code, "name": unit.name, "cells": cells, **totals})


def _latest_month(connection: Connection) -> Period | None:
    from chufei.warehouse.schema import submission

    keys = connection.execute(select(submission.c.period_key).where(
        submission.c.dataset == "case_ledger", submission.c.is_current.is_(True)).distinct()).scalars().all()
    periods = [p for p in (_try_parse(k) for k in keys) if p is not None and p.kind == "month"]
    return max(periods) if periods else None


def _try_parse(key: str) -> Period | None:
    try:
        return parse_period(key)
    except ValueError:
        return None


def latest_figures(connection: Connection, dash: Dashboard) -> None:
    from chufei.statistics.cases import CASE_FIGURES, case_statistics

    month = _latest_month(connection)
    dash.month = month
    if month is None:
        return
    for period in (month, quarter_period(month.year, (month.start.month - 1) // 3 + 1), year_period(month.year)):
        figures = case_statistics(connection, period)
        values = {}
        for figure in CASE_FIGURES:
            value = figures.value(figures.current, lambda group: True, figure.key)
            values[figure.label] = (f"{Decimal(value) / 1_000_000:,.2f} 万元" if figure.money
                                    else f"{value:,} {figure.unit}")
        complete = period.end <= month.end
        dash.figures.append({"label": period.label + ("" if complete else "（截至" + month.label + "）"),
                             "key": period.key, "values": values})


def _repeated_old_cases(connection: Connection, year_start: date, period_end: date) -> dict[str, int]:
    """What copies of cases several units report add to the city's old-case figures beyond the
    lead copy: the page counts each case once, as the forms' 合计 do."""
    from chufei.statistics.old_cases import repeated_old_cases
    from chufei.warehouse.case_duplicates import duplicate_cases

    repeats = [copy for duplicate in duplicate_cases(connection) for copy in duplicate.repeats]
    return repeated_old_cases(repeats, year_start, period_end)


def targets(connection: Connection, dash: Dashboard) -> None:
    year = dash.month.year if dash.month else None
    # 陈案化解 −50% (task 十二)
    if year is None:
        dash.targets.append(Target("陈案处置下降50%", "陈案化解率 ≥ 50%", None, None, "暂无案件台账数据"))
    else:
        row = run_sql(connection, "dashboard_old_cases", year_start=date(year, 1, 1),
                      range_end=dash.month.end).mappings().one()
        repeated = _repeated_old_cases(connection, date(year, 1, 1), dash.month.end)
        stock = int(row["stock"] or 0) - repeated["stock"]
        resolved = int(row["resolved"] or 0) - repeated["resolved"]
        rate = percent(resolved, stock)
        dash.targets.append(Target(
            "陈案处置下降50%", "陈案化解率 ≥ 50%", None if rate is None else f"{rate}%",
            None if rate is None else rate >= OLD_CASE_TARGET,
            f"年初陈案存量 {stock} 件，截至{dash.month.label}化解 {resolved} 件" if stock else "年初无陈案存量数据"))
    # ≥3 risk warnings per territorial unit (task 十一)
    territorial = [u for u in units() if u.kind == "territorial"]
    counts = {}
    if year is not None and _has(connection, "risk_warning_row"):
        # counted as the 风险提示 form counts them: by 发布日期, each warning once
        for row in run_sql(connection, "risk_warning_rows", range_start=date(year, 1, 1),
                           range_end=date(year + 1, 1, 1)).mappings():
            counts[row["unit_code"]] = counts.get(row["unit_code"], 0) + 1
    dash.warning_counts = counts
    if not counts:
        dash.targets.append(Target("风险提示每区全年3次以上", f"每个区 ≥ {WARNINGS_TARGET} 次", None, None,
                                   "暂无风险提示数据"))
    else:
        short = [u.name for u in territorial if counts.get(u.code, 0) < WARNINGS_TARGET]
        detail = "；".join(f"{u.name} {counts.get(u.code, 0)} 次" for u in territorial)
        dash.targets.append(Target("风险提示每区全年3次以上", f"每个区 ≥ {WARNINGS_TARGET} 次",
                                   f"{len(territorial) - len(short)}/{len(territorial)} 个区达标", not short, detail))
    # pre-2018 payouts cleared (task 十四)
    row = run_sql(connection, "dashboard_pre2019_payouts", cutoff=PAYOUT_CUTOFF).mappings().one()
    repeated = _repeated_old_cases(connection, PAYOUT_CUTOFF, PAYOUT_CUTOFF)  # payouts do not depend on the year
    cases = int(row["cases"] or 0) - repeated["payout_cases"]
    unpaid = int(row["unpaid_principal_fen"] or 0) - repeated["unpaid_fen"]
    repaid = int(row["repaid_fen"] or 0) - repeated["repaid_fen"]
    rate = percent(repaid, unpaid)
    dash.targets.append(Target(
        "2018年底前陈案兑付清零", "清退率 = 已清退金额 ÷ 核实未兑付本金 = 100%",
        None if rate is None else f"{rate}%", None if rate is None else repaid >= unpaid,
        f"{cases} 件案件，已清退 {Decimal(repaid) / 1_000_000:,.2f} 万元 / 核实未兑付本金 "
        f"{Decimal(unpaid) / 1_000_000:,.2f} 万元" if unpaid else "暂无2018年底前案件的未兑付本金数据"))


def trend_charts(connection: Connection, dash: Dashboard) -> None:
    """新发案件数 and 涉案金额 by month, the latest reported year against the one before; 风险提示
    per district this year against the work plan's target."""
    from chufei.ops.charts import Chart, Series, layout

    if dash.month is None:
        return
    year = dash.month.year
    by_month: dict[date, dict] = {}
    for row in run_sql(connection, "dashboard_month_trend", range_start=date(year - 1, 1, 1),
                       range_end=date(year + 1, 1, 1)).mappings():
        start = row["month_start"]
        start = date.fromisoformat(start[:10]) if isinstance(start, str) else start
        by_month[start] = row
    months = [f"{m}月" for m in range(1, 13)]

    def series(key: str, y: int, scale=None) -> list:  # noqa: ANN001
        values = []
        for m in range(1, 13):
            row = by_month.get(date(y, m, 1))
            values.append(None if row is None else (scale(int(row[key])) if scale else int(row[key])))
        return values

    wan = lambda fen: (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), ROUND_HALF_UP)  # noqa: E731
    dash.charts.append(layout(Chart("trend_new_cases", f"新发案件数（件）：{year}年与{year - 1}年逐月对比", "件", months,
                                    [Series(f"{year}年", series("new_cases", year), "this"),
                                     Series(f"{year - 1}年", series("new_cases", year - 1), "last")])))
    dash.charts.append(layout(Chart("trend_amount", f"涉案金额（万元）：{year}年与{year - 1}年逐月对比", "万元", months,
                                    [Series(f"{year}年", series("amount_fen", year, wan), "this"),
                                     Series(f"{year - 1}年", series("amount_fen", year - 1, wan), "last")])))
    territorial = [u for u in units() if u.kind == "territorial"]
    counts = dash.warning_counts
    dash.charts.append(layout(Chart(
        "warnings_by_district", f"{year}年风险提示次数（各区，目标每区 ≥ {WARNINGS_TARGET} 次）", "次",
        [u.name for u in territorial],
        [Series("风险提示", [counts.get(u.code, 0) if counts else None for u in territorial], "this")],
        kind="bar", target=WARNINGS_TARGET)))


def reason_text(reasons: list[dict]) -> str:
    """A rejected row's reasons in one line, each naming its column once ("排查日期 不是日期")."""
    parts = []
    for reason in reasons:
        column, message = (reason.get("column") or "").strip(), (reason.get("message") or "").strip()
        parts.append(message if not column or message.startswith(column) else f"{column} {message}")
    return "；".join(dict.fromkeys(p for p in parts if p))


def quality(connection: Connection, dash: Dashboard, max_rejections: int = 5) -> None:
    from chufei.kinds.registry import DATASETS

    names = {u.code: u.name for u in units()}
    for row in run_sql(connection, "dashboard_quality").mappings():
        total, accepted = int(row["rows_total"] or 0), int(row["rows_accepted"] or 0)
        dash.quality.append({
            "unit": names.get(row["unit_code"], row["unit_code"] or "（未识别）"),
            "dataset": DATASETS[row["dataset"]].title if row["dataset"] in DATASETS else row["dataset"],
            "files": int(row["files"]), "rows_total": total, "rows_accepted": accepted,
            "rows_rejected": int(row["rows_rejected"] or 0), "pass_rate": percent(accepted, total)})
    for row in run_sql(connection, "dashboard_latest_rejections", max_rows=max_rejections).mappings():
        text = reason_text(json.loads(row["reasons_json"] or "[]"))
        dash.rejections.append({
            "unit": names.get(row["unit_code"], row["unit_code"] or "（未识别）"),
            "dataset": DATASETS[row["dataset"]].title if row["dataset"] in DATASETS else row["dataset"],
            "file": mask_text(row["original_name"]), "receipt": row["file_sha256"][:12],
            "sheet": row["sheet"], "row": row["row_no"],
            "reasons": mask_text(text)})


def packages(outbox: Path) -> list[dict]:
    """Every package (outbox/<report>/<period>/, its latest version) with its files, newest period first."""
    from chufei.outbox.reports import latest_version

    result = []
    if not outbox.is_dir():
        return result
    for report in sorted(p for p in outbox.iterdir() if p.is_dir()):
        for period in sorted((p for p in report.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True):
            folder = latest_version(period) or period
            files = sorted(f.name for f in folder.iterdir() if f.is_file() and not f.name.endswith(".tmp"))
            if files:
                result.append({"report": report.name, "period": period.name, "files": files,
                               "version": folder.name if folder != period else ""})
    return result


def build(engine: Engine, outbox: Path, as_of: date | None = None) -> Dashboard:
    from chufei.ops.watch import ensure_watch_schema

    ensure_watch_schema(engine)
    dash = Dashboard()
    with engine.connect() as connection:
        completeness_matrix(connection, dash, as_of=as_of)
        latest_figures(connection, dash)
        targets(connection, dash)
        trend_charts(connection, dash)
        quality(connection, dash)
    work_plan_progress(engine, dash, as_of)
    early_warnings(engine, dash)
    dash.packages = packages(outbox)
    return dash


_BAND_ORDER = {"红": 0, "橙": 1, "黄": 2, "蓝": 3}
WARNINGS_SHOWN = 200


def _entity_name(name: str, natural_person: bool) -> str:
    from chufei.core.masking import mask_name

    return mask_name(name) if natural_person else mask_text(name)


def early_warnings(engine: Engine, dash: Dashboard, limit: int = WARNINGS_SHOWN) -> None:
    """The latest warning of each entity still in a band or checked, 红 first (at most ``limit``)."""
    from chufei.statistics.early_warning import OPEN, feedback_summary

    with engine.connect() as connection:
        rows = [dict(r) for r in run_sql(connection, "dashboard_warnings").mappings()]
    names = {u.code: u.name for u in units()}
    shown = [r for r in rows if r["band"] or r["status"] != OPEN]
    shown.sort(key=lambda r: (_BAND_ORDER.get(r["band"], 9), -r["score"], r["warning_id"]))
    dash.warnings = [{"warning_id": r["warning_id"], "entity_id": r["entity_id"],
                      "name": _entity_name(r["name"], r["natural_person"]),
                      "district": names.get(r["district_code"], "全市"), "score": r["score"], "band": r["band"] or "—",
                      "status": r["status"], "raised_on": as_date(r["raised_on"]), "scored_on": as_date(r["scored_on"]),
                      "checked_on": as_date(r["checked_on"])} for r in shown[:limit]]
    dash.warning_feedback = feedback_summary(engine) | {"listed": len(shown)}


def entity_page(engine: Engine, entity_id: str) -> dict | None:
    """One entity: its warnings, the reasons of its latest score and its timeline (every event with
    its file, receipt and row), names of natural persons masked; None for an unknown id."""
    from chufei.outbox.early_warning import SOURCE_NAMES
    from chufei.statistics.early_warning import score_entities
    from chufei.warehouse.entity_schema import entity, entity_warning

    with engine.connect() as connection:
        found = connection.execute(select(entity).where(entity.c.entity_id == entity_id)).mappings().first()
        if found is None:
            return None
        warnings = [dict(r) for r in connection.execute(
            select(entity_warning).where(entity_warning.c.entity_id == entity_id)
            .order_by(entity_warning.c.seq)).mappings()]
        events = [dict(r) for r in run_sql(connection, "entity_timeline", entity_id=entity_id).mappings()]
    person = bool(found["natural_person"])
    names = {u.code: u.name for u in units()}
    last_day = max((as_date(e["event_date"]) for e in events), default=None)
    as_of = max([as_date(w["scored_on"]) for w in warnings] + ([last_day] if last_day else []), default=None)
    scored = score_entities(engine, as_of, entity_id=entity_id) if as_of else None
    reasons = scored.iloc[0]["reasons"] if scored is not None and not scored.empty else []
    score = int(scored.iloc[0]["score"]) if scored is not None and not scored.empty else None
    timeline = []
    for e in events:
        details = [part for part in (
            f"网格 {e['grid_code']}" if e["grid_code"] else "", f"风险表现 {e['signs']}" if e["signs"] else "",
            f"广告关键词 {e['advert_hits']}" if e["advert_hits"] else "",
            "未持牌" if e["licensed"] is not None and not e["licensed"] else "",
            f"风险等级 {e['risk_level']}" if e["risk_level"] else "", e["action_type"] or "") if part]
        timeline.append({"id": e["id"], "date": as_date(e["event_date"]), "source": SOURCE_NAMES.get(e["source"], e["source"]),
                         "district": names.get(e["district_code"], "全市"),
                         "name": _entity_name(e["subject_name"], person),
                         "clue": e["source_key"] if e["source"] == "grid" else "",
                         "details": "；".join(details), "file": mask_text(e["original_name"] or ""),
                         "receipt": e["file_sha256"][:12], "row": e["row_no"]})
    return {"entity_id": entity_id, "name": _entity_name(found["name"], person),
            "district": names.get(found["district_code"], "全市"),
            "credit_code": None if person else found["credit_code"], "natural_person": person,
            "warnings": [{**w, "raised_on": as_date(w["raised_on"]), "checked_on": as_date(w["checked_on"])}
                         for w in warnings],
            "as_of": as_of, "score": score, "reasons": reasons, "timeline": timeline}


def work_plan_progress(engine: Engine, dash: Dashboard, as_of: date | None = None) -> None:
    """The tasks' progress at the end of ``as_of`` (the page's 截至 day), else of the latest reported month."""
    from datetime import timedelta

    from chufei.outbox.work_plan_reports import basis, city_evidence, deadlines
    from chufei.statistics.work_plan import STATUSES
    from chufei.statistics.work_plan import work_plan_progress as progress_of

    end = as_of + timedelta(days=1) if as_of is not None else (dash.month.end if dash.month else None)
    if end is None:
        return
    progress, _ = progress_of(engine, end)
    if not progress:
        return
    dash.progress_as_of = end - timedelta(days=1)
    dash.progress = [{"no": p.rule.cn, "title": p.rule.title, "deadlines": deadlines(p).replace("\n", "、"),
                      "basis": basis(p), "status": p.status, "units": len(p.units),
                      "counts": [p.counts.get(status, 0) for status in STATUSES], "evidence": mask_text(city_evidence(p))}
                     for p in progress]


def figure_sources(engine: Engine, period_key: str) -> tuple[Period, list[dict]]:
    """The submissions a period's case figures came from (this period, its year so far, last year's
    and, for a month, the month before: every span the form shows), with unit, file and receipt."""
    from chufei.kinds.registry import DATASETS
    from chufei.statistics.cases import case_sources
    from chufei.warehouse.schema import received_file, submission

    period = parse_period(period_key)
    names = {u.code: u.name for u in units()}
    with engine.connect() as connection:
        shas = case_sources(connection, period)
        rows = connection.execute(
            select(submission.c.file_sha256, submission.c.dataset, submission.c.unit_code, submission.c.period_key,
                   submission.c.version, submission.c.is_current, received_file.c.received_at,
                   received_file.c.original_name)
            .join(received_file, received_file.c.sha256 == submission.c.file_sha256)
            .where(submission.c.file_sha256.in_(shas))
            .order_by(submission.c.period_key.desc(), submission.c.unit_code, submission.c.dataset)).mappings().all() \
            if shas else []
    return period, [{
        "unit": names.get(r["unit_code"], r["unit_code"]), "dataset": DATASETS[r["dataset"]].title
        if r["dataset"] in DATASETS else r["dataset"], "period": r["period_key"], "version": r["version"],
        "current": r["is_current"], "file": mask_text(r["original_name"]), "receipt": r["file_sha256"][:12],
        "received_at": _beijing(r["received_at"])} for r in rows]


def _beijing(moment) -> str:  # noqa: ANN001
    """A stored arrival time as the receipts give it: Beijing time (SQLite hands back naive UTC)."""
    from datetime import UTC

    from chufei.core.periods import TZ

    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _plain_names(*parts: str) -> bool:
    """NUL (%00) and other control characters name no file; the OS would raise on them."""
    return all(part and part.isprintable() for part in parts)


def package_zip(outbox: Path, report: str, period: str) -> tuple[str, bytes] | None:
    """The period's latest version as one zip, manifest inside (the bytes the province receives)."""
    from chufei.delivery.provincial import Package
    from chufei.delivery.provincial import package_zip as zip_of
    from chufei.outbox.reports import latest_version

    if not _plain_names(report, period):
        return None
    try:
        root = outbox.resolve()
        period_folder = (root / report / period).resolve()
        if period_folder.parent.parent != root or not period_folder.is_dir():
            return None
    except (OSError, ValueError):  # a name too long, or one the file system cannot hold: no such package
        return None
    folder = latest_version(period_folder)
    if folder is None or not (folder / "manifest.json").is_file():
        return None
    return f"{report}_{period}_{folder.name}.zip", zip_of(Package(report, period, folder.name, folder))


def package_file(outbox: Path, report: str, period: str, name: str) -> Path | None:
    """The file a download link names (in the period's latest version), only if it lies inside the outbox."""
    from chufei.outbox.reports import latest_version

    if not _plain_names(report, period, name):
        return None
    try:
        root = outbox.resolve()
        period_folder = (root / report / period).resolve()
        if period_folder.parent.parent != root or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = ((latest_version(period_folder) or period_folder) / name).resolve()
        if not path.is_file() or root not in path.parents:
            return None
    except (OSError, ValueError):  # a name too long, or one the file system cannot hold: no such file
        return None
    return path
