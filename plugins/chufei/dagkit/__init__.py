"""Settings every chufei DAG shares. Light on purpose: DAG files import it at parse time."""

from __future__ import annotations

from datetime import datetime, timedelta

from chufei.core.periods import KIND_ZH, PERIOD_FORMS, TZ
from chufei.core.settings import chufei_option

TIMEZONE = TZ
OWNER = "chufei-office"
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}
# The first reporting year the demo and a fresh deployment cover.
START_DATE = datetime(2020, 1, 1, tzinfo=TIMEZONE)

PERIOD_PATTERNS = {kind: form[0] for kind, form in PERIOD_FORMS.items()}
PERIOD_EXAMPLES = {kind: form[1] for kind, form in PERIOD_FORMS.items()}
PERIOD_HINTS = {kind: form[2] for kind, form in PERIOD_FORMS.items()}


def period_param(kind: str):
    """The ``period`` Param of a period DAG: empty means 'the run's data interval'.

    Airflow checks it against ``pattern`` when a run is triggered (form, REST API, CLI); the
    api-server's answer is put in Chinese by ``chufei.ops.param_messages``.
    """
    from airflow.sdk import Param

    form = "half" if kind == "risk_ledger" else kind
    return Param(None, type=["null", "string"], pattern=PERIOD_PATTERNS[form],
                 title="报告期 period", examples=[PERIOD_EXAMPLES[form]],
                 description=f"{PERIOD_HINTS[form]}。留空则按本次运行的数据区间出表；填写则（重新）计算该"
                             f"{KIND_ZH[form]}报告期。Leave empty to report the run's data interval.")


# --- Period schedules: one line per period DAG ----------------------------------------------------
# Every option below is read from the environment / airflow.cfg when the DAG file is parsed, never
# from the metadata database:  [chufei] start_date (AIRFLOW__CHUFEI__START_DATE, default 2020-01-01),
# [chufei] catchup (AIRFLOW__CHUFEI__CATCHUP, default False), [chufei] grace_days
# (AIRFLOW__CHUFEI__GRACE_DAYS, default 2), [chufei] end_date (AIRFLOW__CHUFEI__END_DATE, default none:
# no period starting after it is scheduled), [chufei] deadline_hours (AIRFLOW__CHUFEI__DEADLINE_HOURS,
# default 6: a period run still running that long after it was queued raises a DeadlineAlert).
PERIOD_PATTERNS.setdefault("risk_ledger", PERIOD_PATTERNS["half"])  # half years, due 6/20 and 12/10
PERIOD_EXAMPLES.setdefault("risk_ledger", "2020H1")
PERIOD_HINTS.setdefault("risk_ledger", PERIOD_HINTS["half"])


def configured_start_date() -> datetime:
    """First period to schedule: ``[chufei] start_date`` (YYYY-MM-DD, Asia/Shanghai), default 2020-01-01."""
    text = chufei_option("start_date", START_DATE.date().isoformat())
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError as error:
        raise ValueError(f"[chufei] start_date must look like 2020-01-01, got {text!r}") from error
    return day.replace(tzinfo=TIMEZONE)


def configured_end_date() -> datetime | None:
    """``[chufei] end_date`` (YYYY-MM-DD): no period starting after it is scheduled (default: none)."""
    text = chufei_option("end_date", "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=TIMEZONE)
    except ValueError as error:
        raise ValueError(f"[chufei] end_date must look like 2020-12-31, got {text!r}") from error


def configured_catchup() -> bool:
    """``[chufei] catchup``: create runs for every missed period since start_date (default False)."""
    text = chufei_option("catchup", "False").strip().lower()
    if text not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError(f"[chufei] catchup must be True or False, got {text!r}")
    return text in {"true", "1", "yes"}


def configured_max_active_runs() -> int:
    """``[chufei] max_active_runs`` of each period DAG (default 1: one period at a time per report).

    Periods are independent (each writes its own outbox folder, the warehouse is only read), so a
    Celery deployment may raise it to spread a backfill over its workers.
    """
    text = chufei_option("max_active_runs", "1").strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"[chufei] max_active_runs must be a whole number ≥ 1, got {text!r}")
    return int(text)


def period_deadline_alert():
    """DeadlineAlert: a period run not finished ``[chufei] deadline_hours`` after queueing is reported.

    ``deadline_hours = 0`` switches it off. ``dag.test()`` in Airflow 3.3.2 cannot finish a run of
    a DAG that has a DeadlineAlert (it looks the alert up by the serialized dict instead of its id),
    so the test suite and ``make demo`` set AIRFLOW__CHUFEI__DEADLINE_HOURS=0; the scheduler path
    (tests/system/test_ops_backfill.py) keeps it on.
    """
    from airflow.sdk.definitions.callback import SyncCallback
    from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

    hours = float(chufei_option("deadline_hours", "6"))
    if hours <= 0:
        return None
    return DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=timedelta(hours=hours),
                         callback=SyncCallback("chufei.ops.notify.deadline_missed"), name="period run late")


