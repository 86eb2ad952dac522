"""Keyed pseudonyms for identities that must never be stored in clear (举报人, 举报人身份证号).

The warehouse keeps ``HMAC-SHA256(key, normalised value)`` as 64 hex characters: the same
reporter gives the same pseudonym (so repeat reporters can be counted), but the name or ID
number cannot be recovered without the key. The key comes from ``CHUFEI_PSEUDONYM_KEY``; without
it, a random key is created once in ``<data dir>/secrets/pseudonym.key`` (mode 0600). That file
lives in the data directory, never in the repository. Losing it only means later pseudonyms no
longer match earlier ones; it never exposes data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

from chufei.core.settings import DataDir, data_dir

KEY_ENV = "CHUFEI_PSEUDONYM_KEY"
KEY_FILE = Path("secrets") / "pseudonym.key"
PREFIX = "hmac:"
HIDDEN = "（已隐去）"


def key_path(data: DataDir | None = None) -> Path:
    return (data or data_dir()).root / KEY_FILE


def pseudonym_key(data: DataDir | None = None) -> bytes:
    """The key: the environment's, else the data directory's key file (created once, atomically)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = key_path(data)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process created it first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _normalise(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def pseudonymise(value: object, key: bytes) -> str | None:
    """``hmac:<64 hex>`` for a value, None for a blank; already pseudonymised values pass through."""
    if value is None or not str(value).strip():
        return None
    if isinstance(value, str) and value.startswith(PREFIX) and len(value) == len(PREFIX) + 64:
        return value
    return PREFIX + hmac.new(key, _normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def protect_rows(dataset, outcomes, key: bytes) -> None:
    """Replace the pseudonymised columns of every outcome (typed values and raw cells) in place.

    Called after validation (the ID-number check needs the clear value) and before anything is
    written; rejected rows keep only the pseudonym in ``rejected_row.raw_json`` as well.
    """
    columns = [column.name for column in dataset.columns if column.pseudonymised]
    if not columns:
        return
    for outcome in outcomes:
        for name in columns:
            if name in outcome.values:
                outcome.values[name] = pseudonymise(outcome.values[name], key)
            if name in outcome.raw:
                outcome.raw[name] = pseudonymise(outcome.raw[name], key)
