"""宣传教育 (publicity activities): quarterly event lists (tasks 十七–二十一).

社区/村 names the community or village an activity was held in, as the district's community list
(``include/reference/communities.csv``) spells it: the 进社区 coverage of task 二十一 counts it.
"""

from __future__ import annotations

from chufei.core.periods import Period
from chufei.kinds.rules import inside_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

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
        Column("community", "社区/村", "text", required=False, width=16),
        Column("audience", "参与人数", "count"),
        Column("materials", "发放资料份数", "count", required=False),
    ),
)


def publicity_rules(values: dict[str, object], period: Period) -> Problems:
    problems = inside_period(values, "event_date", "活动日期", period)
    if values.get("form") == "发放资料" and not values.get("materials"):
        problems.append(("materials", "活动形式为“发放资料”时必须填写发放资料份数"))
    return problems


KIND = workbook_kind(PUBLICITY, rules=(publicity_rules,))
