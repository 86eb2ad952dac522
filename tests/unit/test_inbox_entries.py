"""How an inbox entry is judged from its lstat alone (chufei.inbox.entries)."""

from __future__ import annotations

import os
import stat

import pytest

from chufei.inbox.entries import INCOMPLETE, READY, REFUSED, WAIT, judge

NOW = 1_700_000_000.0


def _stat(mode: int = stat.S_IFREG | 0o644, mtime: float = NOW - 3600, ctime: float | None = None,
          nlink: int = 1) -> os.stat_result:
    ctime = mtime if ctime is None else ctime
    return os.stat_result((mode, 1, 1, nlink, 0, 0, 10, mtime, mtime, ctime))


def test_a_file_changed_within_the_quiet_period_waits():
    assert judge("a.xlsx", _stat(mtime=NOW - 30), NOW, quiet=60).kind == WAIT
    assert judge("a.xlsx", _stat(mtime=NOW - 61), NOW, quiet=60).kind == READY


def test_an_old_mtime_kept_by_a_copy_tool_does_not_hide_a_fresh_write():
    assert judge("a.xlsx", _stat(mtime=NOW - 86400 * 300, ctime=NOW - 5), NOW, quiet=60).kind == WAIT


def test_a_future_mtime_does_not_keep_a_file_waiting_for_ever():
    assert judge("a.xlsx", _stat(mtime=NOW + 86400 * 365 * 70, ctime=NOW - 120), NOW, quiet=60).kind == READY
    assert judge("a.xlsx", _stat(mtime=NOW + 86400 * 365 * 70, ctime=NOW - 5), NOW, quiet=60).kind == WAIT


@pytest.mark.parametrize("name", ["a.part", "a.xlsx.TMP", "~$a.xlsx", ".a.xlsx", "a.xlsx.filepart", "a.xlsx~"])
def test_temporary_names_wait_then_are_incomplete(name):
    assert judge(name, _stat(mtime=NOW - 3600), NOW, quiet=0, stale=86400).kind == WAIT
    verdict = judge(name, _stat(mtime=NOW - 86401), NOW, quiet=0, stale=86400)
    assert verdict.kind == INCOMPLETE
    assert name in verdict.reason


@pytest.mark.parametrize(("mode", "word"), [(stat.S_IFLNK | 0o777, "符号链接"), (stat.S_IFDIR | 0o755, "文件夹"),
                                            (stat.S_IFIFO | 0o644, "命名管道"), (stat.S_IFCHR | 0o644, "设备"),
                                            (stat.S_IFBLK | 0o644, "设备"), (stat.S_IFSOCK | 0o644, "套接字")])
def test_what_is_not_a_regular_file_is_refused_at_once(mode, word):
    verdict = judge("x.xlsx", _stat(mode=mode, mtime=NOW), NOW, quiet=60)
    assert verdict.kind == REFUSED
    assert word in verdict.reason


def test_a_hard_linked_file_is_refused():
    assert judge("x.xlsx", _stat(nlink=2), NOW, quiet=0).kind == REFUSED
