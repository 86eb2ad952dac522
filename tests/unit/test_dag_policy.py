"""The project's rules for a DAG file, checked once for every file in dags/.

An operator meets a DAG in the Airflow UI: its doc_md must say (Chinese first) what it reads, what
it writes and how to re-run or backfill it; its tags place it in one of the office's areas; every
task is owned by the office, retried with backoff and reports its failure. The scheduler parses
these files every few seconds, so a DAG file may not import the heavy libraries at module level.
Each check is parametrised over the DAG files, so a new file is checked without being listed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

DAG_IDS = sorted(path.stem for path in (REPO / "dags").glob("*.py"))
HEAVY_MODULES = ("great_expectations", "pandas", "openpyxl", "sqlalchemy", "requests", "pyarrow")
AREAS = {"ingest", "statistics", "delivery", "watch"}
OWNER = "chufei-office"
# What doc_md must say, in either language: a bold section on what the run reads, one on what it
# writes, and how to run it again.
CONSUMES = re.compile(r"\*\*[^*\n]*(Consumes|输入|读取|数据来源)[^*\n]*\*\*", re.IGNORECASE)
PRODUCES = re.compile(r"\*\*[^*\n]*(Produces|输出|产出|生成)[^*\n]*\*\*", re.IGNORECASE)
RERUN = re.compile(r"re-?run|backfill|重跑|重新运行|补跑|回填", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
CODE_SPAN = re.compile(r"`[^`]*`")


@pytest.fixture(scope="module")
def dag(dagbag, request):
    dag_id = request.param
    assert dag_id in dagbag.dags, f"dags/{dag_id}.py must define the DAG {dag_id} (file name = dag_id)"
    return dagbag.dags[dag_id]


def per_dag(test):
    return pytest.mark.parametrize("dag", DAG_IDS, indirect=True)(test)


def test_every_file_imports_and_defines_the_dag_it_is_named_after(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == DAG_IDS


@per_dag
def test_doc_md_says_what_it_consumes_produces_and_how_to_rerun(dag):
    doc = dag.doc_md or ""
    assert len(doc) > 200, f"{dag.dag_id}: doc_md must say what it consumes, produces and how to re-run"
    assert CONSUMES.search(doc), f"{dag.dag_id}: doc_md has no **Consumes** (读取) section"
    assert PRODUCES.search(doc), f"{dag.dag_id}: doc_md has no **Produces** (输出) section"
    assert RERUN.search(doc), f"{dag.dag_id}: doc_md does not say how to re-run or backfill"


def first_paragraph(doc: str) -> str:
    """The first lines of doc_md after its headings, up to the first blank line."""
    lines = [line.strip() for line in doc.strip().splitlines()]
    lines = [line for line in lines if not line.startswith("#")]
    while lines and not lines[0]:
        lines.pop(0)
    return " ".join(lines[:lines.index("")] if "" in lines else lines)


@per_dag
def test_doc_md_opens_with_a_chinese_summary(dag):
    summary = CODE_SPAN.sub("", first_paragraph(dag.doc_md or ""))
    cjk, latin = len(CJK.findall(summary)), len(LATIN.findall(summary))
    assert cjk, f"{dag.dag_id}: doc_md must open with a Chinese summary, got {summary[:80]!r}"
    assert cjk >= latin, f"{dag.dag_id}: doc_md must open in Chinese (English may follow), got {summary[:80]!r}"


@per_dag
def test_tags_place_it_in_an_area_of_the_office(dag):
    assert dag.tags, f"{dag.dag_id} has no tags"
    assert set(dag.tags) & AREAS, f"{dag.dag_id} has none of the area tags {sorted(AREAS)}"


@per_dag
def test_every_task_is_owned_retried_and_reports_its_failure(dag):
    assert dag.default_args["retries"] >= 2
    for task in dag.tasks:
        assert task.owner == OWNER, f"{dag.dag_id}.{task.task_id} is owned by {task.owner!r}"
        assert task.retries >= 2, f"{dag.dag_id}.{task.task_id} retries {task.retries} < 2"
        assert task.retry_exponential_backoff, f"{dag.dag_id}.{task.task_id} retries without backoff"
        assert task.on_failure_callback, f"{dag.dag_id}.{task.task_id} sends no failure notice"


@per_dag
def test_periods_are_those_of_the_office(dag):
    assert str(dag.timezone) == "Asia/Shanghai"


@per_dag
def test_params_are_typed_and_titled(dag):
    for name in dag.params:
        schema = dag.params.get_param(name).schema
        assert schema.get("type"), f"{dag.dag_id} Param {name} has no type"
        assert schema.get("title"), f"{dag.dag_id} Param {name} has no title for the trigger form"
    if "statistics" in dag.tags:
        assert "period" in dag.params, f"{dag.dag_id} cannot be asked for a given period: no 'period' Param"


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_dag_file_parses_without_heavy_imports(dag_id: str):
    """Parsing a DAG file must not import GX, pandas, openpyxl, SQLAlchemy, requests or pyarrow."""
    probe = (
        "import json, runpy, sys\n"
        "import airflow.sdk\n"
        "before = set(sys.modules)\n"
        f"runpy.run_path({str(REPO / 'dags' / f'{dag_id}.py')!r})\n"
        f"print(json.dumps(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {HEAVY_MODULES!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
