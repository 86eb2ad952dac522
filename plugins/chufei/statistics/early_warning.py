"""Explained per-entity warnings (监测预警) over the entity register (``chufei.warehouse.entities``).

The API (the daily DAG, the page and the backtest call these):

``score_entities(engine, as_of: date, entity_id=None, *, explain_banded=True, explain=()) -> pandas.DataFrame``
    One row per entity with at least one event dated on or before ``as_of`` — only what was known
    that day, so a day-by-day replay of the history is possible (call ``update_register`` first;
    the register itself holds the whole history). Columns: ``entity_id``, ``name`` (masked for a
    natural person), ``district_code``, ``score`` (int), ``band`` (红/橙/黄/蓝 or None),
    ``config_version``, ``as_of``, ``evidence_count`` (the entity's events so far), ``reasons``
    (a list of dicts ``indicator``, ``label``, ``value``, ``points``, ``evidence`` = ids of
    ``entity_event`` rows, listed for the entities in a band, for ``entity_id`` and for those in
    ``explain``; empty for the others), sorted by score (highest first), then entity id. The
    points of the reasons add up to the score, always.
``indicator_values(engine, as_of, entity_id=None) -> DataFrame``
    The raw indicator values per entity (one column per indicator key), the same inputs
    ``score_entities`` weighs: a baseline index can weigh them differently. They are counted in
    the database, one row per entity; ``score_entities`` also leaves that frame in
    ``scores.attrs["indicator_values"]``, so a replay reads each day once.
``reasons_frame(scores) -> DataFrame``
    The reasons in long form: one row per entity and contributing indicator.
``refresh_warnings(engine, as_of) -> DataFrame``
    Applies the 预警核查反馈 received, then raises, updates or keeps warnings in ``entity_warning``;
    returns the warning list of the day (open and checked warnings with their status).
``feedback_summary(engine) -> dict``
    How many warnings were checked and the share of 属实 among them (None when none was checked).

Indicators, points, caps and bands are ``include/reference/early_warning.json``; its ``version``
is in every score. Each indicator scores ``per`` points per unit of its value above ``free``,
at most ``max``; the risk-ledger level scores by value; growth scores ``points`` when the last
``days`` days hold at least ``min_recent`` events and ``ratio`` times as many as the ``days``
before. The caps add up to at most 100, so a score never needs clipping and its reasons always
add up to it. A case (案件台账) is what warnings try to foresee: its events are on the timeline but
score nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Engine

from chufei.core.masking import mask_name
from chufei.core.settings import early_warning_config
from chufei.core.sql import as_date, driver_rows, run_sql
from chufei.warehouse.bulk import insert_rows
from chufei.warehouse.entity_schema import (entity, entity_event, entity_score_mark, entity_score_state, entity_touched,
                                             entity_warning)
from chufei.warehouse.upgrade import ensure_schema

OPEN = "待核查"
RESULTS = ("属实", "不属实", "处置中")
SCORED_SOURCES = ("grid", "ad_screening", "risk_ledger", "admin_action", "report_reward")


def config() -> dict:
    """The reference data, checked: caps add up to at most 100, bands from high to low."""
    settings = early_warning_config()
    total = sum(indicator["max"] for indicator in settings["indicators"])
    if total > 100:
        raise ValueError(f"early_warning.json: the indicators' caps add up to {total}, more than 100")
    return settings


def band_of(score: int, bands: list[dict]) -> str | None:
    for band in sorted(bands, key=lambda b: -b["min"]):
        if score >= band["min"]:
            return band["band"]
    return None


def _frame(result, dtype: object = None) -> pd.DataFrame:  # noqa: ANN001 - a CursorResult
    """A result's rows as a frame, fetched from the driver's cursor: a row per entity is many rows,
    and these columns (counts, ids, codes, plain text) need none of SQLAlchemy's row processing.
    ``dtype=object`` keeps the driver's values as they are (None stays None)."""
    columns = list(result.keys())
    return pd.DataFrame(driver_rows(result), columns=columns, dtype=dtype)


def _windows(as_of: date) -> dict:
    growth = next(i for i in config()["indicators"] if i["key"] == "growth_90d")
    days = timedelta(days=growth["days"])
    return {"as_of": as_of, "recent_from": as_of - days, "previous_from": as_of - 2 * days}


