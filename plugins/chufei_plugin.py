"""The ``chufei`` Airflow plugin: registers chufei's timetable (and the 处非统计 page, see below).

Airflow imports every ``.py`` file in the plugins folder; ``plugins/.airflowignore`` keeps it out of
the ``chufei`` package (imported normally through PYTHONPATH), so only this file is loaded here.
It stays light: the scheduler, dag-processor and workers all import it.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from chufei.timetables import PeriodTimetable


class ChufeiPlugin(AirflowPlugin):
    name = "chufei"
    timetables = [PeriodTimetable]
