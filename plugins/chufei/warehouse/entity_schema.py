"""Warehouse tables of the entity register (主体库) and its warnings.

Registered on ``chufei.warehouse.metadata.metadata`` (imported by ``chufei.warehouse.schema``);
the Alembic revisions create them. ``entity`` is one subject however many inflows name it;
``entity_event`` is each row that named it (a grid clue, an advert, a ledger or case row, an
administrative action), linked to the file it came in (sha256 → ``received_file``, the archive and
the receipt) and its row; ``entity_source_mark`` is each inflow's high-water mark, so a run reads
only what arrived since the last one. ``entity_warning`` keeps every warning raised and the
feedback on it; ``warning_notice`` the 红 notices sent, one per entity and band.
``entity_score_state`` keeps the indicator values of the last day scored by the daily run, with
their score and band (and the evidence of the entities it showed), ``entity_score_mark`` that day, and ``entity_touched`` the
entities whose events changed since: the next day re-counts only those and the entities whose
dated windows moved, and carries the others over. ``spike_baseline`` keeps the district spike
baselines fitted by the last run, by their inputs: a day whose series are unchanged (every day of a
week) reuses them.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint)

from chufei.warehouse.metadata import metadata


def _table(name: str, *parts, **options) -> Table:
    """Define a table once: Airflow's plugin loader may execute this file a second time."""
    return metadata.tables[name] if name in metadata.tables else Table(name, metadata, *parts, **options)


entity = _table(
    "entity",
    Column("entity_id", String(16), primary_key=True),  # ZT + hash of the record that founded it: stable across rebuilds
    Column("district_code", String(16)),  # the unit code of its first district; NULL when only city departments named it
    Column("name", Text, nullable=False),  # the name as first written (cleaned)
    Column("name_key", Text, nullable=False),  # the normalised name it is matched on
    Column("credit_code", String(18)),  # checksum-valid 统一社会信用代码, when any record gave one
    Column("natural_person", Boolean, nullable=False),  # a person: shown masked everywhere
    Column("first_date", Date),
    Index("ix_entity_name", "district_code", "name_key"),
    Index("ix_entity_code", "credit_code"))

entity_event = _table(
    "entity_event",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(16), ForeignKey("entity.entity_id"), nullable=False),
    Column("source", String(16), nullable=False),  # grid | ad_screening | risk_ledger | case_ledger | admin_action | report_reward
    Column("source_key", Text, nullable=False),  # the row's identity in its inflow: a correction replaces it
    Column("event_date", Date, nullable=False),  # the date the row states: what a replay of the history sees
    Column("district_code", String(16)),
    Column("subject_name", Text, nullable=False),
    Column("credit_code", String(18)),
    Column("file_sha256", String(64), nullable=False),  # received_file / archive / receipts/<sha256>.json
    Column("row_no", Integer, nullable=False),
    Column("grid_code", String(40)),
    Column("signs", Text),  # the risk signs found (高额回报、保本保息、拉人头), joined with 、
    Column("advert_hits", Text),  # the advert phrases found, joined with 、
    Column("licensed", Boolean),  # 是否持牌 of an advert
    Column("risk_level", String(8)),  # 风险等级 of a ledger row
    Column("action_type", Text),  # 处置方式 of an administrative action
    Column("amount_fen", BigInteger),
    UniqueConstraint("source", "source_key", name="uq_entity_event_source"),
    Index("ix_entity_event_entity", "entity_id", "event_date"),
    Index("ix_entity_event_date", "event_date"),
    Index("ix_entity_event_file", "file_sha256", "event_date"))  # the files behind a day's package, file by file

entity_source_mark = _table(
    "entity_source_mark",
    Column("source", String(32), primary_key=True),
    Column("mark", Text, nullable=False))  # the last submission id, or the grid's last loaded_at (ISO)

entity_warning = _table(
    "entity_warning",
    Column("warning_id", String(32), primary_key=True),  # YJ-<entity>-<n>: what the feedback names
    Column("entity_id", String(16), ForeignKey("entity.entity_id"), nullable=False),
    Column("seq", Integer, nullable=False),  # the entity's n-th warning: raised again only on new evidence
    Column("raised_on", Date, nullable=False),
    Column("scored_on", Date, nullable=False),
    Column("score", Integer, nullable=False),
    Column("band", String(4)),
    Column("config_version", String(32), nullable=False),
    Column("evidence_count", Integer, nullable=False),  # the entity's events when last scored while open
    Column("status", String(8), nullable=False),  # 待核查 | 属实 | 不属实 | 处置中
    Column("checked_on", Date),
    UniqueConstraint("entity_id", "seq", name="uq_entity_warning_seq"),
    Index("ix_entity_warning_entity", "entity_id"))

warning_notice = _table(
    "warning_notice",
    Column("entity_id", String(16), primary_key=True),
    Column("band", String(4), primary_key=True),
    Column("warning_id", String(32), nullable=False),
    Column("sent_on", Date, nullable=False))

entity_touched = _table(
    "entity_touched",
    Column("entity_id", String(16), primary_key=True),  # its events changed since the day last scored
    Column("stamp", Integer, nullable=False))  # the register run that touched it last: a scoring consumes up to its own

entity_score_state = _table(
    "entity_score_state",
    Column("entity_id", String(16), primary_key=True),
    Column("evidence_count", Integer, nullable=False),
    Column("grid_clues", Integer, nullable=False),
    Column("reporting_grids", Integer, nullable=False),
    Column("risk_signs", Integer, nullable=False),
    Column("advert_phrases", Integer, nullable=False),
    Column("unlicensed", Integer, nullable=False),
    Column("admin_actions", Integer, nullable=False),
    Column("risk_ledger_level", String(8)),
    Column("report_clues", Integer, nullable=False),
    Column("districts", Integer, nullable=False),
    Column("growth_90d", Integer, nullable=False),
    Column("growth_previous", Integer, nullable=False),
    Column("evidence", Text),  # JSON: indicator -> event ids, for the entities whose reasons were shown
    Column("score", Integer),  # the values' score and band (revision 0012): a day carried over reads only
    Column("band", String(4)))  # the entities in a band or with a warning

entity_score_mark = _table(
    "entity_score_mark",
    Column("name", String(32), primary_key=True),  # as_of | config
    Column("mark", Text, nullable=False))

spike_baseline = _table(
    "spike_baseline",
    Column("key", String(64), primary_key=True),  # sha256 of a fit's inputs (chufei.statistics.spikes)
    Column("baseline", Text, nullable=False))  # JSON: the fitted Baseline, the same floats
