"""The demo's 工作任务完成情况 reports: the units report the work-plan tasks judged by report as done.

Seeded: most responsible units report a task done before its 时限, some after it, some never, so
the demo's work-plan progress shows every status. Each unit sends one workbook for each month in
which it finished something (the month of the 完成日期), in the month's period. With ``faults`` the
first unit's first workbook also names task 七, which is judged from the grid clues: that row is
rejected and its receipt says why.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from chufei.core.periods import month_period
from chufei.core.units import unit_by_code
from chufei.kinds.obligations import progress_rules
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from demo.kinds import KindFile, person

# What a unit names as the 佐证 of each reported task (the documents a real office files).
EVIDENCE = {
    "一": "印发《鄂州市防范和处置非法集资工作领导小组成员单位责任清单》",
    "二": "区处非办设立文件及专职工作人员名单",
    "三": "防范和处置非法集资工作领导小组（扩大）会议纪要",
    "四": "印发本行业防范和处置非法集资长效工作措施",
    "六": "综治考评实施方案及半年工作通报",
    "十三": "案件处置工作季度协调会会议纪要",
    "十六": "重要敏感节点涉案参与人稳控工作方案及台账",
    "二十三": "全市处非工作人员培训班通知、课件及签到表",
    "二十四": "参加省处非办学习交流活动的通知及学习总结",
    "二十五": "省处非简报刊载我市工作做法2篇",
    "二十六": "追赃挽损和涉案财物处置难点专题研究会议纪要",
}
ON_TIME, LATE = 0.7, 0.15  # the rest never report the task done


def write_task_reports(inbox: Path, year: int, seed: int, unit_codes: list[str] | None, months: list[int] | None,
                       faults: bool, emit: Callable[..., Path]) -> list[KindFile]:
    rng = random.Random(seed + 16)
    dataset = DATASETS["work_task_completion"]
    done: dict[tuple[str, int], list[dict]] = defaultdict(list)  # (unit, month) → rows
    for rule in progress_rules():
        if not rule.reported:
            continue
        for code in rule.responsible:
            draw = rng.random()
            if draw < ON_TIME:
                day = rule.deadline - timedelta(days=rng.randint(0, 45))
            elif draw < ON_TIME + LATE:
                day = rule.deadline + timedelta(days=rng.randint(3, 40))
            else:
                continue
            day = max(day, date(year, 1, 10))
            if day.year != year or (unit_codes is not None and code not in unit_codes):
                continue
            if months is not None and day.month not in months:
                continue
            done[(code, day.month)].append({"任务序号": rule.cn, "完成日期": day, "佐证材料": EVIDENCE[rule.cn]})
    written = []
    for index, ((code, month), rows) in enumerate(sorted(done.items())):
        unit, period = unit_by_code(code), month_period(year, month)
        rows, faulty = sorted(rows, key=lambda r: r["完成日期"]), {}
        if faults and index == 0:
            faulty[len(rows)] = "任务七由网格线索自动判定，无需报送"
            rows.append({"任务序号": "七", "完成日期": period.start, "佐证材料": "网格员月度巡查记录"})
        path = inbox / f"{unit.name}_{period.key}_{dataset.title}.xlsx"
        write_submission(path, dataset, unit.name, period.label, rows, person(rng),
                         f"0711-{rng.randint(3000000, 3999999)}", str(period.end))
        emit(path, period)
        written.append(KindFile(path, dataset.name, code, period.key, rows, faulty))
    return written
