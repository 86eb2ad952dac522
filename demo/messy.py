"""Values typed the way units really type them: dates and amounts in every common style."""

from __future__ import annotations

import random
from datetime import date, datetime

_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def messy_date(rng: random.Random, day: date) -> object:
    style = rng.randint(0, 4)
    if style == 0:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 2:
        return (day - date(1899, 12, 30)).days  # an Excel serial typed as a number
    return datetime(day.year, day.month, day.day)


def messy_amount(rng: random.Random, fen: int) -> object:
    wan = f"{fen / 1_000_000:.2f}"
    style = rng.randint(0, 5)
    if style == 0:
        return f"{float(wan):,.2f}"
    if style == 1:
        return wan + "万"
    if style == 2:
        return wan.translate(_FULL_WIDTH)
    if style == 3:
        return f" {wan} "
    return float(wan)
