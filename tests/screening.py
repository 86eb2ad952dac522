"""Advert-screening rows and summary counts as a unit fills them in, for the tests that write workbooks."""

from __future__ import annotations

import random
from datetime import date

from demo.inflows import uscc_for

COUNTS = {"出动人次": 12, "检查户数": 40, "核查条数": 55, "线上监测条次": 1200, "清理条数": 2, "移送线索数": 1}


def advert(day: int, carrier: str = "微信", action: str = "删除", **changes) -> dict:
    base = {"排查日期": date(2020, 6, day), "填报单位": "鄂城区", "载体类型": carrier, "媒体或平台名称": "理财交流群",
            "发布主体": f"鄂州第{day}投资公司", "统一社会信用代码": uscc_for(random.Random(day)),
            "内容摘要": f"年化18%保本保息（{day}）", "命中关键词": "保本", "是否持牌": "否", "处置措施": action,
            "处置日期": date(2020, 6, day + 1)}
    return {**base, **changes}