def _events_of(engine: Engine, as_of: date, entity_ids: list[str]) -> pd.DataFrame:
    """The events of ``entity_ids`` dated on or before ``as_of`` (their evidence)."""
    if not entity_ids:
        return pd.DataFrame(columns=_EVENT_COLUMNS)
    with engine.connect() as connection:
        if len(entity_ids) == 1:
            events = _frame(run_sql(connection, "entity_events_of_entity", as_of=as_of, entity_id=entity_ids[0]))
        else:
            parts = []
            for start in range(0, len(entity_ids), 5000):  # bounded IN lists, each through the entity index
                parts.append(_frame(connection.execute(
                    select(*(entity_event.c[c] for c in _EVENT_COLUMNS))
                    .where(entity_event.c.entity_id.in_(entity_ids[start:start + 5000]),
                           entity_event.c.event_date <= as_of))))
            events = pd.concat(parts, ignore_index=True)
    events["event_date"] = pd.to_datetime(events["event_date"]).dt.date if not events.empty else events["event_date"]
    return events


_EVENT_COLUMNS = ["id", "entity_id", "source", "event_date", "district_code", "grid_code", "signs", "advert_hits",
                  "licensed", "risk_level", "action_type"]


def _ids(frame: pd.DataFrame) -> pd.Series:
    """Each entity's event ids in the frame's order: by date, then id (``_from_events`` sorts), so
    that the latest evidence is at the end of each list (the package lists the latest ten)."""
    return frame.groupby("entity_id")["id"].agg(lambda ids: [int(i) for i in ids])