def failure_callback(context) -> None:  # noqa: ANN001
    """on_failure_callback of every chufei DAG: the same channel as the reminders."""
    from chufei.ops.notify import notify_failure

    notify_failure(context)


# Every chufei task reports its final failure on the reminders' channel (chufei.ops.notify).
DEFAULT_ARGS.setdefault("on_failure_callback", failure_callback)


def period_dag(kind: str) -> dict:
    """The ``@dag`` keyword arguments every period DAG shares besides its schedule, which the DAG
    file names itself so that a reader (and the linter) sees it::

        @dag(schedule=PeriodTimetable("quarter"), **period_dag("quarter"), tags=[...], doc_md=__doc__)

    start_date/catchup/max_active_runs from config (default 1), DEFAULT_ARGS (owner, retries with
    backoff, failure notification), the validated ``period`` Param and a DeadlineAlert.
    """
    kwargs = {
        "start_date": configured_start_date(),
        "catchup": configured_catchup(),
        "max_active_runs": configured_max_active_runs(),
        "default_args": DEFAULT_ARGS,
        "params": {"period": period_param(kind)},
    }
    if (deadline := period_deadline_alert()) is not None:
        kwargs["deadline"] = deadline
    if (end_date := configured_end_date()) is not None:
        kwargs["end_date"] = end_date
    return kwargs


def run_period(kind: str, context):  # noqa: ANN001
    """The running DAG run's period, or a PeriodError that tells the operator what to type.

    The first task of a period DAG calls it through ``resolve_period(kind)``.
    """
    from chufei.core import periods

    params = context.get("params") or {}
    value = params.get("period")
    try:
        return periods.resolve_run_period("half" if kind == "risk_ledger" else kind, value,
                                          context.get("data_interval_start"), context.get("data_interval_end"))
    except periods.PeriodError as error:
        if value and "报告期" not in str(error):
            raise periods.PeriodError(f"报告期 {value!r} 无法识别：{PERIOD_HINTS[kind]}（{error}）") from None
        raise


def skip_without_data(build):  # noqa: ANN001, ANN201
    """Wraps a period DAG's ``build_package``: a period nobody has reported for yet ends as *skipped*
    with the note "2026-10 尚无报送数据，未生成报表包" instead of an empty package (and no Asset
    event, so nothing is delivered)::

        @task(multiple_outputs=True, outlets=[PACKAGE])
        @skip_without_data
        def build_package(period_key: str) -> dict: ...
    """
    import functools

    @functools.wraps(build)
    def run(*args, **kwargs) -> dict:
        result = build(*args, **kwargs)
        if result.get("folder") is None and result.get("note"):
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException(result["note"])
        return result

    return run


def resolve_period(kind: str):
    """The first task of a period DAG, ``resolve_period``: the run's period key (the ``period``
    Param if set, else the data interval; see run_period). Call it inside the ``@dag`` function::

        build_package(resolve_period("quarter"))
    """
    from airflow.sdk import get_current_context, task

    @task(task_id="resolve_period")
    def resolve_period_key() -> str:
        return run_period(kind, get_current_context()).key

    return resolve_period_key()


# Keyword arguments of the "wait for the period's submissions" sensor: it gives up its worker slot
# between pokes (reschedule mode) and returns True at the grace deadline at the latest.
SUBMISSIONS_SENSOR = {"mode": "reschedule", "poke_interval": 30 * 60, "timeout": 60 * 24 * 3600,
                      "task_id": "wait_for_submissions"}


def wait_for_submissions(report: str, kind: str):
    """The first task of a report DAG that awaits submissions, ``wait_for_submissions``: the run's
    period, as ``resolve_period`` finds it (a wrong ``period`` Param fails it at once, saying in
    Chinese what to type), then waiting (reschedule mode, no worker slot held) until every owed
    submission of the period arrived or the grace deadline passed. Its last poke records the units
    still missing in ``period_missing`` and says so in the task log and its XCom ``missing_units``;
    its return value is the period key::

        build_package(wait_for_submissions("case_statistics_monthly", "month"))

    One task, not ``resolve_period`` → sensor → ``record_missing``: each task costs a run about a
    second of scheduling and process start-up, the period is the first thing the waiting needs,
    and who is missing is the waiting's outcome, known at its last poke.
    """
    from airflow.sdk import get_current_context, task

    @task.sensor(**SUBMISSIONS_SENSOR)
    def wait_for_period_submissions():  # noqa: ANN202
        from airflow.sdk import PokeReturnValue

        from chufei.dagkit import period_run

        context = get_current_context()
        key = run_period(kind, context).key
        if not period_run.submissions_ready(report, key, context):
            return PokeReturnValue(is_done=False)
        context["ti"].xcom_push(key="missing_units", value=period_run.record_missing(report, key))
        return PokeReturnValue(is_done=True, xcom_value=key)

    return wait_for_period_submissions()
