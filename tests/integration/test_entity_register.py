"""The entity register and its explained warnings, on SQLite and PostgreSQL: subjects named by grid
clues, an advert, a risk ledger, an administrative action and a case resolve into entities (a valid
统一社会信用代码 first, then a normalised name within a district, then a similar one), officers'
overrides split and merge, a run reads only what is new, and every score is the sum of its reasons'
points, worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from chufei.core.periods import half_period, month_period, quarter_period
from chufei.statistics.early_warning import score_entities
from chufei.warehouse import entities
from chufei.warehouse.entity_schema import entity, entity_event
from tests.early_warning_data import action_row, advert, grid_clue, ledger_row, load_submission, uscc

XINYUAN = uscc("91420700MA4K3B7Q1")  # 鑫源's valid code
INVALID = XINYUAN[:-1] + ("0" if XINYUAN[-1] != "0" else "1")  # one wrong check character
AS_OF = date(2020, 6, 30)


def seed(engine) -> dict[str, str]:
    """The inflows of the module docstring; returns the sha256 of the files the tests look at."""
    files = {}
    with engine.begin() as connection:
        # 鑫源: three clues in three grids of two districts, its name written three ways.
        grid_clue(connection, "WG1", datetime(2020, 3, 1, 9), "420704", "G1", "鄂州鑫源投资管理有限公司", XINYUAN,
                  "承诺高额回报、发展下线", row_no=1)
        grid_clue(connection, "WG2", datetime(2020, 4, 10, 9), "420704", "G2", "鑫源投资管理有限责任公司", None,
                  "承诺保本付息", row_no=2)
        grid_clue(connection, "WG3", datetime(2020, 5, 5, 9), "420703", "G9", "华容鑫源投资", XINYUAN, row_no=3)
        # the same name in 梁子湖区, without a code: a different subject.
        grid_clue(connection, "WG4", datetime(2020, 5, 6, 9), "420702", "L1", "鑫源投资管理有限公司", None, row_no=4)
        # a wrong check character is no code at all: matched by its name alone.
        grid_clue(connection, "WG5", datetime(2020, 5, 7, 9), "420702", "L2", "梁子湖众诚商贸有限公司", INVALID,
                  row_no=5)
        # 恒通: a similar name (专业 added) in the same district, found by rapidfuzz.
        grid_clue(connection, "WG6", datetime(2020, 2, 1, 9), "420703", "H1", "鄂州恒通农业开发合作社", None, row_no=6)
        files["ledger"] = load_submission(connection, "risk_ledger", "420704", half_period(2020, 1), [
            ledger_row("鑫源投资管理有限公司", date(2020, 4, 1), "高"),
            ledger_row("张三丰", date(2020, 3, 3), "中", subject_type="自然人"),
        ])
        load_submission(connection, "risk_ledger", "420703", half_period(2020, 1), [
            ledger_row("恒通农业开发专业合作社", date(2020, 3, 1), "低")])
        load_submission(connection, "report_reward", "420703", quarter_period(2020, 2), [{
            "report_no": "R1", "received_date": date(2020, 5, 10), "channel": "12345", "clue_level": "一级",
            "is_valid": True, "reporter_name": None, "reporter_id_no": None, "is_paid": False, "reward_people": None,
            "reward_fen": None, "paid_date": None, "reported_subject": "恒通农业开发合作社"}, {
            "report_no": "R2", "received_date": date(2020, 5, 11), "channel": "110", "clue_level": "三级",
            "is_valid": False, "reporter_name": None, "reporter_id_no": None, "is_paid": False, "reward_people": None,
            "reward_fen": None, "paid_date": None, "reported_subject": None}])  # names no one: no event
        load_submission(connection, "admin_action", "420704", quarter_period(2020, 2), [
            action_row("鄂州市鑫源投资管理有限公司", date(2020, 5, 20))])
        files["advert"] = advert(connection, "420704", month_period(2020, 5), [
            {"screened_date": date(2020, 5, 12), "publisher": "鑫源投资管理有限公司", "keywords": "保本",
             "summary": "年化收益18%保本保息", "licensed": False}])
        load_submission(connection, "case_ledger", "420704", month_period(2020, 6), [{
            "case_no": "C1", "case_name": "鄂城区鑫源投资管理有限公司非法吸收公众存款案", "filed_date": date(2020, 6, 15),
            "handling_unit": "公安", "industry": "投资咨询", "amount_fen": 100, "participants": 3,
            "cross_region": False, "stage": "侦查", "recovered_fen": None, "unpaid_principal_fen": None,
            "repaid_fen": None, "repaid_people": None, "is_old_case": False, "closed_date": None}])
    return files


def _register(engine) -> dict[str, list[tuple[str, str]]]:
    """Entity id → [(source, subject name)] of its events."""
    with engine.connect() as connection:
        rows = connection.execute(select(entity_event.c.entity_id, entity_event.c.source,
                                         entity_event.c.subject_name)).all()
    out: dict[str, list[tuple[str, str]]] = {}
    for entity_id, source, name in rows:
        out.setdefault(entity_id, []).append((source, name))
    return out


def _entity_of(register, name: str) -> str:
    return next(e for e, events in register.items() if any(n == name for _, n in events))


def test_register_resolves_codes_names_and_similar_names(engine, data):
    files = seed(engine)
    summary = entities.update_register(engine)
    assert summary["records"] == 13
    assert summary["rebuilt"] is True
    register = _register(engine)
    xinyuan = _entity_of(register, "鄂州鑫源投资管理有限公司")
    # code (WG3, another district), normalised name (WG2, ledger, action, advert), case name without its charge
    assert sorted(register[xinyuan]) == sorted([
        ("grid", "鄂州鑫源投资管理有限公司"), ("grid", "鑫源投资管理有限责任公司"), ("grid", "华容鑫源投资"),
        ("risk_ledger", "鑫源投资管理有限公司"), ("admin_action", "鄂州市鑫源投资管理有限公司"),
        ("ad_screening", "鑫源投资管理有限公司"), ("case_ledger", "鄂城区鑫源投资管理有限公司")])
    assert _entity_of(register, "鑫源投资管理有限公司") == xinyuan
    same_name_elsewhere = [e for e, ev in register.items() if ev == [("grid", "鑫源投资管理有限公司")]]
    assert len(same_name_elsewhere) == 1
    assert same_name_elsewhere[0] != xinyuan
    assert _entity_of(register, "鄂州恒通农业开发合作社") == _entity_of(register, "恒通农业开发专业合作社")
    assert ("report_reward", "恒通农业开发合作社") in register[_entity_of(register, "恒通农业开发专业合作社")]
    assert len(register) == 5  # 鑫源, 梁子湖's 鑫源, 众诚, 恒通, 张三丰
    with engine.connect() as connection:
        stored = {row.entity_id: row for row in connection.execute(select(entity))}
        ledger_event = connection.execute(select(entity_event).where(entity_event.c.source == "risk_ledger",
                                                                     entity_event.c.entity_id == xinyuan)).one()
    assert stored[xinyuan].credit_code == XINYUAN
    assert stored[xinyuan].district_code == "420704"
    assert stored[_entity_of(register, "梁子湖众诚商贸有限公司")].credit_code is None  # the invalid code was not kept
    assert stored[_entity_of(register, "张三丰")].natural_person
    assert (ledger_event.file_sha256, ledger_event.row_no) == (files["ledger"], 1)  # back to the file and its row


def test_register_is_incremental_and_replaces_corrected_rows(engine, data):
    seed(engine)
    entities.update_register(engine)
    again = entities.update_register(engine)
    assert again["records"] == 0
    assert again["rebuilt"] is False
    with engine.begin() as connection:  # the next ledger snapshot lists 鑫源 again, now 中: not a new event
        load_submission(connection, "risk_ledger", "420704", half_period(2020, 2), [
            ledger_row("鑫源投资管理有限公司", date(2020, 4, 1), "中")])
    assert entities.update_register(engine)["records"] == 1
    xinyuan = _entity_of(_register(engine), "鄂州鑫源投资管理有限公司")
    with engine.connect() as connection:
        levels = connection.execute(select(entity_event.c.risk_level).where(
            entity_event.c.source == "risk_ledger", entity_event.c.entity_id == xinyuan)).scalars().all()
    assert levels == ["中"]
    with engine.begin() as connection:  # a new version of WG6 and a new clue, in a later load
        grid_clue(connection, "WG6", datetime(2020, 2, 1, 9), "420703", "H1", "鄂州恒通农业开发合作社", None,
                  version=2, load="grid-file-2", row_no=1)
        grid_clue(connection, "WG7", datetime(2020, 6, 1, 9), "420703", "H2", "恒通农业开发合作社", None,
                  load="grid-file-2", row_no=2)
    later = entities.update_register(engine)
    # the second load's two rows only: the first load is older than the mark's overlap
    assert later["records"] == 2
    assert later["new_entities"] == 0
    register = _register(engine)
    henton = _entity_of(register, "鄂州恒通农业开发合作社")
    assert sorted(s for s, _ in register[henton]) == ["grid", "grid", "report_reward", "risk_ledger"]  # WG6 once, WG7


def test_overrides_split_and_merge(engine, data, tmp_path, monkeypatch):
    seed(engine)
    overrides = tmp_path / "entity_overrides.csv"
    overrides.write_text("action,district_code,name,other_name,note\n"
                         "split,420703,恒通农业开发合作社,恒通农业开发专业合作社,两家不同的合作社\n"
                         "merge,420702,梁子湖众诚商贸有限公司,鑫源投资管理有限公司,同一实际控制人\n", encoding="utf-8")
    monkeypatch.setattr(entities, "OVERRIDES", overrides)
    assert entities.update_register(engine)["rebuilt"] is True
    register = _register(engine)
    assert _entity_of(register, "鄂州恒通农业开发合作社") != _entity_of(register, "恒通农业开发专业合作社")
    lzh = [e for e, ev in register.items() if ("grid", "梁子湖众诚商贸有限公司") in ev]
    assert lzh
    assert sorted(register[lzh[0]]) == [("grid", "梁子湖众诚商贸有限公司"), ("grid", "鑫源投资管理有限公司")]
    monkeypatch.setattr(entities, "OVERRIDES", entities.REFERENCE_DIR / "entity_overrides.csv")
    assert entities.update_register(engine)["rebuilt"] is True  # back to the repository's overrides
    register = _register(engine)
    assert _entity_of(register, "鄂州恒通农业开发合作社") == _entity_of(register, "恒通农业开发专业合作社")


def test_reasons_add_up_to_each_score(engine, data):
    seed(engine)
    entities.update_register(engine)
    scores = score_entities(engine, AS_OF)
    for row in scores.itertuples():
        assert sum(reason["points"] for reason in row.reasons) == row.score
        assert row.config_version == "2026.1"
    xinyuan = scores.iloc[0]
    reasons = {r["indicator"]: (r["value"], r["points"]) for r in xinyuan["reasons"]}
    assert reasons == {
        "grid_clues": (3, 15),  # WG1–3: 3 × 5, at the cap of 15
        "reporting_grids": (3, 10),  # G1, G2, G9: two beyond the first × 5
        "risk_signs": (3, 21),  # 高额回报 (WG1, 年化收益 of the advert), 拉人头 (发展下线), 保本保息 (WG2, advert): 3 × 7
        "advert_phrases": (3, 9),  # 保本, 保息, 年化收益: 3 × 3
        "unlicensed": (1, 6),
        "admin_actions": (1, 5),
        "risk_ledger_level": ("高", 10),
        "districts": (2, 5),  # 420704 and 420703: one beyond the first × 5
        "growth_90d": (4, 5),  # 4 events after 4-01 (WG2, WG3, action, advert) ≥ 2 × the 2 before (WG1, ledger)
    }
    assert xinyuan["score"] == 86
    assert xinyuan["band"] == "红"
    henton = scores[scores["reasons"].map(lambda rs: any(r["indicator"] == "report_clues" for r in rs))].iloc[0]
    # WG6 (5), the ledger's 低 (2), one report naming it (4); no growth: one event after 4-01
    assert {r["indicator"]: (r["value"], r["points"]) for r in henton["reasons"]} == {
        "grid_clues": (1, 5), "risk_ledger_level": ("低", 2), "report_clues": (1, 4)}
    assert henton["score"] == 11
    person = scores[scores["reasons"].map(lambda rs: any(r["value"] == "中" for r in rs))].iloc[0]
    assert person["name"] == "张**"
    assert person["score"] == 6
    assert person["band"] is None
    evidence = {r["indicator"]: r["evidence"] for r in xinyuan["reasons"]}
    with engine.connect() as connection:
        sources = dict(connection.execute(select(entity_event.c.id, entity_event.c.source)).all())
    assert {sources[i] for i in evidence["unlicensed"]} == {"ad_screening"}
    assert len(evidence["grid_clues"]) == 3
    # a replay: on 2020-03-31 only WG1, WG6 and 张三丰 are known
    early = score_entities(engine, date(2020, 3, 31))
    first = early[early["entity_id"] == xinyuan["entity_id"]].iloc[0]
    assert {r["indicator"]: r["points"] for r in first["reasons"]} == {"grid_clues": 5, "risk_signs": 14}
    assert first["score"] == 19
    assert first["band"] is None


@pytest.mark.parametrize(("name", "key"), [
    ("鄂州市鑫源投资管理有限公司", "鑫源投资管理"),
    ("鑫源投资管理（有限公司）", "鑫源投资管理"),
    ("ＸＹ鑫源 投资管理有限责任公司", "XY鑫源投资管理"),
    ("鑫源投资管理股份有限公司", "鑫源投资管理"),
    ("有限公司", "有限公司"),
])
def test_name_keys(name, key):
    assert entities.name_key(name) == key


def test_scores_carry_the_day_s_indicator_values(engine, data):
    seed(engine)
    entities.update_register(engine)
    scores = score_entities(engine, AS_OF)
    values = scores.attrs["indicator_values"]
    xinyuan = scores.iloc[0]["entity_id"]
    assert values.loc[xinyuan, "grid_clues"] == 3
    assert values.loc[xinyuan, "reporting_grids"] == 3
    assert values.loc[xinyuan, "risk_ledger_level"] == "高"


def test_the_database_counts_as_the_events_do(engine, data):
    """The day's indicators are counted in the database; an entity's page works them out from its
    events: both give the same values, on each day of a replay."""
    import pandas as pd

    from chufei.statistics.early_warning import indicator_values

    seed(engine)
    entities.update_register(engine)
    for day in (date(2020, 3, 31), date(2020, 5, 10), AS_OF):
        counted = indicator_values(engine, day)
        assert len(counted) > 0
        for entity_id in counted.index:
            alone = indicator_values(engine, day, entity_id=entity_id)
            pd.testing.assert_frame_equal(counted.loc[[entity_id]], alone, check_dtype=False)


def test_evidence_is_listed_for_the_entities_shown(engine, data):
    seed(engine)
    entities.update_register(engine)
    scores = score_entities(engine, AS_OF).set_index("entity_id")
    person = scores.index[scores["name"] == "张**"][0]
    assert scores.loc[person, "band"] is None
    assert [r["evidence"] for r in scores.loc[person, "reasons"]] == [[]]  # below every band: not read
    explained = score_entities(engine, AS_OF, explain=[person]).set_index("entity_id")
    assert [len(r["evidence"]) for r in explained.loc[person, "reasons"]] == [1]
    assert explained.loc[person, "score"] == scores.loc[person, "score"]
