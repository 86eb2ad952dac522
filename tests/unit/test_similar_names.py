"""The register's similar-name lookup finds exactly the keys a full rapidfuzz scan finds, in the
same order (best score first, then the key added first), whether the keys are indexed by their
deletion variants or, for the keys already in the register, compared by cdist; and a register
loaded at once resolves as one that indexed its entities one by one."""

from __future__ import annotations

import random
from datetime import date

import pytest
from rapidfuzz import fuzz

from chufei.warehouse.entities import _Register, _SimilarNames


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


def test_a_register_loaded_at_once_resolves_as_one_indexed_entity_by_entity():
    """``_Register.load`` keeps only what the asked names can look up (their keys' entities, the
    codes): the new records resolve to the same entities as against a register that indexed
    every entity in turn, whatever their code, district or near copy."""
    rng = random.Random(7)
    names = _names(600, seed=3)
    places = ["420702", "420703", "420704", None]
    existing = [(f"ZT{n:04d}", rng.choice(places), key, rng.choice([None, None, f"C{n % 40}"]))
                for n, key in enumerate(names[:450])]
    records = []
    for n in range(300):
        entity_id, district, key, code = rng.choice(existing)
        kind = n % 5
        if kind == 0:  # its own key, another code: found by name only where the code allows
            records.append((rng.choice(places), key, f"C{rng.randrange(60)}"))
        elif kind == 1:  # a code known in another district
            records.append((rng.choice(places), names[450 + n % 150], code or f"C{n % 40}"))
        elif kind == 2:  # a near copy or a new name, from any district or a city department
            records.append((rng.choice(places), names[450 + n % 150], None))
        else:
            records.append((district if kind == 3 else rng.choice(places), key, None))
    reference = _Register({}, set())
    for row in existing:
        reference._index(*row)
    loaded = _Register({}, set())
    loaded.load(existing, [(district, key) for district, key, _ in records])
    first = date(2021, 1, 2)
    resolved = [(loaded.resolve(d, k, c, k, first), reference.resolve(d, k, c, k, first)) for d, k, c in records]
    assert [a for a, _ in resolved] == [b for _, b in resolved]
    assert loaded.new == reference.new
    assert loaded.gained_codes == reference.gained_codes
    assert sum(a in {row[0] for row in existing} for a, _ in resolved) > 100  # most found, some founded
    assert loaded.new
