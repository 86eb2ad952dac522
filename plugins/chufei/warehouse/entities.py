"""The entity register (主体库): every subject the inflows name, resolved into one entity each.

    update_register(engine) -> dict     # read what arrived since the last run, resolve, record

Sources: grid clues (主体名称, 统一社会信用代码, 区县代码, 网格编码), advert screening (发布主体),
风险监测台账 (主体名称), 案件台账 (the subject in 案件名称, without its charge), 行政处置 (处置对象),
举报奖励 (被举报对象, where the unit filled it in).

How a record finds its entity, in this order:

1. a checksum-valid 统一社会信用代码 (``stdnum.cn.uscc``) that an entity already has, in any district;
2. the same normalised name in the same district (full-width → half-width, no spaces or
   brackets, without the 鄂州市/district prefixes and the 有限公司/有限责任公司/股份有限公司
   suffixes of ``include/reference/early_warning.json``), unless both carry different valid codes;
3. a similar normalised name in the same district: rapidfuzz ``fuzz.ratio`` at or above the
   reference data's ``name_score_cutoff``;
4. otherwise it founds a new entity, whose id (``ZT`` + 10 hexadecimal digits) is a hash of that
   first record's district, name and code, so a rebuild gives the same ids.

A record of a city department (no district) matches entities of any district. Officers' decisions
are ``include/reference/entity_overrides.csv``: ``merge`` (``name`` is the same subject as
``other_name``) and ``split`` (never match the two by similarity). When the overrides or the
matching settings change, the next run rebuilds the register from the whole history; otherwise
each run reads only the rows that arrived since each inflow's high-water mark
(``entity_source_mark``: the last submission id, the grid's last ``loaded_at``), so a run costs in
proportion to what is new. A correction of a row (same clue number, same case number, …) replaces
its event.

The grid's history is never handled row by row in Python: its new versions are selected in the
database, only their distinct (district, name, code) combinations are resolved, and the events are
written by one INSERT … SELECT joined to the resolved combinations (docs/early_warning.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache

import pandas as pd
from sqlalchemy import Column, MetaData, Table, Text, delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import TextClause

from chufei.core.settings import REFERENCE_DIR, early_warning_config
from chufei.core.sql import driver_rows, run_sql, statement
from chufei.core.units import units
from chufei.warehouse.bulk import insert_rows
from chufei.warehouse.entity_schema import (entity, entity_event, entity_score_mark, entity_source_mark, entity_touched,
                                             entity_warning)
from chufei.warehouse.grid_marks import EPOCH, loaded_mark, loaded_since
from chufei.warehouse.upgrade import ensure_schema

OVERRIDES = REFERENCE_DIR / "entity_overrides.csv"
FINGERPRINT = "register.fingerprint"  # the entity_source_mark row of the settings the register was built with
_PERSON = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·]{1,3}$")
_BRACKETS = re.compile(r"[()\[\]{}<>（）【】〔〕《》「」]")
_SPACES = re.compile(r"\s+")
EVENT_COLUMNS = ("source", "source_key", "event_date", "district_code", "subject_name", "credit_code",
                 "file_sha256", "row_no", "grid_code", "signs", "advert_hits", "licensed", "risk_level",
                 "action_type", "amount_fen")


# --- Names and codes --------------------------------------------------------------------------

def _strip_affixes(series: pd.Series, prefixes: Iterable[str], suffixes: Iterable[str]) -> pd.Series:
    def alternatives(words: Iterable[str]) -> str:
        return "|".join(re.escape(w) for w in sorted({unicodedata.normalize("NFKC", w) for w in words}, key=len,
                                                     reverse=True))

    out = series
    if prefixes:
        out = out.str.replace(f"^(?:{alternatives(prefixes)})+", "", regex=True)
    if suffixes:
        stripped = out.str.replace(f"(?:{alternatives(suffixes)})$", "", regex=True)
        out = stripped.where(stripped.str.len() > 0, out)  # a name that is only a suffix keeps it
    return out


def clean_names(names: pd.Series) -> pd.Series:
    """Names as written, made comparable for display: NFKC, spaces folded."""
    return names.fillna("").astype(str).str.normalize("NFKC").str.replace(_SPACES, " ", regex=True).str.strip()


def name_keys(names: pd.Series) -> pd.Series:
    """The normalised names records are matched on (vectorised): see the module docstring."""
    matching = early_warning_config()["matching"]
    keys = clean_names(names).str.replace(_SPACES, "", regex=True).str.replace(_BRACKETS, "", regex=True)
    return _strip_affixes(keys, matching["name_prefixes"], matching["name_suffixes"])


def name_key(name: str) -> str:
    return name_keys(pd.Series([name])).iloc[0]


def case_subjects(case_names: pd.Series) -> pd.Series:
    """The subject named in a 案件名称: the name without its charge (…非法吸收公众存款案)."""
    return _strip_affixes(clean_names(case_names), (), early_warning_config()["matching"]["case_name_suffixes"])


def valid_codes(codes: pd.Series) -> pd.Series:
    """Checksum-valid 统一社会信用代码 in canonical form; anything else becomes None."""
    from stdnum.cn import uscc

    text = codes.where(codes.notna(), None)
    unique = {value: (uscc.compact(str(value)) if uscc.is_valid(str(value)) else None)
              for value in pd.unique(text.dropna())}
    return text.map(lambda value: unique.get(value) if value is not None else None)


# --- Risk signs and advert phrases -------------------------------------------------------------

@cache
def _automaton(what: str):  # noqa: ANN202 - ahocorasick.Automaton, imported lazily
    import ahocorasick

    config = early_warning_config()
    phrases = ({p: sign for sign, ps in config["risk_signs"].items() for p in ps} if what == "signs"
               else {p: p for p in config["advert_phrases"]})
    automaton = ahocorasick.Automaton()
    for phrase, label in phrases.items():
        automaton.add_word(unicodedata.normalize("NFKC", phrase), label)
    automaton.make_automaton()
    return automaton


def phrase_hits(texts: pd.Series, what: str) -> pd.Series:
    """The labels found in each text (``signs``: 高额回报/保本保息/拉人头; ``adverts``: the code-listed
    advert phrases), sorted and joined with 、; None where none is found."""
    automaton = _automaton(what)

    def hits(text: object) -> str | None:
        if not isinstance(text, str) or not text:
            return None
        found = sorted({label for _, label in automaton.iter(unicodedata.normalize("NFKC", text))})
        return "、".join(found) or None

    return texts.map(hits)


# --- Reading the inflows since their marks -----------------------------------------------------

def _territorial() -> set[str]:
    return {unit.code for unit in units() if unit.kind == "territorial"}


def _frame(connection: Connection, sql: str, **params: object) -> pd.DataFrame:
    result = run_sql(connection, sql, **params)
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))


def _as_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.date


def _marks(connection: Connection) -> dict[str, str]:
    return dict(connection.execute(select(entity_source_mark.c.source, entity_source_mark.c.mark)).all())


def _grid_since(marks: dict[str, str]) -> datetime:
    # the versions a load still committing at the last run held are dropped in entity_grid_new.sql
    return loaded_since(marks.get("grid"))


def _over_new_grid(name: str, since: datetime) -> TextClause:
    """include/sql/<name>.sql over ``new``, the grid clue versions not taken in yet
    (entity_grid_new.sql; in a rebuild, from the start, every clue's latest: entity_grid_all.sql)."""
    new = statement("entity_grid_all" if since == EPOCH else "entity_grid_new").text.strip()
    return text(f"WITH new AS (\n{new}\n)\n{statement(name).text}")


def _grid_subjects(connection: Connection, since: datetime) -> tuple[pd.DataFrame, str | None]:
    """The distinct subjects of the new grid clue versions, prepared as records are (names cleaned
    and keyed, codes checked, persons flagged), with their first record and record count; the
    risk-sign texts met; and the mark reached (None: nothing new was loaded)."""
    mark = loaded_mark(connection, since)
    if mark is None:
        return pd.DataFrame(), None
    result = connection.execute(_over_new_grid("entity_grid_subjects", since), {"since": since})
    rows = pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
    return rows, mark


def _grid_combos(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(subjects, risk-sign texts): one row per subject as written, ordered by its first record."""
    texts = sorted(set(rows["risk_signs"].dropna()))
    combos = rows.groupby(["district_code", "subject_name", "credit_code"], as_index=False, sort=False).agg(
        first_seen=("first_seen", "min"), records=("records", "sum"))
    combos["written_code"] = combos["credit_code"]
    combos["raw_name"] = combos["subject_name"]
    combos["subject_name"] = clean_names(combos["subject_name"])
    combos = combos[combos["subject_name"].str.len() > 0].copy()
    combos["credit_code"] = valid_codes(combos["credit_code"].where(combos["credit_code"] != "", None))
    combos["name_key"] = name_keys(combos["subject_name"])
    combos["person"] = combos["subject_name"].str.match(_PERSON) & combos["credit_code"].isna()
    combos["event_date"] = combos["first_seen"].str[:10].map(date.fromisoformat)
    return combos.sort_values("first_seen", kind="stable").reset_index(drop=True), texts


def _submission_rows(connection: Connection, marks: dict[str, str], source: str) -> tuple[pd.DataFrame, str | None]:
    rows = _frame(connection, f"entity_inflow_{source}", after_id=int(marks.get(source, 0)))
    if rows.empty:
        return rows, None
    territorial = _territorial()
    event_date = _as_dates(rows["event_date"]).where(rows["event_date"].notna(), _as_dates(rows["period_start"]))
    out = pd.DataFrame({"source": source, "event_date": event_date,
                        "district_code": rows["unit_code"].where(rows["unit_code"].isin(territorial), None),
                        "file_sha256": rows["file_sha256"], "row_no": rows["row_no"]})
    unit = rows["unit_code"].astype(str)
    if source == "case_ledger":
        out["subject_name"] = case_subjects(rows["subject_name"])
        out["source_key"] = unit + ":" + rows["case_no"].astype(str)
    elif source == "report_reward":
        out["subject_name"] = rows["subject_name"]
        out["source_key"] = unit + ":" + rows["report_no"].astype(str)
    else:
        out["subject_name"] = rows["subject_name"]
        out["credit_code"] = rows["credit_code"]
    if source == "risk_ledger":
        # One event per unit and subject, the latest snapshot's: the ledger is cumulative, so the
        # same subject listed again half a year later is not new evidence (its level may change).
        out["source_key"] = unit + ":" + clean_names(rows["subject_name"])
        out["signs_text"], out["risk_level"] = rows["signs_text"], rows["risk_level"]
        out["person"] = rows["subject_type"].eq("自然人")
    elif source == "admin_action":
        out["source_key"] = (unit + ":" + event_date.astype(str) + ":" + clean_names(rows["subject_name"])
                             + ":" + rows["action_type"].astype(str))
        out["action_type"] = rows["action_type"]
    elif source == "ad_screening":
        out["source_key"] = (unit + ":" + event_date.astype(str) + ":" + rows["platform"].astype(str) + ":"
                             + clean_names(rows["subject_name"]) + ":" + rows["summary"].astype(str))
        out["advert_text"] = rows["keywords"].fillna("") + " " + rows["summary"].fillna("")
        out["signs_text"] = out["advert_text"]
        out["licensed"] = rows["licensed"]
    if "amount_fen" in rows:
        out["amount_fen"] = rows["amount_fen"]
    out = out.drop_duplicates("source_key", keep="last")
    return out, str(int(rows["mark"].max()))


SOURCES = ("grid", "ad_screening", "risk_ledger", "case_ledger", "admin_action", "report_reward")


def submission_records(connection: Connection, marks: dict[str, str]):
    """Each unit-submission inflow's rows since its mark, as register records, with the mark they reach."""
    for source in SOURCES[1:]:
        frame, mark = _submission_rows(connection, marks, source)
        if mark is not None:
            yield _prepared(frame), {source: mark}


def _prepared(records: pd.DataFrame) -> pd.DataFrame:
    """Names cleaned and keyed, codes checked, persons flagged, signs and advert phrases found."""
    records = records.copy()
    for column in ("credit_code", "grid_code", "signs_text", "advert_text", "licensed", "risk_level", "action_type",
                   "amount_fen", "person"):
        if column not in records:
            records[column] = None
    if records.empty:
        return records.assign(name_key=None, signs=None, advert_hits=None)
    records["subject_name"] = clean_names(records["subject_name"])
    records = records[(records["subject_name"].str.len() > 0) & records["event_date"].notna()].copy()
    records["credit_code"] = valid_codes(records["credit_code"])
    records["name_key"] = name_keys(records["subject_name"])
    records["person"] = records["person"].fillna(False).astype(bool) | (
        records["subject_name"].str.match(_PERSON) & records["credit_code"].isna())
    records["signs"] = phrase_hits(records["signs_text"], "signs")
    records["advert_hits"] = phrase_hits(records["advert_text"], "adverts")
    return records.sort_values(["event_date", "source", "source_key"], kind="stable").reset_index(drop=True)


# --- Overrides ----------------------------------------------------------------------------------

def load_overrides(path=None) -> tuple[dict[tuple[str | None, str], str], set[frozenset[str]]]:  # noqa: ANN001
    """``merge`` rows: (district or None, name key) → the key it is the same subject as;
    ``split`` rows: pairs of keys never matched by similarity."""
    merges: dict[tuple[str | None, str], str] = {}
    splits: set[frozenset[str]] = set()
    path = path or OVERRIDES
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), 2):
            action = (row.get("action") or "").strip()
            name, other = name_key(row.get("name") or ""), name_key(row.get("other_name") or "")
            if not name or not other:
                raise ValueError(f"{path.name} 第 {line} 行：name 和 other_name 都必须填写")
            district = (row.get("district_code") or "").strip() or None
            if action == "merge":
                merges[(district, name)] = other
            elif action == "split":
                splits.add(frozenset((name, other)))
            else:
                raise ValueError(f"{path.name} 第 {line} 行：action 应为 merge 或 split，而不是“{action}”")
    return merges, splits


