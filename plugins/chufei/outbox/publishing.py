"""Publishing a package version safely when builds run at once or a worker is killed mid-way.

A version is rendered in ``root/.render-<random>/``, renamed to ``root/v<n>/`` and only then
named by ``root/latest``. A build killed between the rename and the pointer leaves a complete
version that ``latest`` does not name (an orphan); one killed while rendering leaves a
``.render-*`` folder. Under the publishing lock, the next build adopts the newest complete orphan
(so it is not published again as an identical v<n+1>) and removes the leftovers of builds that
are gone: a live build holds a ``flock`` on its render folder for as long as it renders.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
LATEST_POINTER = "latest"
RENDER_PREFIX = ".render-"


@contextmanager
def publishing(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``root/.publish.lock`` (flock: across threads and processes)."""
    descriptor = os.open(root / ".publish.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing drops the lock


@contextmanager
def render_folder(root: Path) -> Iterator[Path]:
    """A private folder to render a version in, locked while this build lives; removed at the end
    unless it was renamed into place (then an empty one is left to remove). Made and locked under
    the publishing lock: another build's ``remove_abandoned`` would otherwise find it unlocked
    between the two and remove it."""
    with publishing(root):
        path = Path(tempfile.mkdtemp(dir=root, prefix=RENDER_PREFIX))
        descriptor = os.open(path, os.O_RDONLY)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(descriptor)


def remove_abandoned(root: Path) -> list[str]:
    """Remove render folders of builds that are gone (their flock is free) and pointer files half
    written by a killed publisher; call under ``publishing``. Returns the names removed."""
    removed = []
    for path in root.iterdir():
        if path.name.startswith(RENDER_PREFIX) and path.is_dir() and not path.is_symlink():
            try:
                descriptor = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live build is rendering there
            finally:
                os.close(descriptor)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        elif path.name.startswith(f".{LATEST_POINTER}.") and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)  # only a publisher writes these, and we hold the lock
            removed.append(path.name)
    if removed:
        log.warning("removed leftovers of interrupted package builds in %s: %s", root, ", ".join(sorted(removed)))
    return removed


def is_complete(folder: Path) -> bool:
    """A version folder whose manifest reads and whose every listed file has the listed bytes."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return all(hashlib.sha256((folder / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
                   for entry in manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def point_latest(root: Path, name: str) -> None:
    pointer = root / f".{LATEST_POINTER}.{os.getpid()}-{threading.get_ident()}.tmp"
    pointer.write_text(name + "\n", encoding="utf-8")
    pointer.replace(root / LATEST_POINTER)


def adopt_orphan(root: Path, versions: list[str], pointed: str | None) -> str | None:
    """The newest complete version above the one ``latest`` names (``pointed``), now named by
    ``latest``; None when there is none. Call under ``publishing``."""
    floor = int(pointed[1:]) if pointed else 0
    for name in reversed(versions):
        if int(name[1:]) <= floor:
            break
        if is_complete(root / name):
            point_latest(root, name)
            log.warning("adopted %s/%s: a complete version that latest did not name (a build was interrupted "
                        "before publishing it)", root, name)
            return name
    return None
