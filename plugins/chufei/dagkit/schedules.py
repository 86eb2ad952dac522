"""The schedules of the DAGs that are not period DAGs, described in Chinese.

The DAG list shows a timetable's ``summary`` (its ``description`` as the tooltip), and Airflow's
own cron and asset timetables describe themselves in English ("*/30 * * * *" with "Every 30
minutes", "Asset or 0 9 * * *"). These subclasses keep Airflow's scheduling and say the same in
Chinese. Like ``PeriodTimetable`` they are registered by ``plugins/chufei_plugin.py`` so the
scheduler can deserialize them. For an asset-triggered DAG the list shows the assets themselves
(their names, or "n / m" updated with the expression as a pop-up), and the summary only while no
asset is known.
"""

from __future__ import annotations

from typing import Any

from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.base import Timetable
from airflow.timetables.simple import AssetTriggeredTimetable
from airflow.timetables.trigger import CronTriggerTimetable

from chufei.dagkit.timetables import DEFAULT_TIMEZONE

_ZONE_LABEL = {DEFAULT_TIMEZONE: "北京时间"}


def describe_cron(expression: str) -> str:
    """A cron expression in Chinese, e.g. "每 30 分钟", "每天 09:00" (cron-descriptor's zh_CN
    wording, which says "在 09:00" for a daily time)."""
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.locale_code = "zh_CN"
    options.use_24hour_time_format = True
    text = ExpressionDescriptor(expression, options).get_description()
    if text.startswith("在 ") and expression.split()[2:] == ["*", "*", "*"]:
        text = "每天 " + text.removeprefix("在 ")
    return text


class ChineseCronTimetable(CronTriggerTimetable):
    """Airflow's ``CronTriggerTimetable``, summarised in Chinese: "每 30 分钟（北京时间）"."""

    def __init__(self, cron: str, *, timezone: str = DEFAULT_TIMEZONE, **kwargs: Any) -> None:
        super().__init__(cron, timezone=timezone, **kwargs)
        zone = getattr(self._timezone, "name", str(self._timezone))
        self._summary_zh = f"{describe_cron(self._expression)}（{_ZONE_LABEL.get(zone, zone)}）"
        self.description = self._summary_zh

    @property
    def summary(self) -> str:
        return self._summary_zh


class ChineseAssetTimetable(AssetTriggeredTimetable):
    """Airflow's asset-triggered timetable, described in Chinese: ``about`` names in Chinese what
    updates it ("任一报表包" → "任一报表包更新后运行"). The DAG list itself shows the assets."""

    def __init__(self, assets: Any, *, about: str) -> None:
        super().__init__(assets)
        self.about = about
        self.description = f"{about}更新后运行"

    @property
    def summary(self) -> str:
        return self.description

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ChineseAssetTimetable:
        from airflow.serialization.decoders import decode_asset_like

        return cls(decode_asset_like(data["asset_condition"]), about=data["about"])

    def serialize(self) -> dict[str, Any]:
        return {**super().serialize(), "about": self.about}


class ChineseAssetOrTimeSchedule(AssetOrTimeSchedule):
    """Airflow's "assets or a time schedule", described in Chinese: "每天 09:00（北京时间），或案件台账
    更新后运行". ``timetable`` is usually a ``ChineseCronTimetable``."""

    def __init__(self, *, timetable: Timetable, assets: Any, about: str) -> None:
        super().__init__(timetable=timetable, assets=assets)
        self.about = about
        self.description = f"{timetable.summary}，或{about}更新后运行"

    @property
    def summary(self) -> str:
        return self.description

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ChineseAssetOrTimeSchedule:
        from airflow.serialization.decoders import decode_asset_like, decode_timetable

        return cls(assets=decode_asset_like(data["asset_condition"]),
                   timetable=decode_timetable(data["timetable"]), about=data["about"])

    def serialize(self) -> dict[str, Any]:
        return {**super().serialize(), "about": self.about}
