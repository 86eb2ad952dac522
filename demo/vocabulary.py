"""The demo's shared vocabulary: the grid export's column labels and valid 统一社会信用代码.

A leaf module, so the inflows and the planted precursors can both use them without importing each other.
"""

from __future__ import annotations

import random

GRID_LABELS = ("线索编号", "上报时间", "区县代码", "乡镇街道", "社区村", "网格编码", "网格员工号", "发现方式",
               "主体名称", "统一社会信用代码", "地址", "行业领域", "风险表现", "估计涉及人数", "估计金额(万元)",
               "研判结果", "移交单位", "处置状态", "办结日期")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_for(rng: random.Random) -> str:
    """A random 统一社会信用代码 with a correct check character."""
    from stdnum.cn import uscc

    body = "91" + "4207" + rng.choice(["00", "02", "03", "04"]) + "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    return body + uscc.calc_check_digit(body)
