"""The register's similar-name lookup finds exactly the keys a full rapidfuzz scan finds, in the
same order (best score first, then the key added first), whether the keys are indexed by their
deletion variants or, for the keys already in the register, compared by cdist."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz

from chufei.warehouse.entities import _SimilarNames


def _names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    base = [rng.choice("鑫源恒通众诚投资管理农业开发合作社科技") * rng.randint(1, 2) for _ in range(12)]
    names = []
    for _ in range(count):
        word = "".join(rng.choice(base) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.5 and names:  # a near copy of an earlier name: an edit or two
            word = list(rng.choice(names))
            for _ in range(rng.randint(1, 2)):
                where = rng.randrange(len(word) + 1)
                if rng.random() < 0.5 and len(word) > 1:
                    del word[min(where, len(word) - 1)]
                else:
                    word.insert(where, rng.choice("汇丰达"))
            word = "".join(word)
        names.append(word[:26])
    return names


def _full_scan(key: str, keys: list[str], cutoff: float) -> list[tuple[float, int]]:
    found = [(fuzz.ratio(key, other), position) for position, other in enumerate(keys)]
    return sorted(((s, p) for s, p in found if s >= cutoff), key=lambda item: (-item[0], item[1]))


@pytest.mark.parametrize("cutoff", [90, 80])
@pytest.mark.parametrize("scanned", [0, 150])
def test_lookup_finds_what_a_full_scan_finds(cutoff, scanned):
    names = _names(400, seed=cutoff + scanned)
    index = _SimilarNames(cutoff)
    for position, name in enumerate(names[:scanned]):
        index.add(name, f"E{position}", scanned=True)
    index.scan(names[scanned:])
    matched = 0
    for position in range(scanned, len(names)):
        key = names[position]
        assert index.best(key, limit=10**6) == _full_scan(key, names[:position], cutoff), key
        matched += bool(index.best(key))
        index.add(key, f"E{position}")
    assert matched > 50  # the names are near enough to one another for the test to mean something
