"""The 处非统计 page: a FastAPI app the ``chufei`` Airflow plugin mounts at ``/chufei``.

Every route requires an Airflow login (the api-server's JWT, from the UI's ``_token`` cookie or a
Bearer header); a browser without one is sent to Airflow's login page and back. The page is
server-rendered HTML from the Jinja2 templates in ``templates/`` (no script), autoescaped, and shows no personal data.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

app = FastAPI(title="chufei 处非统计", docs_url=None, redoc_url=None, openapi_url=None)
URL_PREFIX = "/chufei"


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

    from chufei.kinds.datasets import DATASETS

    env = Environment(loader=PackageLoader("chufei.ops", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["dataset_title"] = lambda key: DATASETS[key].title if key in DATASETS else key
    return env


def render(dash, base: str = URL_PREFIX) -> str:  # noqa: ANN001
    return templates().get_template("page.html").render(dash=dash, base=base)


@app.get("/", response_class=HTMLResponse)
async def page(request: Request) -> Response:
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from starlette.concurrency import run_in_threadpool

    from chufei.ops import dashboard

    from chufei.warehouse import runtime

    dash = await run_in_threadpool(lambda: dashboard.build(runtime.warehouse_engine(), runtime.data().outbox))
    base = request.scope.get("root_path", "") or URL_PREFIX
    return HTMLResponse(render(dash, base.rstrip("/")))


@app.get("/download/{report}/{period}/{name}")
async def download(request: Request, report: str, period: str, name: str) -> Response:
    if (denied := await _login_or_redirect(request)) is not None:
        return denied
    from chufei.ops import dashboard
    from chufei.warehouse import runtime

    path = dashboard.package_file(runtime.data().outbox, report, period, name)
    if path is None:
        return Response("not found", status_code=404)
    return FileResponse(path, filename=name)
