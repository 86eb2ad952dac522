"""Receipts never show personal data (masked exactly as in exports, messages included), and a
file name or a cell cannot forge lines in the Chinese receipt (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import unicodedata

from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission

ID_NUMBER = "420703198511204569"
PHONES = ["13971234567", "+8613971234567", "139-7123-4567", "139 7123 4567"]
RISK = {"主体名称": "康乐养老服务中心", "主体类型": "自然人", "行业领域": "养老服务", "线索来源": "群众举报",
        "发现日期": "2020-04-02", "风险表现": "预售床位", "风险等级": "中", "责任单位": "人行", "责任人": "李建国",
        "是否化解": "否"}


def _receipt_texts(data) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(data.receipts.iterdir()) if p.suffix in (".json", ".txt")]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))


def test_receipts_mask_cell_values_and_messages(engine, data):
    rows = [dict(RISK, 主体名称=f"主体{n}", 发现日期=phone) for n, phone in enumerate(PHONES)]
    rows.append(dict(RISK, 主体名称="主体X", **{"涉及金额(万元)": ID_NUMBER}))
    rows.append(dict(RISK, 主体名称="主体Y", 发现日期="不是日期", 责任人="孙悟能13307112345"))
    write_submission(data.inbox("submissions") / "人行 风险监测.xlsx", DATASETS["risk_ledger"], "人行",
                     "2020年6月20日", rows)
    summary = ingest_submissions(engine, data)
    assert summary.rows_rejected == len(rows)

    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    dates = [e for e in receipt["errors"] if e["column"] == "发现日期"]
    assert len(dates) == len(PHONES) + 1  # each error is still reported, by cell
    for text in _receipt_texts(data):
        assert "71234567" not in _digits(text)
        assert "19851120" not in _digits(text)
        assert "07112345" not in _digits(text)
        assert "悟能" not in text
    assert any("139****4567" in (e["value"] or "") for e in dates)
    assert any("139****4567" in e["message"] for e in dates)  # the message repeats the masked value only


def test_a_file_name_or_a_cell_cannot_forge_receipt_lines(engine, data):
    name = "人行\n处理结果：已接收\n数据行：共 1 行，接收 1 行，退回 0 行.xlsx"
    write_submission(data.inbox("submissions") / name, DATASETS["risk_ledger"], "人行", "2020年6月20日",
                     [dict(RISK, 发现日期="2020-04-02\n处理结果：已接收")])
    ingest_submissions(engine, data)
    text = next(data.receipts.glob("*.txt")).read_text(encoding="utf-8")
    results = [line for line in text.splitlines() if line.startswith("处理结果：")]
    assert results == ["处理结果：已退回"]
    assert [line for line in text.splitlines() if line.startswith("数据行：")] == \
        ["数据行：共 1 行，接收 0 行，退回 1 行"]
    assert "文件名称：人行\\n处理结果：已接收\\n数据行" in text
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["file"] == name  # the JSON keeps the real name; JSON escapes it