def _exploded(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    columns = ["entity_id", column] + (["id"] if "id" in frame else [])
    values = frame[columns].dropna(subset=[column])
    values = values.assign(**{column: values[column].str.split("、")}).explode(column)
    return values[values[column].astype(bool)]


def _from_events(events: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """The indicator values and their evidence (event ids per entity, per indicator) worked out
    from the events themselves: for the few entities whose reasons are shown."""
    events = events.sort_values(["event_date", "id"], kind="stable")  # the evidence lists' order (``_ids``)
    entity_ids = pd.Index(sorted(events["entity_id"].unique()), name="entity_id")
    values = pd.DataFrame(index=entity_ids)
    evidence: dict[str, pd.Series] = {}
    scored = events[events["source"].isin(SCORED_SOURCES)]

    def put(key: str, value: pd.Series, ids: pd.Series) -> None:
        values[key] = value.reindex(entity_ids)
        evidence[key] = ids.reindex(entity_ids)

    grid = scored[scored["source"] == "grid"]
    put("grid_clues", grid.groupby("entity_id").size(), _ids(grid))
    put("reporting_grids", grid.dropna(subset=["grid_code"]).groupby("entity_id")["grid_code"].nunique(), _ids(grid))
    signs = _exploded(scored, "signs")
    put("risk_signs", signs.groupby("entity_id")["signs"].nunique(), _ids(signs.drop_duplicates(["entity_id", "id"])))
    adverts = scored[scored["source"] == "ad_screening"]
    phrases = _exploded(adverts, "advert_hits")
    put("advert_phrases", phrases.groupby("entity_id")["advert_hits"].nunique(),
        _ids(phrases.drop_duplicates(["entity_id", "id"])))
    unlicensed = adverts[adverts["licensed"].astype("boolean").eq(False).fillna(False).astype(bool)]
    put("unlicensed", unlicensed.groupby("entity_id").size(), _ids(unlicensed))
    actions = scored[scored["source"] == "admin_action"]
    put("admin_actions", actions.groupby("entity_id").size(), _ids(actions))
    latest = _latest_levels(scored[(scored["source"] == "risk_ledger") & scored["risk_level"].notna()])
    put("risk_ledger_level", latest["risk_level"], latest["id"].map(lambda i: [int(i)]))
    reports = scored[scored["source"] == "report_reward"]
    put("report_clues", reports.groupby("entity_id").size(), _ids(reports))
    placed = events.dropna(subset=["district_code"])
    put("districts", placed.groupby("entity_id")["district_code"].nunique(), _ids(placed))
    windows = _windows(as_of)
    recent = scored[scored["event_date"] > windows["recent_from"]]
    before = scored[(scored["event_date"] <= windows["recent_from"]) & (scored["event_date"] > windows["previous_from"])]
    put("growth_90d", recent.groupby("entity_id").size(), _ids(recent))
    values["growth_previous"] = before.groupby("entity_id").size().reindex(entity_ids)
    values["evidence_count"] = events.groupby("entity_id").size().reindex(entity_ids)
    return _typed(values), evidence


def _evidence(engine: Engine, as_of: date, entity_ids: list[str]) -> dict[str, dict[str, list[int]]]:
    """Indicator → entity → the ids of its evidence, worked out a bounded number of entities at a
    time (their events are read, then let go)."""
    evidence: dict[str, dict[str, list[int]]] = {}
    for start in range(0, len(entity_ids), _EVIDENCE_BATCH):
        part = _from_events(_events_of(engine, as_of, entity_ids[start:start + _EVIDENCE_BATCH]), as_of)[1]
        for key, ids in part.items():
            evidence.setdefault(key, {}).update(ids.dropna().to_dict())
    return evidence


_EVIDENCE_BATCH = 20_000


def _latest_levels(ledger: pd.DataFrame) -> pd.DataFrame:
    """Each entity's latest 风险监测台账 level (by date, then event id), indexed by entity."""
    return ledger.sort_values(["event_date", "id"]).groupby("entity_id").tail(1).set_index("entity_id")


def _typed(values: pd.DataFrame) -> pd.DataFrame:
    counts = [c for c in values.columns if c != "risk_ledger_level"]
    values[counts] = values[counts].fillna(0).astype(int)
    return values


_VALUE_COLUMNS = ["grid_clues", "reporting_grids", "risk_signs", "advert_phrases", "unlicensed", "admin_actions",
                  "risk_ledger_level", "report_clues", "districts", "growth_90d", "growth_previous", "evidence_count"]


def indicator_values(engine: Engine, as_of: date, entity_id: str | None = None) -> pd.DataFrame:
    """The indicator values per entity (index: entity id; one column per indicator key, plus
    ``growth_previous`` and ``evidence_count``), from the events dated on or before ``as_of``;
    ``entity_id``: that entity's only. Counted in the database: only one row per entity reaches Python."""
    if entity_id is not None:
        return _from_events(_events_of(engine, as_of, [entity_id]), as_of)[0]
    with engine.connect() as connection:
        counts = _frame(run_sql(connection, "entity_indicator_counts", **_windows(as_of)))
        hits = _frame(run_sql(connection, "entity_phrase_hits", as_of=as_of))
        ledger = _frame(run_sql(connection, "entity_ledger_levels", as_of=as_of))
    values = counts.set_index("entity_id")
    values.index.name = "entity_id"
    signs = _exploded(hits, "signs")
    values["risk_signs"] = signs.groupby("entity_id")["signs"].nunique()
    phrases = _exploded(hits[hits["source"] == "ad_screening"], "advert_hits")
    values["advert_phrases"] = phrases.groupby("entity_id")["advert_hits"].nunique()
    values["risk_ledger_level"] = _latest_levels(ledger)["risk_level"] if not ledger.empty else None
    return _typed(values.reindex(columns=_VALUE_COLUMNS))


def _points(indicator: dict, values: pd.DataFrame) -> pd.Series:
    key = indicator["key"]
    if "points_by_value" in indicator:
        points = values[key].map(indicator["points_by_value"]).fillna(0)
    elif key == "growth_90d":
        recent, previous = values[key], values["growth_previous"]
        fires = (recent >= indicator["min_recent"]) & (recent >= indicator["ratio"] * previous)
        points = fires.astype(int) * indicator["points"]
    else:
        points = (values[key] - indicator.get("free", 0)).clip(lower=0) * indicator["per"]
    return points.clip(upper=indicator["max"]).astype(int)


def _banded(settings: dict, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Each entity's points per indicator, its score and its band (None below every band)."""
    points = pd.DataFrame({i["key"]: _points(i, values) for i in settings["indicators"]}, index=values.index)
    total = points.sum(axis=1).astype(int)
    ordered = sorted(settings["bands"], key=lambda b: -b["min"])  # as band_of, for every entity at once
    bands = pd.Series(np.select([total.values >= b["min"] for b in ordered], [b["band"] for b in ordered],
                                default=None), index=total.index).where(lambda b: b.notna(), None)
    return points, total, bands


_COLUMNS = ["entity_id", "name", "district_code", "score", "band", "config_version", "as_of", "evidence_count",
            "reasons"]


def score_entities(engine: Engine, as_of: date, entity_id: str | None = None, *, explain_banded: bool = True,
                   explain: Iterable[str] = ()) -> pd.DataFrame:
    """Scores and reasons per entity from the events dated on or before ``as_of`` (``entity_id``:
    that entity alone, as its page shows it): see the module docstring. The reasons' evidence (event
    ids) is listed for the entities in a band (unless ``explain_banded`` is false), for those in
    ``explain`` and for ``entity_id``; for the others it is empty, so a day's scoring reads the
    events themselves only for the entities it shows."""
    ensure_schema(engine)
    settings = config()
    values = indicator_values(engine, as_of, entity_id)
    if values.empty:
        return pd.DataFrame(columns=_COLUMNS)
    points, total, bands = _banded(settings, values)
    shown = set(explain) & set(values.index)
    if explain_banded:
        shown |= set(values.index[bands.notna()])
    if entity_id is not None:
        shown |= {entity_id}
    return _scored(engine, settings, as_of, values, points, total, bands, _evidence(engine, as_of, sorted(shown)))


def _scored(engine: Engine, settings: dict, as_of: date, values: pd.DataFrame, points: pd.DataFrame,
            total: pd.Series, bands: pd.Series, evidence: dict[str, dict[str, list[int]]],
            listed: set[str] | None = None) -> pd.DataFrame:
    """The scores frame of the module docstring, from the day's values, points, bands and evidence;
    ``listed``: only these entities get their reasons and names (the others: None for both)."""
    labels = {i["key"]: i["label"] for i in settings["indicators"]}
    # Python lists throughout: the frames' own (Arrow) string columns cost more to iterate than the work
    entity_ids = values.index.tolist()
    explained, explained_points = values, points  # the same entities in the same order
    if listed is not None:
        chosen = np.fromiter((entity_id in listed for entity_id in entity_ids), dtype=bool, count=len(entity_ids))
        explained, explained_points = values[chosen], points[chosen]
    reasons: dict[str, list[dict]] = {entity_id: [] for entity_id in explained.index.tolist()}
    for key in points.columns:  # one pass per indicator, over the entities it scores for
        scoring = explained_points[key].to_numpy() > 0
        if not scoring.any():
            continue
        ids_of, label = evidence.get(key, {}), labels[key]
        for entity_id_, value, point in zip(explained.index[scoring].tolist(), explained[key][scoring].tolist(),
                                            explained_points[key][scoring].tolist(), strict=True):
            ids = ids_of.get(entity_id_)
            reasons[entity_id_].append({"indicator": key, "label": label,
                                        "value": value if isinstance(value, str) else int(value),
                                        "points": int(point), "evidence": list(ids) if isinstance(ids, list) else []})
    names = _names(engine, None if listed is None else sorted(listed))
    frame = pd.DataFrame({"entity_id": values.index, "score": total.values,
                          "evidence_count": values["evidence_count"].values})
    frame = frame.merge(names, on="entity_id", how="left")
    frame["band"] = frame["entity_id"].map(bands)
    frame["config_version"] = settings["version"]
    frame["as_of"] = as_of
    listed_reasons = np.empty(len(entity_ids), dtype=object)  # None unless listed (a list each)
    for position, entity_id_ in enumerate(entity_ids):
        listed_reasons[position] = reasons.get(entity_id_)
    frame["reasons"] = listed_reasons
    if frame["entity_id"].is_monotonic_increasing:  # by score, then id: a stable sort by score alone
        frame = frame.iloc[np.argsort(-frame["score"].to_numpy(), kind="stable")]
    else:
        frame = frame.sort_values(["score", "entity_id"], ascending=[False, True])
    frame = frame[_COLUMNS].reset_index(drop=True)
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), None)
    frame.attrs["indicator_values"] = values  # the same day's raw values: a replay need not read the events twice
    return frame


# --- The daily run's scores, carried over from the day before -----------------------------------


def _fingerprint(settings: dict) -> str:
    """The reference data the stored values and evidence rest on: any change counts everything again
    (as does a change of the evidence lists' order, ``_EVIDENCE_ORDER``)."""
    kept = {"settings": settings, "evidence_order": _EVIDENCE_ORDER}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_EVIDENCE_ORDER = "event_date, id"  # stored evidence of another order is counted again


def _moved(engine: Engine, last: date, as_of: date) -> set[str]:
    """The entities with an event that entered the day or one of its dated windows since ``last``
    (all that changes an entity's values when its timeline did not change)."""
    then, now = _windows(last), _windows(as_of)
    with engine.connect() as connection:
        return set(run_sql(connection, "entity_window_moves", last=last, as_of=as_of,
                           last_recent=then["recent_from"], recent_from=now["recent_from"],
                           last_previous=then["previous_from"], previous_from=now["previous_from"]).scalars())


def _recounted(engine: Engine, as_of: date, entity_ids: list[str]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The values and evidence of ``entity_ids`` counted from their events (a bounded number at a time)."""
    frames, evidence = [], {}
    for start in range(0, len(entity_ids), _EVIDENCE_BATCH):
        values, ids = _from_events(_events_of(engine, as_of, entity_ids[start:start + _EVIDENCE_BATCH]), as_of)
        frames.append(values)
        for key, series in ids.items():
            for entity_id_, listed in series.dropna().items():
                evidence.setdefault(entity_id_, {})[key] = listed
    values = pd.concat(frames) if frames else pd.DataFrame(columns=_VALUE_COLUMNS)
    return values.reindex(columns=_VALUE_COLUMNS), evidence


def daily_scores(engine: Engine, as_of: date, explain: Iterable[str] = ()) -> pd.DataFrame:
    """``score_entities(engine, as_of, explain=explain)`` for the daily run, the same rows, except
    that only the entities shown (those in a band and in ``explain``) have their reasons and names:
    the warning list names no other (the rest: None for both). The
    values of the last day scored are kept (``entity_score_state``, with each entity's score and
    band), and only the entities the register touched since (``entity_touched``) and those whose
    dated windows moved are counted again; the evidence is read only for the entities shown that it
    does not hold. A day carried over lists only the entities in a band, those with a warning and
    those in ``explain`` (``_state_read``): the others' kept values change nothing it writes. The
    first day, an earlier day or changed reference data count (and list) everything. Writes the
    state: the replay and the page call ``score_entities``."""
    ensure_schema(engine)
    settings = config()
    fingerprint = _fingerprint(settings)
    with engine.connect() as connection:
        marks = dict(connection.execute(select(entity_score_mark.c.name, entity_score_mark.c.mark)).all())
        touched = _frame(connection.execute(select(entity_touched.c.entity_id, entity_touched.c.stamp)))
    stamp = int(touched["stamp"].max()) if not touched.empty else 0
    last = date.fromisoformat(marks["as_of"]) if "as_of" in marks else None
    carried = last is not None and last <= as_of and marks.get("config") == fingerprint
    if carried:
        recount = sorted(set(touched["entity_id"]) | _moved(engine, last, as_of))
        state = _state_read(engine, sorted(set(explain)))
        state = state[~state.index.isin(recount)]
        fresh, fresh_evidence = _recounted(engine, as_of, recount)
        values = _typed(pd.concat([state, fresh]).sort_index().reindex(columns=_VALUE_COLUMNS))
        values.index.name = "entity_id"
    else:
        recount, fresh_evidence = [], {}
        values = indicator_values(engine, as_of)
    points, total, bands = _banded(settings, values)
    shown = set(values.index.intersection(list(explain)).tolist()) | set(values.index[bands.notna()].tolist())
    stored = _stored_evidence(engine, sorted(shown - set(fresh_evidence))) if carried else {}
    missing = sorted(shown - set(fresh_evidence) - set(stored))
    by_key = _evidence(engine, as_of, missing)
    added: dict[str, dict] = {}
    for key, ids in by_key.items():
        for entity_id_, listed in ids.items():
            added.setdefault(entity_id_, {})[key] = listed
    evidence: dict[str, dict[str, list[int]]] = {}
    for source in (stored, fresh_evidence, added):
        for entity_id_, keyed in source.items():
            if entity_id_ in shown:
                for key, listed in keyed.items():
                    evidence.setdefault(key, {})[entity_id_] = listed
    scores = _scored(engine, settings, as_of, values, points, total, bands, evidence, listed=shown) \
        if not values.empty else pd.DataFrame(columns=_COLUMNS)
    _keep_state(engine, as_of, fingerprint, stamp, values, total, bands, recount if carried else None,
                {**fresh_evidence, **added})
    return scores


def _state_read(engine: Engine, explain: list[str]) -> pd.DataFrame:
    """The kept values of the entities a day carried over can list or score again (indexed by
    entity): those in a band when last scored (their values did not change, so neither did the
    band), those with a warning (an open one is scored again below every band) and ``explain``."""
    columns = (entity_score_state.c.entity_id, *(entity_score_state.c[c] for c in _VALUE_COLUMNS))
    with engine.connect() as connection:
        parts = [_frame(connection.execute(select(*columns).where(
            entity_score_state.c.band.is_not(None)
            | entity_score_state.c.entity_id.in_(select(entity_warning.c.entity_id)))))]
        for start in range(0, len(explain), 5000):
            parts.append(_frame(connection.execute(select(*columns).where(
                entity_score_state.c.entity_id.in_(explain[start:start + 5000])))))
    parts = [part for part in parts if not part.empty] or parts[:1]
    state = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True).drop_duplicates("entity_id")
    return state.set_index("entity_id")


def _stored_evidence(engine: Engine, entity_ids: list[str]) -> dict[str, dict]:
    evidence: dict[str, dict] = {}
    with engine.connect() as connection:
        for start in range(0, len(entity_ids), 5000):
            for entity_id_, text_ in connection.execute(
                    select(entity_score_state.c.entity_id, entity_score_state.c.evidence).where(
                        entity_score_state.c.entity_id.in_(entity_ids[start:start + 5000]),
                        entity_score_state.c.evidence.is_not(None))):
                evidence[entity_id_] = json.loads(text_)
    return evidence


def _keep_state(engine: Engine, as_of: date, fingerprint: str, stamp: int, values: pd.DataFrame, total: pd.Series,
                bands: pd.Series, recount: list[str] | None, evidence: dict[str, dict]) -> None:
    """Store the day's values with their score and band (all of them, or, when carried over, those
    of ``recount``), the evidence worked out, the day; and consume the touches up to ``stamp``."""
    written = values.index if recount is None else values.index.intersection(recount)
    rows = values.loc[written]
    records = [{"entity_id": entity_id_, **{c: (None if c == "risk_ledger_level" and not isinstance(v, str) else
                                                v if c == "risk_ledger_level" else int(v))
                                             for c, v in zip(_VALUE_COLUMNS, row, strict=True)},
                "score": int(score), "band": band if isinstance(band, str) else None,
                "evidence": json.dumps(evidence[entity_id_], sort_keys=True) if entity_id_ in evidence else None}
               for entity_id_, row, score, band in zip(
                   rows.index, rows[_VALUE_COLUMNS].itertuples(index=False, name=None),
                   total.loc[written].tolist(), bands.loc[written].tolist(), strict=True)]
    with engine.begin() as connection:
        if recount is None:
            connection.execute(delete(entity_score_state))
        else:
            for start in range(0, len(recount), 5000):
                connection.execute(delete(entity_score_state).where(
                    entity_score_state.c.entity_id.in_(recount[start:start + 5000])))
        insert_rows(connection, entity_score_state, records)
        later = sorted(set(evidence) - set(written))  # evidence found for entities carried over
        if later:
            connection.execute(update(entity_score_state).where(entity_score_state.c.entity_id == bindparam("e"))
                               .values(evidence=bindparam("v_evidence")),
                               [{"e": e, "v_evidence": json.dumps(evidence[e], sort_keys=True)} for e in later])
        connection.execute(delete(entity_touched).where(entity_touched.c.stamp <= stamp))
        connection.execute(delete(entity_score_mark))
        insert_rows(connection, entity_score_mark, [{"name": "as_of", "mark": as_of.isoformat()},
                                                    {"name": "config", "mark": fingerprint}])


def _names(engine: Engine, entity_ids: list[str] | None = None) -> pd.DataFrame:
    """Each entity's name (masked for a person) and district; ``entity_ids``: those entities' only."""
    columns = (entity.c.entity_id, entity.c.name, entity.c.district_code, entity.c.natural_person)
    with engine.connect() as connection:
        if entity_ids is None:
            names = _frame(connection.execute(select(*columns)))
        else:
            names = pd.concat([_frame(connection.execute(select(*columns).where(
                entity.c.entity_id.in_(entity_ids[start:start + 5000]))))
                for start in range(0, len(entity_ids), 5000)] or [pd.DataFrame(columns=[c.name for c in columns])],
                ignore_index=True)
    person = names["natural_person"].astype(bool)
    names.loc[person, "name"] = names.loc[person, "name"].map(mask_name)
    return names.drop(columns="natural_person")


def reasons_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per entity and contributing indicator: entity_id, indicator, label, value, points, evidence."""
    rows = [{"entity_id": entity_id, **reason} for entity_id, reasons in zip(scores["entity_id"], scores["reasons"],
                                                                               strict=True) for reason in reasons]
    return pd.DataFrame(rows, columns=["entity_id", "indicator", "label", "value", "points", "evidence"])


# --- Warnings, their status and the feedback on them ---------------------------------------------

def warning_id_for(entity_id: str, seq: int) -> str:
    return f"YJ-{entity_id}-{seq}"


def latest_feedback(engine: Engine) -> pd.DataFrame:
    """The latest 预警核查反馈 on each warning (by 核查日期, then the later submission), from current submissions."""
    with engine.connect() as connection:
        result = run_sql(connection, "warning_feedback_latest")
        rows = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if rows.empty:
        return rows
    rows["checked_date"] = rows["checked_date"].map(as_date)
    return rows.sort_values(["warning_id", "checked_date", "submission_id", "row_no"]).groupby("warning_id").tail(1)


def unknown_feedback_ids(engine: Engine) -> list[str]:
    """预警编号 of feedback rows that name no warning (mistyped, or of another warehouse)."""
    feedback = latest_feedback(engine)
    if feedback.empty:
        return []
    with engine.connect() as connection:
        known = set(connection.execute(select(entity_warning.c.warning_id)).scalars())
    return sorted(set(feedback["warning_id"]) - known)


def _warnings(connection) -> pd.DataFrame:  # noqa: ANN001
    """Every warning, from the driver's rows (the dates as the driver gives them: ``as_date``)."""
    return _frame(connection.execute(select(entity_warning)), dtype=object)


def refresh_warnings(engine: Engine, as_of: date) -> pd.DataFrame:
    """Apply the feedback, then raise or update the warnings of ``as_of``; returns the day's list.

    An entity in a band gets a warning (待核查). While a warning is unchecked each run updates its
    score and band. A checked warning keeps its status; the entity is warned again (the next
    ``YJ-…-n``) only once it has more events than when it was last scored. Re-running a day gives
    the same list.
    """
    feedback = latest_feedback(engine)
    with engine.connect() as connection:  # a checked warning is listed below every band too: explain it
        checked = set(connection.execute(select(entity_warning.c.entity_id).where(
            (entity_warning.c.status != OPEN) | entity_warning.c.warning_id.in_(list(feedback.get("warning_id", [])))
        )).scalars())
    scores = daily_scores(engine, as_of, explain=checked)
    with engine.begin() as connection:
        for row in feedback.itertuples(index=False):  # one statement per checked warning, not per history row
            connection.execute(update(entity_warning).where(entity_warning.c.warning_id == row.warning_id)
                               .values(status=row.result, checked_on=row.checked_date))
        warnings = _warnings(connection)
        latest = warnings.sort_values("seq").groupby("entity_id").tail(1).set_index("entity_id") \
            if not warnings.empty else warnings.set_index("entity_id")
        banded = scores[scores["band"].notna()].set_index("entity_id")
        joined = banded.join(latest[["warning_id", "seq", "status", "evidence_count"]], rsuffix="_warned")
        unwarned = joined["warning_id"].isna()
        reopened = joined["warning_id"].notna() & (joined["status"] != OPEN) & (
            joined["evidence_count"] > joined["evidence_count_warned"].fillna(0))
        still_open = joined["warning_id"].notna() & (joined["status"] == OPEN)
        new_rows = []
        for entity_id, row in joined[unwarned | reopened].iterrows():
            seq = 1 if pd.isna(row["seq"]) else int(row["seq"]) + 1
            new_rows.append({"warning_id": warning_id_for(entity_id, seq), "entity_id": entity_id, "seq": seq,
                             "raised_on": as_of, "scored_on": as_of, "score": int(row["score"]), "band": row["band"],
                             "config_version": row["config_version"], "evidence_count": int(row["evidence_count"]),
                             "status": OPEN, "checked_on": None})
        insert_rows(connection, entity_warning, new_rows)
        opened = joined[still_open]
        _rescore(connection, warnings, as_of, [
            {"w": w, "score": int(score), "band": band, "config_version": version, "evidence_count": int(count)}
            for w, score, band, version, count in zip(opened["warning_id"], opened["score"], opened["band"],
                                                      opened["config_version"], opened["evidence_count"], strict=True)])
        fallen = latest[(latest["status"] == OPEN) & ~latest.index.isin(banded.index)] if not latest.empty else latest
        if not fallen.empty:  # below every band now: kept, without a band
            day_scores = scores.set_index("entity_id")["score"]
            _rescore(connection, warnings, as_of, [{"w": w, "score": int(day_scores.get(e, 0)), "band": None}
                                                   for e, w in zip(fallen.index, fallen["warning_id"], strict=True)])
        warnings = _warnings(connection)
    return warning_list(warnings, scores, as_of)


def _rescore(connection, warnings: pd.DataFrame, as_of: date, rows: list[dict]) -> None:  # noqa: ANN001
    """Score open warnings for ``as_of`` (``rows``: the warning id ``w`` and the day's values of the
    columns set). Most keep yesterday's values: those get only the day, by lists of ids, and one
    statement per row is left for the warnings whose values changed."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "w"]
    stored = warnings.set_index("warning_id")[columns]
    before = {w: tuple(None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values)
              for w, values in zip(stored.index, stored.itertuples(index=False, name=None), strict=True)}
    changed = [row for row in rows if before.get(row["w"]) != tuple(row[c] for c in columns)]
    _update_warnings(connection, [{**row, "scored_on": as_of} for row in changed])
    kept = sorted({row["w"] for row in rows} - {row["w"] for row in changed})
    for start in range(0, len(kept), 5000):
        connection.execute(update(entity_warning).where(entity_warning.c.warning_id.in_(kept[start:start + 5000]))
                           .values(scored_on=as_of))


def _update_warnings(connection, rows: list[dict]) -> None:  # noqa: ANN001
    """One executemany for the day's updated warnings (``w``: the warning id; the other keys: the
    columns set)."""
    if rows:
        columns = [c for c in rows[0] if c != "w"]
        connection.execute(update(entity_warning).where(entity_warning.c.warning_id == bindparam("w"))
                           .values({c: bindparam(f"v_{c}") for c in columns}),
                           [{"w": row["w"], **{f"v_{c}": row[c] for c in columns}} for row in rows])


def warning_list(warnings: pd.DataFrame, scores: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The latest warning of each entity raised on or before ``as_of``, with the day's reasons."""
    if warnings.empty:
        return pd.DataFrame(columns=["warning_id", "entity_id", "name", "district_code", "score", "band", "status",
                                     "raised_on", "checked_on", "config_version", "reasons"])
    warnings = warnings.assign(raised_on=warnings["raised_on"].map(as_date), checked_on=warnings["checked_on"].map(as_date))
    known = warnings[warnings["raised_on"] <= as_of]
    latest = known.sort_values("seq").groupby("entity_id").tail(1)
    day = scores.set_index("entity_id")
    latest = latest.join(day[["name", "district_code", "reasons"]], on="entity_id")
    latest = latest[latest["band"].notna() | (latest["status"] != OPEN)]
    order = {"红": 0, "橙": 1, "黄": 2, "蓝": 3}
    latest = latest.assign(_band=latest["band"].map(order).fillna(9))
    columns = ["warning_id", "entity_id", "name", "district_code", "score", "band", "status", "raised_on",
               "checked_on", "config_version", "reasons"]
    return latest.sort_values(["_band", "score", "entity_id"], ascending=[True, False, True])[columns].reset_index(drop=True)


def feedback_summary(engine: Engine) -> dict:
    """Checked warnings and the share of 属实 among them (a Decimal percentage, None when none was checked)."""
    from decimal import Decimal

    with engine.connect() as connection:
        statuses = connection.execute(select(entity_warning.c.status)).scalars().all()
    counts = {result: statuses.count(result) for result in RESULTS}
    checked = sum(counts.values())
    share = (Decimal(counts["属实"] * 1000 // checked) / 10).quantize(Decimal("0.1")) if checked else None
    return {"warnings": len(statuses), "checked": checked, **counts, "true_share_percent": share}