def settings_fingerprint(path=None) -> str:  # noqa: ANN001
    """What the resolution depends on besides the data: the overrides and the matching settings."""
    path = path or OVERRIDES
    config = early_warning_config()
    relevant = json.dumps({k: config[k] for k in ("matching", "risk_signs", "advert_phrases")},
                          ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(path.read_bytes() + relevant.encode("utf-8")).hexdigest()


# --- Resolution -----------------------------------------------------------------------------------

def entity_id_for(district: str | None, key: str, code: str | None) -> str:
    digest = hashlib.sha256(f"{district or ''}|{key}|{code or ''}".encode()).hexdigest()
    return "ZT" + digest[:10].upper()


class _SimilarNames:
    """The name keys of one district, and for a name the keys within ``fuzz.ratio`` ≥ the cutoff,
    best first (then in the order the keys were added), without scanning them all.

    ``fuzz.ratio`` is 100 × (1 − d / (len a + len b)), d the insertions and deletions that turn one
    key into the other: d = i + j when a loses i characters and b loses j to reach their longest
    common subsequence v, and the pair is within the cutoff exactly when i + j ≤ bound × len v
    (``_most``). So each key up to ``_SHORT`` characters is indexed under the strings it gives by
    deleting j characters, for each j that bound allows, and a name looks up its own such strings
    (i deletions) under the j that are left: the candidates are exactly the keys within the cutoff,
    each then scored by rapidfuzz itself. Longer keys (many variants each) are kept in a list
    scanned with rapidfuzz. Keys already in the register when the run starts can instead be
    ``scanned``: the names the run will ask about are then compared with all of them at once by
    rapidfuzz's ``cdist``, which costs less than indexing a large register for a few new names."""

    _SHORT = 13  # longest key indexed by its variants
    _QUERY = 20  # longest name looked up by its variants (a longer one is compared with every key)

    def __init__(self, cutoff: float) -> None:
        from fractions import Fraction

        self.cutoff = cutoff
        slack = 1 - Fraction(cutoff).limit_denominator(10**6) / 100
        bound = 2 * slack / (1 - slack) if slack < 1 else None  # deletions per character of v, at most
        self._most = None if bound is None else [int(bound * length) for length in range(self._QUERY + 1)]
        self.pairs: list[tuple[str, str]] = []  # (key, entity id) in the order they were added
        # hash((variant, j)) → the position, or the positions, of the keys deleting j characters to reach
        # variant: hashes, not strings, keep a large register's index small; a collision only adds a
        # candidate, which its score then rejects
        self.by_variant: dict[int, int | list[int]] = {}
        self.long: list[int] = []  # positions in pairs of the keys scanned
        self.scanned = 0  # pairs[:scanned] are compared by cdist, not indexed
        self._found: dict[str, list[tuple[float, int]]] = {}  # name → its matches among pairs[:scanned]

    def _variants(self, key: str) -> dict[str, int]:
        """The strings ``key`` gives by deleting characters, each with how many, as far as the bound allows."""
        found = {key: 0}
        level = {key}
        for count in range(1, len(key) + 1):
            if count > self._most[len(key) - count]:
                break
            level = {v[:i] + v[i + 1:] for v in level for i in range(len(v))}
            for variant in level:
                found.setdefault(variant, count)
        return found

    def add(self, key: str, entity_id: str, scanned: bool = False) -> None:
        position = len(self.pairs)
        self.pairs.append((key, entity_id))
        if scanned:  # only while the register's existing keys are read in
            self.scanned = position + 1
            return
        if self._most is None or len(key) > self._SHORT:
            self.long.append(position)
            return
        index = self.by_variant
        for variant, count in self._variants(key).items():
            slot = hash((variant, count))
            held = index.get(slot)
            if held is None:
                index[slot] = position
            elif isinstance(held, int):
                index[slot] = [held, position]
            else:
                held.append(position)

    def scan(self, names: Iterable[str]) -> None:
        """Compare ``names`` with the scanned keys in one ``cdist`` (chunked: bounded memory)."""
        import numpy as np
        from rapidfuzz import fuzz, process

        asked = [n for n in dict.fromkeys(names) if n not in self._found]
        if not asked or not self.scanned:
            self._found.update((n, []) for n in asked)
            return
        keys = [key for key, _ in self.pairs[:self.scanned]]
        for start in range(0, len(asked), 64):
            chunk = asked[start:start + 64]
            # float32 scores only choose the candidates; each is scored again as best() does
            scores = process.cdist(chunk, keys, scorer=fuzz.ratio, score_cutoff=self.cutoff - 0.01,
                                   dtype=np.float32, workers=-1) if self.cutoff > 0.01 else None
            near: dict[int, list[int]] = {}
            if scores is not None:
                for row, column in zip(*np.nonzero(scores), strict=True):
                    near.setdefault(int(row), []).append(int(column))
            for row, name in enumerate(chunk):
                candidates = range(len(keys)) if scores is None else near.get(row, ())
                hits = ((fuzz.ratio(name, keys[p]), p) for p in candidates)
                self._found[name] = [(score, p) for score, p in hits if score >= self.cutoff]

    def _indexed(self, key: str) -> Iterable[int]:
        if self._most is None or len(key) > self._QUERY:
            return range(self.scanned, len(self.pairs))  # every key added since
        positions: set[int] = set(self.long)
        index = self.by_variant
        for variant, count in self._variants(key).items():
            for deleted in range(self._most[len(variant)] - count + 1):
                held = index.get(hash((variant, deleted)))
                if held is None:
                    continue
                if isinstance(held, int):
                    positions.add(held)
                else:
                    positions.update(held)
        return positions

    def best(self, key: str, limit: int = 10) -> list[tuple[float, int]]:
        """(score, position) of the ``limit`` best keys at or above the cutoff, as
        ``process.extract`` over all the keys in order would give them."""
        from rapidfuzz import fuzz

        found = []
        if self.scanned:
            if key not in self._found:
                self.scan([key])
            found += self._found[key]
        for position in self._indexed(key):
            score = fuzz.ratio(key, self.pairs[position][0], score_cutoff=self.cutoff)
            if score >= self.cutoff:
                found.append((score, position))
        found.sort(key=lambda item: (-item[0], item[1]))
        return found[:limit]


class _Register:
    """The entities known so far, indexed for the four steps of the module docstring."""

    # Up to this many new names of a district are compared with its existing keys by cdist;
    # beyond it, indexing the existing keys costs less.
    SCAN_NAMES = 5000

    def __init__(self, merges, splits) -> None:  # noqa: ANN001
        self.by_code: dict[str, str] = {}
        self.by_name: dict[tuple[str | None, str], list[str]] = {}
        self.keys: dict[str | None, _SimilarNames] = {}  # district → its keys, for similar names
        self.cutoff = early_warning_config()["matching"]["name_score_cutoff"]
        self.code_of: dict[str, str | None] = {}
        self.merges, self.splits = merges, splits
        self.new: dict[str, dict] = {}
        self.gained_codes: dict[str, str] = {}

    def load(self, existing: list[tuple], names: Iterable[tuple[str | None, str]]) -> None:
        """The entities already in the register ((entity id, district, key, code), in the order
        they were founded), then ready for the (district, key) the run will resolve: a district
        asked about by few new names compares them with its keys by cdist, else indexes them."""
        asked: dict[str | None, set[str]] = {}
        for district, key in names:
            key = self._merged(district, key)
            asked.setdefault(district, set()).add(key)
        districts = {row[1] for row in existing}
        questions: dict[str | None, set[str]] = {d: set() for d in districts}
        for district, keys in asked.items():
            for place in (districts if district is None else {district, None} & districts):
                questions[place] |= keys
        # as _index for each row in order, a district's rows at a time (the per-row calls were most
        # of a small run's cost on a large register), with only what a look-up can ask for: the
        # names of the keys asked (no other key is looked up by name) and the codes written (an
        # entity missing from code_of has none)
        wanted = set().union(*asked.values())
        by_name, by_code, code_of, pairs_of = self.by_name, self.by_code, self.code_of, {}
        for entity_id, district, key, code in existing:
            pairs = pairs_of.get(district)
            if pairs is None:
                pairs = pairs_of[district] = []
            pairs.append((key, entity_id))
            if key in wanted:
                by_name.setdefault((district, key), []).append(entity_id)
            if code:
                by_code.setdefault(code, entity_id)
                code_of[entity_id] = code
        for district, pairs in pairs_of.items():
            similar = self.keys.setdefault(district, _SimilarNames(self.cutoff))
            if len(questions[district]) <= self.SCAN_NAMES:  # compared by cdist: only listed
                similar.pairs.extend(pairs)
                similar.scanned = len(similar.pairs)
            else:
                for key, entity_id in pairs:
                    similar.add(key, entity_id)
        for district, keys in questions.items():
            # a key that names an entity of its place is found by name; should its code rule that
            # out, best() compares it then
            self.keys[district].scan(sorted(k for k in keys if (district, k) not in by_name))

    def _index(self, entity_id: str, district: str | None, key: str, code: str | None, scanned: bool = False) -> None:
        if code:
            self.by_code.setdefault(code, entity_id)
        self.by_name.setdefault((district, key), []).append(entity_id)
        if district not in self.keys:
            self.keys[district] = _SimilarNames(self.cutoff)
        self.keys[district].add(key, entity_id, scanned=scanned)
        self.code_of[entity_id] = code

    def _compatible(self, entity_id: str, code: str | None) -> bool:
        return code is None or self.code_of.get(entity_id) in (None, code)

    def _districts(self, district: str | None) -> list[str | None]:
        if district is None:  # a city department's record: every district, in code order, then the city's own
            return sorted(self.keys, key=lambda d: (d is None, d or ""))
        return [district, None]

    def _merged(self, district: str | None, key: str) -> str:
        return self.merges.get((district, key)) or self.merges.get((None, key)) or key

    def resolve(self, district: str | None, key: str, code: str | None, name: str, first: date) -> str:
        key = self._merged(district, key)
        if code and code in self.by_code:
            return self.by_code[code]
        for place in self._districts(district):
            for entity_id in self.by_name.get((place, key), ()):
                if self._compatible(entity_id, code):
                    return self._attach_code(entity_id, code)
        found = self._similar(district, key, code)
        if found:
            return self._attach_code(found, code)
        entity_id = entity_id_for(district, key, code)
        self.new[entity_id] = {"entity_id": entity_id, "district_code": district, "name": name, "name_key": key,
                               "credit_code": code, "natural_person": False, "first_date": first}
        self._index(entity_id, district, key, code)
        return entity_id

    def _attach_code(self, entity_id: str, code: str | None) -> str:
        if code and self.code_of.get(entity_id) is None:
            self.code_of[entity_id] = code
            self.by_code.setdefault(code, entity_id)
            if entity_id in self.new:  # written with it, or (founded in an earlier batch) updated
                self.new[entity_id]["credit_code"] = code
            self.gained_codes[entity_id] = code
        return entity_id

    def _similar(self, district: str | None, key: str, code: str | None) -> str | None:
        best: tuple[float, str] | None = None
        for place in self._districts(district):
            names = self.keys.get(place)
            if names is None or not names.pairs:
                continue
            # the few best by similarity, then the officers' splits and the codes decide
            for score, index in names.best(key):
                candidate_key, entity_id = names.pairs[index]
                if frozenset((candidate_key, key)) in self.splits or not self._compatible(entity_id, code):
                    continue
                if best is None or score > best[0]:
                    best = (score, entity_id)
                break
        return best[1] if best else None


def _triples(records: pd.DataFrame) -> pd.DataFrame:
    columns = ["district_code", "name_key", "credit_code"]
    return records[columns].astype(object).where(records[columns].notna(), None)


def resolve(records: pd.DataFrame, register: _Register) -> pd.Series:
    """The entity id of each record (index-aligned, records in the order they are resolved),
    resolving against the register's entities and against one another; loops over distinct
    (district, name, code) triples only."""
    triples = _triples(records)
    keys = list(zip(triples["district_code"], triples["name_key"], triples["credit_code"], strict=True))
    ids: dict[tuple, str] = {}
    for key, name, first in zip(keys, records["subject_name"], records["event_date"], strict=True):
        if key not in ids:  # the triple's first record founds its entity, if it needs one
            ids[key] = register.resolve(*key, name, first)
    return pd.Series([ids[k] for k in keys], index=records.index, dtype=object)


# --- Writing ---------------------------------------------------------------------------------------

def _upsert(connection: Connection, table, rows: list[dict], keys: list[str], update_columns: list[str]) -> None:  # noqa: ANN001
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    if update_columns:
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={c: statement.excluded[c] for c in update_columns})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), 5000):
        connection.execute(statement, rows[start:start + 5000])


