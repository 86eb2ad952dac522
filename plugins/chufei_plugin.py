"""The ``chufei`` Airflow plugin: registers chufei's timetables, the 处非统计 page and the api-server's Chinese Param errors.

Airflow imports every ``.py`` file in the plugins folder; ``plugins/.airflowignore`` keeps it out of
the ``chufei`` package (imported normally through PYTHONPATH), so only this file is loaded here.
It stays light: the scheduler, dag-processor and workers all import it.
"""

from __future__ import annotations

import sys

from airflow.plugins_manager import AirflowPlugin

from chufei.dagkit.schedules import ChineseAssetOrTimeSchedule, ChineseAssetTimetable, ChineseCronTimetable
from chufei.dagkit.timetables import PeriodTimetable


def _serves_the_api() -> bool:
    """Whether this process is the api-server (``airflow api-server``, or ``standalone`` that runs it).

    Every task process, the scheduler and the dag-processor import this plugin too, and the page
    with FastAPI and its middlewares cost each task the better part of a second before it starts;
    only the api-server mounts them (its uvicorn workers inherit its command line).
    """
    return any(arg in ("api-server", "api_server", "standalone") for arg in sys.argv[1:3])


def _root_middlewares() -> list[dict]:
    if not _serves_the_api():
        return []
    try:  # only the api-server answers triggers; starlette ships with it
        from chufei.ops.param_messages import ChineseParamErrors
        from chufei.ops.run_names import PeriodRunNames
    except ImportError:
        return []
    return [{"middleware": ChineseParamErrors, "args": [], "kwargs": {}, "name": "参数错误提示（中文）"},
            {"middleware": PeriodRunNames, "args": [], "kwargs": {}, "name": "手动运行以报告期命名"}]


def _fastapi_apps() -> list[dict]:
    if not _serves_the_api():
        return []
    try:  # fastapi ships with the api-server; other components never serve the page
        from chufei.ops.ui import URL_PREFIX, app
    except ImportError:
        return []
    return [{"app": app, "url_prefix": URL_PREFIX, "name": "处非统计 chufei"}]


class ChufeiPlugin(AirflowPlugin):
    name = "chufei"
    timetables = [PeriodTimetable, ChineseCronTimetable, ChineseAssetTimetable, ChineseAssetOrTimeSchedule]
    fastapi_apps = _fastapi_apps()
    # A bad Param (e.g. period 2020-13) is refused with what to type, in Chinese; a run triggered
    # for a period is named after it (run id and note).
    fastapi_root_middlewares = _root_middlewares()
    # The page in Airflow's navigation, shown inside the UI (iframe of /chufei/).
    external_views = [{"name": "处非统计", "href": "/chufei/", "destination": "nav", "url_route": "chufei",
                       "nav_top_level": True}]
