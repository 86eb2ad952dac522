"""The parts the row rules of the submission kinds are made of (each kind's module composes its own).

Each rule takes one row's typed values and the submission's period and returns
``(column name, message)`` pairs; an empty list means the row passes. Identifier rules use
python-stdnum (GB 32100 统一社会信用代码 mod-31, GB 11643 身份证号 mod-11) and store the valid
code in its canonical form (upper case, no spaces). docs/datasets.md lists every rule.
"""

from __future__ import annotations

from datetime import date, timedelta

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from chufei.core.periods import Period
from chufei.kinds.spec import Problems


def _last_day(period: Period) -> date:
    return period.end - timedelta(days=1)


def check_credit_code(values: dict[str, object], column: str = "credit_code", label: str = "统一社会信用代码"
                      ) -> Problems:
    code = values.get(column)
    if code is None:
        return []
    try:
        values[column] = uscc.validate(str(code))
    except stdnum_errors.InvalidChecksum:
        return [(column, f"{label}校验位错误（GB 32100-2015），请核对每一位")]
    except stdnum_errors.InvalidLength:
        return [(column, f"{label}应为 18 位")]
    except stdnum_errors.ValidationError:
        return [(column, f"{label}格式不正确（18 位数字或大写字母，不含 I、O、Z、S、V）")]
    return []


def check_id_number(values: dict[str, object], column: str, label: str) -> Problems:
    """GB 11643: 18 characters, mod-11 check character, a real birth date.

    ``ric.validate`` also looks the first six digits up in stdnum's list of birth places, which
    lacks current codes such as 420704 (鄂城区): real local ID numbers would be refused. So the
    checks are composed from stdnum's parts, without the place lookup.
    """
    number = values.get(column)
    if number is None:
        return []
    compact = ric.compact(str(number))
    if len(compact) != 18:
        return [(column, f"{label}应为 18 位")]
    if not compact[:-1].isdigit() or compact[-1] not in "0123456789X":
        return [(column, f"{label}格式不正确（17 位数字加一位数字或 X）")]
    if compact[-1] != ric.calc_check_digit(compact):
        return [(column, f"{label}校验位错误（GB 11643），请核对每一位")]
    try:
        ric.get_birth_date(compact)
    except stdnum_errors.ValidationError:
        return [(column, f"{label}中的出生日期无效")]
    values[column] = compact
    return []


def not_after_period(values: dict, column: str, label: str, period: Period) -> Problems:
    day = values.get(column)
    if isinstance(day, date) and day >= period.end:
        return [(column, f"{label} {day} 晚于报告期末（{period.label}，截至 {_last_day(period)}）")]
    return []


def inside_period(values: dict, column: str, label: str, period: Period) -> Problems:
    day = values.get(column)
    if isinstance(day, date) and not period.contains(day):
        return [(column, f"{label} {day} 不在报告期（{period.label}：{period.start} 至 {_last_day(period)}）内")]
    return []


def resolved_needs_date(values: dict, flag: str, day: str, what: str) -> Problems:
    if values.get(flag) is True and values.get(day) is None:
        return [(day, f"“是否化解”为“是”时必须填写{what}")]
    if values.get(flag) is False and values.get(day) is not None:
        return [(flag, f"已填写{what}，“是否化解”应为“是”")]
    return []


INTEGER_MAX = 2_147_483_647  # warehouse Integer (counts)
BIGINT_MAX = 9_223_372_036_854_775_807  # warehouse BigInteger (amounts in 分)


def storage_problem(column, value: object) -> str | None:
    """A number the warehouse column cannot hold, as a cell error (checked right after parsing).

    Without it, a hostile or mistyped 1E+25 would overflow the typed frame GX checks, or make
    PostgreSQL refuse the whole insert: the task would fail and retry the same file for ever.
    """
    if column.sql_kind not in ("count", "fen") or not isinstance(value, int) or isinstance(value, bool):
        return None
    if value > (INTEGER_MAX if column.sql_kind == "count" else BIGINT_MAX):
        return f"{column.label}数值过大（超出可存储范围），请核实单位和数值"
    return None