def _none(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _existing(connection: Connection) -> list[tuple]:
    """The register's entities in the order they were founded (first date, then id)."""
    result = connection.execute(select(entity.c.entity_id, entity.c.district_code, entity.c.name_key,
                                       entity.c.credit_code).order_by(entity.c.first_date, entity.c.entity_id))
    return [tuple(row) for row in driver_rows(result)]


def update_register(engine: Engine) -> dict:
    """Bring the register up to date with the inflows; returns what changed (counts only)."""
    from chufei.inbox.claims import serialize

    ensure_schema(engine)
    merges, splits = load_overrides()
    fingerprint = settings_fingerprint()
    with engine.begin() as connection:
        serialize(connection, "chufei.entity_register")
        marks = _marks(connection)
        rebuilt = marks.get(FINGERPRINT) != fingerprint
        if rebuilt:
            connection.execute(delete(entity_event))
            connection.execute(delete(entity_source_mark))
            connection.execute(delete(entity_score_mark))  # every timeline changes: the next day counts all
            connection.execute(delete(entity_touched))
            marks = {}
        stamp = None if rebuilt else connection.execute(
            select(func.coalesce(func.max(entity_touched.c.stamp), 0) + 1)).scalar()
        since = _grid_since(marks)
        subjects, grid_mark = _grid_subjects(connection, since)
        combos, texts = _grid_combos(subjects) if grid_mark is not None else (pd.DataFrame(), [])
        del subjects
        others = list(submission_records(connection, marks))
        register = _Register(merges, splits)
        if not rebuilt:  # a rebuild starts from no entity: nothing to compare new names with
            asked = set()
            for records in [combos, *(frame for frame, _ in others)]:
                if not records.empty:
                    asked.update(zip(_triples(records)["district_code"], records["name_key"], strict=True))
            register.load(_existing(connection), asked)
        new_marks: dict[str, str] = {} if grid_mark is None else {"grid": grid_mark}
        counts = dict.fromkeys(SOURCES, 0)
        written: set[str] = set()
        if not combos.empty:
            _write_grid(connection, combos, texts, register, written, rebuilt, since, stamp)
            counts["grid"] = int(combos["records"].sum())
        for records, marks_reached in others:
            new_marks.update(marks_reached)
            if records.empty:
                continue
            _write_batch(connection, records, register, written, rebuilt, stamp)
            for source, count in records["source"].value_counts().items():
                counts[source] += int(count)
        if rebuilt:  # entities nothing names any more, and no warning refers to
            named = select(entity_event.c.entity_id).where(entity_event.c.entity_id == entity.c.entity_id).exists()
            warned = select(entity_warning.c.entity_id).where(entity_warning.c.entity_id == entity.c.entity_id).exists()
            connection.execute(delete(entity).where(~named, ~warned))
        _upsert(connection, entity_source_mark, [{"source": s, "mark": m} for s, m in
                                                 {**new_marks, FINGERPRINT: fingerprint}.items()],
                ["source"], ["mark"])
    return {"records": sum(counts.values()), "new_entities": len(register.new), "rebuilt": rebuilt,
            "sources": counts}


_SCRATCH = MetaData()
_grid_subject = Table("entity_grid_subject", _SCRATCH, Column("district_code", Text), Column("subject_name", Text),
                      Column("credit_code", Text), Column("entity_id", Text), Column("name", Text),
                      Column("code", Text), prefixes=["TEMPORARY"])
_grid_signs = Table("entity_grid_signs", _SCRATCH, Column("signs_text", Text), Column("signs", Text),
                    prefixes=["TEMPORARY"])


def _write_entities(connection: Connection, register: _Register, people: set[str], written: set[str],
                    rebuilt: bool) -> None:
    """The entities founded since the last write (before the events that name them), codes gained, persons."""
    fresh = [row for entity_id, row in register.new.items() if entity_id not in written]
    for row in fresh:
        row["natural_person"] = row["entity_id"] in people
    ids = sorted(row["entity_id"] for row in fresh)
    stored: set[str] = set()  # founded again in a rebuild (their warnings kept them): updated, not inserted
    for start in range(0, len(ids), 5000):
        stored.update(connection.execute(select(entity.c.entity_id).where(
            entity.c.entity_id.in_(ids[start:start + 5000]))).scalars())
    if rebuilt:
        _upsert(connection, entity, [row for row in fresh if row["entity_id"] in stored], ["entity_id"],
                ["district_code", "name", "name_key", "credit_code", "natural_person", "first_date"])
    insert_rows(connection, entity, [row for row in fresh if row["entity_id"] not in stored])
    written.update(ids)
    for entity_id, code in register.gained_codes.items():
        connection.execute(update(entity).where(entity.c.entity_id == entity_id).values(credit_code=code))
    register.gained_codes.clear()
    known = sorted(people - {row["entity_id"] for row in fresh})
    for start in range(0, len(known), 5000):
        connection.execute(update(entity).where(entity.c.entity_id.in_(known[start:start + 5000]))
                           .values(natural_person=True))


def _write_grid(connection: Connection, combos: pd.DataFrame, texts: list[str], register: _Register,
                written: set[str], rebuilt: bool, since: datetime, stamp: int | None) -> None:
    """Resolve the grid's distinct subjects, then write its events in one INSERT … SELECT (and,
    unless rebuilding, mark the entities it touches with ``stamp``)."""
    combos["entity_id"] = resolve(combos, register)
    _write_entities(connection, register, set(combos.loc[combos["person"], "entity_id"]), written, rebuilt)
    _grid_subject.create(connection)
    _grid_signs.create(connection)
    codes = combos["credit_code"].astype(object).where(combos["credit_code"].notna(), None)
    _fill(connection, _grid_subject, zip(combos["district_code"], combos["raw_name"], combos["written_code"],
                                         combos["entity_id"], combos["subject_name"], codes, strict=True))
    connection.execute(text("CREATE INDEX ix_entity_grid_subject ON entity_grid_subject "
                            "(district_code, subject_name, credit_code)"))
    hits = phrase_hits(pd.Series(texts, dtype=object), "signs")
    _fill(connection, _grid_signs, ((t, h) for t, h in zip(texts, hits, strict=True) if h is not None))
    # Into an emptied timeline (a rebuild) the events go faster with the secondary indexes built
    # afterwards, in one sort each, than maintained row by row.
    rebuilt_indexes = [index for index in entity_event.indexes if not index.unique] if rebuilt else []
    for index in rebuilt_indexes:
        index.drop(connection)
    if stamp is not None:  # before the events move: the entities holding them now are touched too
        connection.execute(_over_new_grid("entity_touch_grid", since), {"since": since, "stamp": stamp})
    connection.execute(_over_new_grid("entity_grid_events", since), {"since": since})
    for index in rebuilt_indexes:
        index.create(connection)
    _grid_signs.drop(connection)  # (a failed run rolls their creation back with the rest)
    _grid_subject.drop(connection)


def _touch(connection: Connection, records: pd.DataFrame, stamp: int) -> None:
    """Mark the entities a batch's events go to, and those holding events of the same keys now
    (a corrected row may move its event): the next day's scoring re-counts them."""
    touched = set(records["entity_id"])
    for source, keys in records.groupby("source")["source_key"]:
        keys = sorted(set(keys))
        for start in range(0, len(keys), 5000):
            touched.update(connection.execute(select(entity_event.c.entity_id).where(
                entity_event.c.source == source, entity_event.c.source_key.in_(keys[start:start + 5000]))).scalars())
    _upsert(connection, entity_touched, [{"entity_id": e, "stamp": stamp} for e in sorted(touched)],
            ["entity_id"], ["stamp"])


def _fill(connection: Connection, table: Table, rows: Iterable[tuple]) -> None:
    """Text rows into one of the run's scratch tables: COPY on PostgreSQL, the driver's executemany on SQLite."""
    names = [column.name for column in table.columns]
    rows = [tuple(row) for row in rows]
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        insert_rows(connection, table, [dict(zip(names, row, strict=True)) for row in rows])
        return
    marks = ", ".join("?" for _ in names)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
                               rows)


def _write_batch(connection: Connection, records: pd.DataFrame, register: _Register, written: set[str],
                 rebuilt: bool, stamp: int | None) -> None:
    """Resolve one batch and write its new entities (before the events that name them) and events
    (and, unless rebuilding, mark the entities it touches with ``stamp``)."""
    records["entity_id"] = resolve(records, register)
    _write_entities(connection, register, set(records.loc[records["person"], "entity_id"]), written, rebuilt)
    columns = ["entity_id", *EVENT_COLUMNS]
    events = records[columns].astype(object).where(records[columns].notna(), None)
    rows = [{k: _none(v) for k, v in row.items()} for row in events.to_dict("records")]
    if stamp is not None:
        _touch(connection, records, stamp)
    _upsert(connection, entity_event, rows, ["source", "source_key"], ["entity_id", *EVENT_COLUMNS[2:]])
