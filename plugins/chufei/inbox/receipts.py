"""Receipts (回执): what the unit is told about each file it sent, as JSON and in Chinese."""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from chufei.core.masking import mask_text

STATUS_ZH = {"accepted": "已接收", "partially_accepted": "部分接收", "rejected": "已退回",
             "duplicate": "重复报送（与已收文件完全相同，未重复入库）"}


@dataclass
class Receipt:
    file: str
    sha256: str
    source: str
    status: str
    received_at: str  # when chufei processed it
    arrived_at: str | None = None  # when it landed in the inbox (chufei.inbox.arrival)
    dataset: str | None = None
    dataset_title: str | None = None
    unit: dict | None = None
    period: str | None = None
    period_label: str | None = None
    counts: dict = field(default_factory=lambda: {"rows": 0, "accepted": 0, "rejected": 0})
    version: int | None = None
    replaces_sha256: str | None = None
    duplicate_of: str | None = None
    message: str | None = None
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # shaped like errors; pointed out, nothing refused

    def as_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items()}


def write_receipt(receipt: Receipt, receipts_dir: Path, keep_existing: bool = False) -> Path:
    """receipts/<sha256>.json and .txt; a duplicate arrival gets <sha256>.duplicate-<n>.json so
    the first receipt stays, and so does any receipt written with ``keep_existing`` when
    <sha256>.json is already there (an abandoned upload whose bytes were also sent whole). Each
    file appears whole (written aside, then linked or renamed into place), and a duplicate's name is claimed by the link itself: two workers recording
    duplicates of the same file at once each get their own n, never one another's."""
    receipts_dir.mkdir(parents=True, exist_ok=True)
    receipt = masked(receipt)
    body = json.dumps(receipt.as_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    written = _written_aside(receipts_dir, body)
    try:
        json_path = receipts_dir / f"{receipt.sha256}.json"
        if receipt.status != "duplicate" and not keep_existing:
            os.replace(written, json_path)
        elif receipt.status == "duplicate" or not _linked(written, json_path):
            n = 1
            while True:
                json_path = receipts_dir / f"{receipt.sha256}.duplicate-{n}.json"
                try:
                    os.link(written, json_path)
                    break
                except FileExistsError:
                    n += 1
    finally:
        written.unlink(missing_ok=True)
    os.replace(_written_aside(receipts_dir, render_text(receipt)), json_path.with_suffix(".txt"))
    return json_path


def add_warnings(receipts_dir: Path, sha256: str, warnings: list[dict]) -> bool:
    """Add ``warnings`` to the receipt already written for ``sha256`` (what a later file showed
    about it, e.g. another unit reporting the same case); each message once. False when there is
    no such receipt or nothing new."""
    path = receipts_dir / f"{sha256}.json"
    if not path.is_file():
        return False
    receipt = Receipt(**json.loads(path.read_text(encoding="utf-8")))
    known = {warning.get("message") for warning in receipt.warnings}
    new = [warning for warning in masked(replace(receipt, warnings=warnings)).warnings
           if warning.get("message") not in known]
    if not new:
        return False
    receipt.warnings = [*receipt.warnings, *new]
    write_receipt(receipt, receipts_dir)
    return True


def masked(receipt: Receipt) -> Receipt:
    """The receipt as units may read it: every ID and mobile number (and a name written before
    one) masked as in exports, in the file name, the message and each problem's value, message,
    sheet and column. Personal columns' values are masked already where the problem is found."""
    def mask(value: object) -> object:
        return mask_text(value) if isinstance(value, str) else value

    def masked_list(problems: list[dict]) -> list[dict]:
        return [{key: mask(value) for key, value in problem.items()} for problem in problems]

    return replace(receipt, file=mask(receipt.file), message=mask(receipt.message),
                   errors=masked_list(receipt.errors), warnings=masked_list(receipt.warnings))


def one_line(value: object) -> str:
    """Text shown on one line of the text receipt: line breaks, tabs and other control or
    format characters (a right-to-left override…) escaped as \\n, \\uXXXX, so a file name or a cell
    can never forge a line such as “处理结果：已接收”."""
    out = []
    for char in str(value):
        if char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    return True


def _written_aside(folder: Path, text: str) -> Path:
    """``text`` in a hidden file of ``folder`` (same file system, so it can be linked or renamed)."""
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".receipt-", suffix=".tmp")
    os.chmod(name, 0o644)  # mkstemp's 0600 would hide receipts from the office's other accounts
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(name)


def _local_time(instant: str) -> str:
    """The receipt's UTC instant as the unit reads it: Beijing time."""
    from datetime import datetime

    from chufei.core.periods import TZ as TIMEZONE

    try:
        return datetime.fromisoformat(instant).astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S（北京时间）")
    except ValueError:
        return instant


def render_text(receipt: Receipt) -> str:
    """The receipt a person reads: what was received, the verdict, and each problem by cell."""
    lines = ["鄂州市处非办 报送回执", "",
             f"文件名称：{one_line(receipt.file)}",
             f"文件指纹(SHA-256)：{receipt.sha256}",
             *([f"到达时间：{_local_time(receipt.arrived_at)}"] if receipt.arrived_at else []),
             f"接收时间：{_local_time(receipt.received_at)}"]
    if receipt.dataset_title:
        lines.append(f"报表种类：{one_line(receipt.dataset_title)}")
    if receipt.unit:
        lines.append(f"填报单位：{one_line(receipt.unit['name'])}（{receipt.unit['code']}）")
    if receipt.period_label:
        lines.append(f"报告期：{one_line(receipt.period_label)}")
    lines.append(f"处理结果：{STATUS_ZH[receipt.status]}")
    counts = receipt.counts
    lines.append(f"数据行：共 {counts['rows']} 行，接收 {counts['accepted']} 行，退回 {counts['rejected']} 行")
    if receipt.version:
        replaced = f"，替换此前版本（{receipt.replaces_sha256[:12]}…）" if receipt.replaces_sha256 else ""
        lines.append(f"入库版本：第 {receipt.version} 版{replaced}")
    if receipt.duplicate_of:
        lines.append(f"说明：本文件与此前报送的文件完全相同，以首次报送的回执为准（{receipt.duplicate_of}.json）。")
    if receipt.message:
        lines.append(f"退回原因：{one_line(receipt.message)}")
    for title, problems in (("问题明细（请按单元格位置修改后重新报送整个文件）：", receipt.errors),
                            ("提醒（不影响本次入库，请核对）：", receipt.warnings)):
        if problems:
            lines += ["", title] + [f"{number}. {_problem(problem)}" for number, problem in enumerate(problems, 1)]
    if receipt.status in ("partially_accepted", "rejected"):
        lines += ["", "更正后请重新报送完整文件；同一单位同一报告期的新文件将替换旧版本。"]
    return "\n".join(lines) + "\n"


def _problem(error: dict) -> str:
    where = "，".join(part for part in (
        f"工作表“{one_line(error['sheet'])}”" if error.get("sheet") else "",
        f"第 {error['row']} 行" if error.get("row") else "",
        f"“{one_line(error['column'])}”列" if error.get("column") else "",
        f"单元格 {one_line(error['cell'])}" if error.get("cell") else "") if part)
    value = f"（填写值：{one_line(error['value'])}）" if error.get("value") not in (None, "") else ""
    return f"{where}：{one_line(error['message'])}{value}"
