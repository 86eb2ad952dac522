"""The 处非统计 page: a FastAPI app the ``chufei`` Airflow plugin mounts at ``/chufei``.

Every route requires an Airflow login (the api-server's JWT, from the UI's ``_token`` cookie or a
Bearer header); a browser without one is sent to Airflow's login page and back. The page is
server-rendered HTML from the Jinja2 templates in ``templates/`` (no script), autoescaped, and shows no personal data.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

app = FastAPI(title="chufei 处非统计", docs_url=None, redoc_url=None, openapi_url=None)
URL_PREFIX = "/chufei"


def attachment(name: str) -> str:
    """A Content-Disposition header naming ``name`` that no file name can break (RFC 6266).

    The exact name travels percent-encoded as ``filename*=UTF-8''…`` (RFC 5987), so quotes,
    semicolons, line breaks and Chinese arrive intact and cannot end the header or add one; the
    plain ``filename="…"`` for clients that ignore ``filename*`` keeps only printable ASCII other
    than quote, backslash, ``;`` and ``%`` (which some clients split on or decode), the rest
    replaced by ``_``.
    """
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\;%' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _login_or_redirect(request: Request) -> Response | None:
    """None when the request carries a valid Airflow login; else a redirect to the login page."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else request.cookies.get("_token")
    try:
        await resolve_user_from_token(token)
        return None
    except HTTPException:
        if header:
            return Response("Not authenticated", status_code=401)
        login = get_auth_manager().get_url_login(next_url=str(request.url))
        return RedirectResponse(login, status_code=302)


@lru_cache(maxsize=1)
def templates():  # noqa: ANN201 - jinja2.Environment, imported lazily with the page
    """The page's Jinja2 environment: templates next to this module, autoescaped, strict about typos."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from chufei.kinds.registry import DATASETS

    env = Environment(loader=PackageLoader("chufei.ops", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["dataset_title"] = lambda key: DATASETS[key].title if key in DATASETS else key
    env.filters["report_title"] = report_title
    return env


def report_title(dag_id: str) -> str:
    """A report's Chinese title for the page (the reports registry's), else the folder name."""
    from chufei.outbox.registry import title

    return "报送完成情况矩阵" if dag_id == "submission_watch" else title(dag_id)


def render(dash, base: str = URL_PREFIX, as_of_error: str | None = None) -> str:  # noqa: ANN001
    return templates().get_template("page.html").render(dash=dash, base=base, as_of_error=as_of_error)


@app.get("/", response_class=HTMLResponse)
async def page(request: Request) -> Response:
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from starlette.concurrency import run_in_threadpool

    from chufei.ops import dashboard

    from chufei.warehouse import runtime

    as_of, error = _as_of(request.query_params.get("as_of"))
    dash = await run_in_threadpool(lambda: dashboard.build(runtime.warehouse_engine(), runtime.data().outbox,
                                                           as_of=as_of))
    base = request.scope.get("root_path", "") or URL_PREFIX
    return HTMLResponse(render(dash, base.rstrip("/"), as_of_error=error), status_code=400 if error else 200)


def _as_of(text: str | None) -> tuple[date | None, str | None]:
    """The 截至 day chosen for the matrix (YYYY-MM-DD), or an error saying what to type."""
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"截至日期应为 YYYY-MM-DD，如 2020-12-31（收到 {text[:20]!r}）"


@app.get("/sources/{period}", response_class=HTMLResponse)
async def sources(request: Request, period: str) -> Response:
    """Drill-down: the submissions (unit, file, receipt) a period's figures were computed from."""
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from starlette.concurrency import run_in_threadpool

    from chufei.core.periods import PeriodError
    from chufei.ops import dashboard
    from chufei.warehouse import runtime

    try:
        found, rows = await run_in_threadpool(lambda: dashboard.figure_sources(runtime.warehouse_engine(), period))
    except PeriodError as error:
        return Response(str(error), status_code=404, media_type="text/plain; charset=utf-8")
    base = (request.scope.get("root_path", "") or URL_PREFIX).rstrip("/")
    return HTMLResponse(templates().get_template("sources.html").render(period=found, rows=rows, base=base))


@app.get("/entity/{entity_id}", response_class=HTMLResponse)
async def entity(request: Request, entity_id: str) -> Response:
    """An entity of the early-warning register: its warnings, reasons and timeline."""
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from starlette.concurrency import run_in_threadpool

    from chufei.ops import dashboard
    from chufei.warehouse import runtime

    found = await run_in_threadpool(lambda: dashboard.entity_page(runtime.warehouse_engine(), entity_id))
    if found is None:
        return Response(f"主体 {entity_id[:20]} 不在主体库中", status_code=404, media_type="text/plain; charset=utf-8")
    base = (request.scope.get("root_path", "") or URL_PREFIX).rstrip("/")
    return HTMLResponse(templates().get_template("entity.html").render(e=found, base=base))


@app.get("/zip/{report}/{period}")
async def download_zip(request: Request, report: str, period: str) -> Response:
    """The whole package (its latest version, manifest inside) as one zip."""
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from chufei.ops import dashboard
    from chufei.warehouse import runtime

    found = dashboard.package_zip(runtime.data().outbox, report, period)
    if found is None:
        return Response("not found", status_code=404)
    name, content = found
    return Response(content, media_type="application/zip",
                    headers={"Content-Disposition": attachment(name)})


@app.get("/download/{report}/{period}/{name}")
async def download(request: Request, report: str, period: str, name: str) -> Response:
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from chufei.ops import dashboard
    from chufei.warehouse import runtime

    path = dashboard.package_file(runtime.data().outbox, report, period, name)
    if path is None:
        return Response("not found", status_code=404)
    return FileResponse(path, headers={"Content-Disposition": attachment(path.name)})
