"""What a receipt may show of a cell: personal values masked, reporters' identities hidden."""

from __future__ import annotations

from chufei.kinds.registry import DATASETS
from chufei.core.pseudonym import PREFIX, pseudonym_key, pseudonymise
from chufei.validate.validation import _cell_value


def test_personal_cells_are_masked_and_pseudonymised_ones_hidden():
    responsible = DATASETS["risk_ledger"].column("responsible_person")
    assert responsible.personal
    assert not responsible.pseudonymised
    assert _cell_value(responsible, "欧阳明远") == "欧***"
    for name in ("reporter_name", "reporter_id_no"):
        column = DATASETS["report_reward"].column(name)
        assert _cell_value(column, "420704198503120011") == "（已隐去）"
    assert _cell_value(DATASETS["risk_ledger"].column("subject_name"), "鑫源公司") == "鑫源公司"


def test_pseudonyms_are_keyed_stable_and_normalised(data, monkeypatch):
    monkeypatch.delenv("CHUFEI_PSEUDONYM_KEY", raising=False)
    key = pseudonym_key(data)
    assert pseudonym_key(data) == key  # created once, then reused
    assert pseudonymise("张 三", key) == pseudonymise("张三", key) == pseudonymise("张三", key)
    assert pseudonymise("42070419850312001x", key) == pseudonymise("42070419850312001X", key)
    assert pseudonymise("张三", key) != pseudonymise("张三", b"another key")
    assert pseudonymise("张三", key).startswith(PREFIX)
    assert pseudonymise(None, key) is None
    hashed = pseudonymise("张三", key)
    assert pseudonymise(hashed, key) == hashed  # applying it twice changes nothing
