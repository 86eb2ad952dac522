"""The 处非统计 page: a FastAPI app the ``chufei`` Airflow plugin mounts at ``/chufei``.

Every route requires an Airflow login (the api-server's JWT, from the UI's ``_token`` cookie or a
Bearer header); a browser without one is sent to Airflow's login page and back. The page is
server-rendered HTML (no script), escaped throughout, and shows no personal data.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

app = FastAPI(title="chufei 处非统计", docs_url=None, redoc_url=None, openapi_url=None)
URL_PREFIX = "/chufei"
STATUS_CLASS = {"received": "ok", "late": "late", "missing": "miss"}
STATUS_SHORT = {"received": "按时", "late": "逾期", "missing": "未报"}


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


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _section(title: str, body: str, note: str = "") -> str:
    return f"<section><h2>{_e(title)}</h2>{f'<p class=note>{_e(note)}</p>' if note else ''}{body}</section>"


def render(dash, base: str = URL_PREFIX) -> str:  # noqa: ANN001
    from chufei.kinds.datasets import DATASETS

    def title(dataset: str) -> str:
        return DATASETS[dataset].title if dataset in DATASETS else dataset

    # completeness
    if not dash.matrix_columns:
        matrix = "<p class=nodata>暂无数据：submission_watch 尚未运行。</p>"
    else:
        head = "".join(f"<th>{_e(title(d))}<br>{_e(p)}<br><small>时限 {_e(due)}</small></th>"
                       for d, p, due in dash.matrix_columns)
        body = []
        for row in dash.matrix:
            cells = "".join(f"<td class={STATUS_CLASS[c]}>{STATUS_SHORT[c]}</td>" if c else "<td class=na>—</td>"
                            for c in row["cells"])
            body.append(f"<tr><td>{_e(row['code'])}</td><th class=unit>{_e(row['name'])}</th>{cells}"
                        f"<td>{row['received']}</td><td>{row['late']}</td><td>{row['missing']}</td></tr>")
        counts = dash.status_counts
        matrix = (f"<p>截至 <b>{_e(dash.as_of)}</b>：按时 {counts.get('received', 0)}，逾期 {counts.get('late', 0)}，"
                  f"未报 {counts.get('missing', 0)}（下表为最近 {len(dash.matrix_columns)} 个到期事项，"
                  f"全部见 outbox 中的 submission_matrix xlsx）</p>"
                  f"<div class=scroll><table id=matrix><tr><th>代码</th><th>单位</th>{head}"
                  f"<th>按时</th><th>逾期</th><th>未报</th></tr>{''.join(body)}</table></div>")
    # figures and targets
    if not dash.figures:
        figures = "<p class=nodata>暂无数据：还没有案件台账。</p>"
    else:
        labels = list(dash.figures[0]["values"])
        head = "".join(f"<th>{_e(f['label'])}</th>" for f in dash.figures)
        rows = "".join("<tr><th>" + _e(label) + "</th>"
                       + "".join("<td>" + _e(f["values"][label]) + "</td>" for f in dash.figures) + "</tr>"
                       for label in labels)
        figures = f"<table id=figures><tr><th>指标</th>{head}</tr>{rows}</table>"
    target_rows = []
    for t in dash.targets:
        state = "无数据 no data" if t.met is None else ("达标" if t.met else "未达标")
        css = "na" if t.met is None else ("ok" if t.met else "miss")
        target_rows.append(f"<tr><th>{_e(t.title)}</th><td>{_e(t.goal)}</td><td>{_e(t.value or '—')}</td>"
                           f"<td class={css}>{state}</td><td>{_e(t.detail)}</td></tr>")
    targets = ("<table id=targets><tr><th>目标</th><th>要求</th><th>当前</th><th>状态</th><th>说明</th></tr>"
               + "".join(target_rows) + "</table>")
    # quality
    if not dash.quality:
        quality = "<p class=nodata>暂无数据：还没有收到报送文件。</p>"
    else:
        rows = "".join(
            f"<tr><td>{_e(q['unit'])}</td><td>{_e(q['dataset'])}</td><td>{q['files']}</td><td>{q['rows_total']}</td>"
            f"<td>{q['rows_accepted']}</td><td>{q['rows_rejected']}</td>"
            f"<td>{_e(q['pass_rate']) + '%' if q['pass_rate'] is not None else '—'}</td></tr>" for q in dash.quality)
        quality = ("<table id=quality><tr><th>单位</th><th>数据集</th><th>文件</th><th>行数</th><th>通过</th>"
                   f"<th>退回</th><th>通过率</th></tr>{rows}</table>")
    if dash.rejections:
        rows = "".join(f"<tr><td>{_e(r['unit'])}</td><td>{_e(r['dataset'])}</td><td>{_e(r['file'])}</td>"
                       f"<td>{_e(r['sheet'])}</td><td>{_e(r['row'])}</td><td>{_e(r['reasons'])}</td></tr>"
                       for r in dash.rejections)
        quality += ("<h3>最近退回的行</h3><table id=rejections><tr><th>单位</th><th>数据集</th><th>文件</th>"
                    f"<th>工作表</th><th>行</th><th>原因</th></tr>{rows}</table>")
    # packages
    if not dash.packages:
        packages = "<p class=nodata>暂无数据：outbox 中还没有报表包。</p>"
    else:
        items = []
        for p in dash.packages:
            links = " · ".join(
                f"<a href='{base}/download/{quote(p['report'])}/{quote(p['period'])}/{quote(name)}'>{_e(name)}</a>"
                for name in p["files"])
            items.append(f"<tr><td>{_e(p['report'])}</td><td>{_e(p['period'])}</td>"
                         f"<td>{_e(p.get('version') or '')}</td><td>{links}</td></tr>")
        packages = ("<table id=packages><tr><th>报表</th><th>报告期</th><th>版本</th><th>文件</th></tr>"
                    f"{''.join(items)}</table>")
    month = dash.month.label if dash.month else "—"
    return f"""<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>处非统计</title><style>
body{{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:16px;color:#222}}
h1{{font-size:22px}} h2{{font-size:18px;border-bottom:2px solid #446;padding-bottom:2px}}
table{{border-collapse:collapse;margin:6px 0;font-size:13px}} td,th{{border:1px solid #bbb;padding:3px 6px}}
th{{background:#eef}} th.unit{{background:#f8f8ff;text-align:left}} .ok{{background:#c6efce}}
.late{{background:#ffeb9c}} .miss{{background:#ffc7ce}} .na{{color:#888}} .nodata{{color:#777;font-style:italic}}
.scroll{{overflow-x:auto}} .note{{color:#555}}</style></head><body>
<h1>处非统计 · 鄂州市防范和处置非法集资</h1>
{_section("报送完成情况", matrix)}
{_section("最新统计数据与工作目标", figures + targets, f"最近报告月份：{month}")}
{_section("数据质量", quality)}
{_section("报表包下载", packages)}
</body></html>"""


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
