"""What an inbox entry is, judged from ``lstat`` alone: never by following a link or opening it.

- A regular file under an ordinary name is taken once it is complete: nothing has changed it
  (its modification time, and its status-change time, which a copy tool that keeps the sender's
  mtime cannot set back) for the quiet period ``[chufei] inbox_quiet_seconds`` (default 60).
  Until then it is left where it is, for the next run.
- A temporary name (``*.part``, ``*.tmp``, ``~$*``, ``.name`` and the other upload tools' names
  in ``TEMPORARY_PATTERNS``) is an upload still under way: it is left until the sender renames
  it. One unchanged for ``[chufei] inbox_incomplete_hours`` (default 24) is taken as never
  completed: archived and answered with a receipt that says so.
- A symbolic link, a directory, a device, a FIFO or a socket is refused with a receipt that says
  why, and moved aside unread (a link's target is never opened). A regular file with more than
  one hard link is refused too: its bytes may be a file elsewhere that the sender did not send.

The sender's side of this convention is in docs/inbox.md.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass

from chufei.core.settings import chufei_option

TEMPORARY_PATTERNS = ("*.part", "*.partial", "*.filepart", "*.crdownload", "*.download", "*.tmp", "*.temp",
                      "*.upload", "*.uploading", "*~", "~$*", ".*")

READY, WAIT, INCOMPLETE, REFUSED = "ready", "wait", "incomplete", "refused"

_REFUSALS = (
    (stat.S_ISLNK, "这是一个符号链接（快捷方式），不是文件本身；链接指向的内容未被读取。请直接报送文件"),
    (stat.S_ISDIR, "这是一个文件夹，不是文件；请将其中的文件逐个报送，不要报送文件夹"),
    (stat.S_ISFIFO, "这是一个命名管道（FIFO），不是普通文件；未读取其内容"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件；未读取其内容"),
    (stat.S_ISCHR, "这是一个设备文件，不是普通文件；未读取其内容"),
    (stat.S_ISBLK, "这是一个设备文件，不是普通文件；未读取其内容"),
)
HARD_LINK = "该文件有多个硬链接，可能是服务器上其他文件的别名；为防止泄露，未读取其内容。请重新上传文件本身"
INCOMPLETE_MESSAGE = ("文件名“{name}”是上传过程中的临时文件名，且已超过 {hours:g} 小时未完成（未改名为正式文件名）："
                      "上传未完成，文件已存档但未处理。请重新完整上传，上传完成后再改为正式文件名")


@dataclass(frozen=True)
class Verdict:
    kind: str  # READY | WAIT | INCOMPLETE | REFUSED
    reason: str | None = None  # why an entry is refused or incomplete (Chinese, for the receipt)


def quiet_seconds() -> float:
    return float(chufei_option("inbox_quiet_seconds", "60"))


def incomplete_seconds() -> float:
    return float(chufei_option("inbox_incomplete_hours", "24")) * 3600


def is_temporary(name: str) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in TEMPORARY_PATTERNS)


def judge(name: str, status: os.stat_result, now: float, quiet: float | None = None,
          stale: float | None = None) -> Verdict:
    """What to do with the inbox entry ``name`` whose ``os.lstat`` is ``status``, at ``now``."""
    for test, reason in _REFUSALS:
        if test(status.st_mode):
            return Verdict(REFUSED, reason)
    if not stat.S_ISREG(status.st_mode):
        return Verdict(REFUSED, "这不是一个普通文件；未读取其内容")
    if status.st_nlink > 1:
        return Verdict(REFUSED, HARD_LINK)
    # A stamp in the future (a sender's clock, or a copy tool that kept one) says nothing about
    # when the bytes last changed; with no stamp left to judge by, the entry counts as quiet.
    stamps = [stamp for stamp in (status.st_mtime, status.st_ctime) if stamp <= now]
    unchanged_for = now - max(stamps) if stamps else float("inf")
    if is_temporary(name):
        stale = incomplete_seconds() if stale is None else stale
        if unchanged_for < stale:
            return Verdict(WAIT)
        return Verdict(INCOMPLETE, INCOMPLETE_MESSAGE.format(name=name, hours=stale / 3600))
    if unchanged_for < (quiet_seconds() if quiet is None else quiet):
        return Verdict(WAIT)
    return Verdict(READY)


def describe(name: str, path: os.PathLike, status: os.stat_result) -> bytes:
    """What identifies a refused entry in place of its content: its kind, name, size, mtime and,
    for a link, the link's own text (``readlink``, which does not touch the target)."""
    target = ""
    if stat.S_ISLNK(status.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
    return "\0".join((stat.filemode(status.st_mode), name, str(status.st_size), str(status.st_mtime_ns),
                      target)).encode("utf-8", "surrogateescape")
