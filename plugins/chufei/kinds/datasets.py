"""What each submission kind contains: its columns, their Chinese labels and types.

One spec drives the template, the reader, normalisation, the warehouse columns and the receipt's
column names, so a column is described once. The documented column sets are in
docs/datasets.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable

from chufei.core import normalise
from chufei.core.settings import code_lists


@dataclass(frozen=True)
class Column:
    name: str  # warehouse column
    label: str  # header text in the template
    kind: str  # text | date | amount_wan | amount_yuan | count | flag | choice
    required: bool = True
    choices: str | None = None  # key into include/reference/code_lists.json
    personal: bool = False  # masked in every receipt, export and log
    pseudonymised: bool = False  # never stored in clear: the warehouse keeps a keyed hash only
    width: int = 14

    def parse(self, value: object) -> object:
        if self.kind == "choice":
            return normalise.parse_choice(value, code_lists()[self.choices or ""])
        return _PARSERS[self.kind](value)

    @property
    def sql_kind(self) -> str:
        return {"amount_wan": "fen", "amount_yuan": "fen"}.get(self.kind, self.kind)


_PARSERS: dict[str, Callable[[object], object]] = {
    "text": normalise.clean_text,
    "date": normalise.parse_date,
    "amount_wan": normalise.parse_amount_wan,
    "amount_yuan": normalise.parse_amount_yuan,
    "count": normalise.parse_count,
    "flag": normalise.parse_flag,
}


@dataclass(frozen=True)
class Dataset:
    name: str  # also the GX suite file name and the warehouse table stem
    title: str  # 案件台账: the workbook title and sheet name
    period_kind: str  # the period a submission covers
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique within one submission
    aliases: tuple[str, ...] = field(default=())  # other titles people give the sheet

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def labels(self) -> dict[str, Column]:
        return {column.label: column for column in self.columns}


CASE_LEDGER = Dataset(
    name="case_ledger",
    title="案件台账",
    period_kind="month",
    key=("case_no",),
    aliases=("非法集资案件台账", "案件统计台账"),
    columns=(
        Column("case_no", "案件编号", "text", width=18),
        Column("case_name", "案件名称", "text", width=28),
        Column("filed_date", "立案日期", "date", width=12),
        Column("handling_unit", "承办单位", "text", width=18),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("amount_fen", "涉案金额(万元)", "amount_wan"),
        Column("participants", "集资参与人数", "count"),
        Column("cross_region", "是否跨区域", "flag", width=10),
        Column("stage", "处置阶段", "choice", choices="处置阶段", width=10),
        Column("recovered_fen", "已追缴资产(万元)", "amount_wan", required=False),
        Column("unpaid_principal_fen", "核实未兑付本金(万元)", "amount_wan", required=False),
        Column("repaid_fen", "已清退金额(万元)", "amount_wan", required=False),
        Column("repaid_people", "已清退人数", "count", required=False),
        Column("is_old_case", "是否陈案", "flag", width=10),
        Column("closed_date", "结案日期", "date", required=False, width=12),
    ),
)

RISK_LEDGER = Dataset(
    name="risk_ledger",
    title="风险监测台账",
    period_kind="half",  # snapshots due 6月20日 (H1) and 12月10日 (H2)
    key=("subject_name",),
    aliases=("非法集资风险监测台账",),
    columns=(
        Column("subject_name", "主体名称", "text", width=26),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("subject_type", "主体类型", "choice", choices="主体类型"),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("clue_source", "线索来源", "choice", choices="线索来源"),
        Column("found_date", "发现日期", "date", width=12),
        Column("risk_signs", "风险表现", "text", width=24),
        Column("people", "涉及人数", "count", required=False),
        Column("amount_fen", "涉及金额(万元)", "amount_wan", required=False),
        Column("risk_level", "风险等级", "choice", choices="风险等级", width=10),
        Column("monitoring", "监测措施", "text", required=False, width=20),
        Column("responsible_unit", "责任单位", "text"),
        Column("responsible_person", "责任人", "text", personal=True),
        Column("rectification", "整改措施", "text", required=False, width=20),
        Column("rectify_deadline", "整改时限", "date", required=False, width=12),
        Column("progress", "处置进展", "text", required=False, width=20),
        Column("resolved", "是否化解", "flag", width=10),
        Column("resolved_date", "化解/销号日期", "date", required=False, width=12),
    ),
)

REPORT_REWARD = Dataset(
    name="report_reward",
    title="举报奖励",
    period_kind="quarter",
    key=("report_no",),
    aliases=("举报奖励统计", "非法集资举报奖励统计"),
    columns=(
        Column("report_no", "举报编号", "text", width=18),
        Column("received_date", "受理日期", "date", width=12),
        Column("channel", "来源渠道", "choice", choices="来源渠道"),
        Column("clue_level", "线索等级", "choice", choices="线索等级"),
        Column("is_valid", "是否有效线索", "flag"),
        Column("reporter_name", "举报人", "text", required=False, personal=True, pseudonymised=True),
        Column("reporter_id_no", "举报人身份证号", "text", required=False, personal=True, pseudonymised=True,
               width=22),
        Column("is_paid", "是否兑现", "flag", width=10),
        Column("reward_people", "奖励人数", "count", required=False),
        Column("reward_fen", "奖励金额(元)", "amount_yuan", required=False),
        Column("paid_date", "兑现日期", "date", required=False, width=12),
    ),
)

OLD_CASE_PROGRESS = Dataset(
    name="old_case_progress",
    title="陈案处置进展",
    period_kind="month",
    key=("case_no",),
    aliases=("非法集资陈案处置进展",),
    columns=(
        Column("case_no", "案件编号", "text", width=18),
        Column("case_name", "案件名称", "text", width=28),
        Column("filed_date", "立案日期", "date", width=12),
        Column("unpaid_principal_fen", "核实未兑付本金(万元)", "amount_wan"),
        Column("repaid_fen", "累计清退金额(万元)", "amount_wan"),
        Column("repaid_people", "累计清退人数", "count", required=False),
        Column("stage", "处置阶段", "choice", choices="处置阶段", width=10),
        Column("resolved", "是否化解", "flag", width=10),
        Column("resolved_date", "化解日期", "date", required=False, width=12),
        Column("progress_note", "进展情况", "text", required=False, width=30),
    ),
)

RISK_WARNING = Dataset(
    name="risk_warning",
    title="风险提示",
    period_kind="quarter",
    key=("issued_date", "title"),
    aliases=("风险提示情况", "向社会提示风险"),
    columns=(
        Column("issued_date", "发布日期", "date", width=12),
        Column("title", "提示标题", "text", width=30),
        Column("channel", "发布渠道", "choice", choices="提示渠道"),
        Column("reach", "覆盖人数", "count", required=False),
        Column("note", "备注", "text", required=False, width=20),
    ),
)

ADMIN_ACTION = Dataset(
    name="admin_action",
    title="行政处置",
    period_kind="quarter",
    key=("action_date", "subject_name", "action_type"),
    aliases=("行政处置情况",),
    columns=(
        Column("action_date", "处置日期", "date", width=12),
        Column("subject_name", "处置对象", "text", width=26),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("action_type", "处置方式", "choice", choices="处置方式"),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("result", "处置结果", "text", required=False, width=20),
        Column("penalty_fen", "罚没金额(万元)", "amount_wan", required=False),
    ),
)

PUBLICITY = Dataset(
    name="publicity",
    title="宣传教育",
    period_kind="quarter",
    key=("event_date", "title"),
    aliases=("宣传教育活动", "防范非法集资宣传教育"),
    columns=(
        Column("event_date", "活动日期", "date", width=12),
        Column("title", "活动名称", "text", width=30),
        Column("form", "活动形式", "choice", choices="活动形式"),
        Column("location", "活动地点", "text", required=False, width=20),
        Column("audience", "参与人数", "count"),
        Column("materials", "发放资料份数", "count", required=False),
    ),
)

DATASETS: dict[str, Dataset] = {dataset.name: dataset for dataset in (
    CASE_LEDGER, RISK_LEDGER, REPORT_REWARD, OLD_CASE_PROGRESS, RISK_WARNING, ADMIN_ACTION, PUBLICITY)}
