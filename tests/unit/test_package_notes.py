"""What a package build says: a period nobody reported writes nothing; each outcome in one Chinese line."""

from __future__ import annotations

import logging

import pytest

from chufei.outbox.reports import write_package
from chufei.statistics.forms import FormColumn, StatForm


def _form(amount: int, count: int) -> StatForm:
    columns = [FormColumn("单位", "单位", "text"), FormColumn("金额", "本期", "wan"), FormColumn("件数", "本期", "count")]
    return StatForm(title="测试表", form_no="T1", period_label="2026年10月", unit_of_measure="万元", columns=columns,
                    rows=[["鄂城区", amount, count], ["华容区", 0, 1], ["合计", amount, count + 1]])


def test_a_period_without_submissions_writes_no_package(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    result = write_package(tmp_path / "r" / "2026-10", "r", "2026-10", {"r_2026-10": _form(0, 0)}, [])
    assert result["folder"] is None
    assert result["note"] == "2026-10 尚无报送数据，未生成报表包"
    assert not (tmp_path / "r").exists()
    assert "r：2026-10 尚无报送数据，未生成报表包" in caplog.messages


def test_each_build_says_in_one_line_whether_a_version_was_written(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    root = tmp_path / "r" / "2020-06"
    write_package(root, "r", "2020-06", {"r_2020-06": _form(1_000_000, 2)}, ["a"])
    write_package(root, "r", "2020-06", {"r_2020-06": _form(1_000_000, 2)}, ["a"])
    # late data: 鄂城区's amount and count change, so do the 合计 row's: 4 figures in the CSV twin
    write_package(root, "r", "2020-06", {"r_2020-06": _form(3_000_000, 3)}, ["a", "b"])
    lines = [m for m in caplog.messages if m.startswith("r：")]
    assert lines == ["r：2020-06 写入 v1（首次出具）", "r：2020-06 v1 未变化，未写新版本",
                     "r：2020-06 写入 v2：4 个数字变化，来源文件新增 1 个、撤下 0 个（取代 v1）"]


def test_skipped_build_carries_the_note():
    from airflow.sdk.exceptions import AirflowSkipException

    from chufei.dagkit import skip_without_data

    @skip_without_data
    def build_package(period_key: str) -> dict:
        return {"period": period_key, "folder": None, "note": f"{period_key} 尚无报送数据，未生成报表包"}

    with pytest.raises(AirflowSkipException, match="2026-10 尚无报送数据"):
        build_package("2026-10")
    assert skip_without_data(lambda: {"folder": "/x"})() == {"folder": "/x"}
