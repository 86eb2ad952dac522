"""A download link naming no file answers 404, whatever bytes its path holds (%00, control
characters, names longer than the file system allows), never a server error; the file a download names is sent under an escaped name."""

from __future__ import annotations

from pathlib import Path

import pytest

from chufei.core.settings import DataDir
from chufei.ops.dashboard import package_file

STRANGE = ["f\x00.csv", "f.csv\x00", "\x00", "f\n.csv", "f\x1b.csv", "x" * 300 + ".csv", "", "f\ud800.csv"]


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox" / "r" / "2020-01"
    folder.mkdir(parents=True)
    (folder / "f.csv").write_text("x", encoding="utf-8")
    return tmp_path / "outbox"


@pytest.mark.parametrize("name", STRANGE)
def test_strange_names_name_no_file(outbox: Path, name: str):
    assert package_file(outbox, "r", "2020-01", name) is None
    assert package_file(outbox, name, "2020-01", "f.csv") is None
    assert package_file(outbox, "r", name, "f.csv") is None


def test_the_route_answers_404_for_a_nul_byte(outbox: Path, tmp_path: Path, monkeypatch):
    from starlette.testclient import TestClient

    from chufei.ops import ui
    from chufei.warehouse import runtime

    async def logged_in(request):
        return None

    monkeypatch.setattr(ui, "_login_or_redirect", logged_in)
    monkeypatch.setattr(runtime, "data", lambda: DataDir(tmp_path))
    client = TestClient(ui.app, raise_server_exceptions=False)
    assert client.get("/download/r/2020-01/f.csv").status_code == 200
    for path in ("/download/r/2020-01/f%00.csv", "/download/r%00/2020-01/f.csv", "/download/r/2020-01/%00",
                 "/download/r/2020-01/" + "x" * 400, "/download/r/2020-01/f%0A.csv"):
        assert client.get(path).status_code == 404, path


HEADER_NAMES = ['案件统计表.xlsx', 'a"b.csv', 'a\r\nSet-Cookie: x=1.csv', "a;b'c\\d.csv", "表 1%.csv", "f\x00.csv"]


def _parse_disposition(header: str) -> dict[str, str]:
    """The header's parameters as a client reads them: ; separates, quotes hold a plain name."""
    params = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        params[key] = value
    return params


@pytest.mark.parametrize("name", HEADER_NAMES)
def test_the_download_header_carries_any_name_intact_on_one_line(name: str):
    from urllib.parse import unquote

    from chufei.ops.ui import attachment

    header = attachment(name)
    header.encode("latin-1")  # an HTTP header must be Latin-1; this one is ASCII
    assert all(" " <= c <= "~" for c in header), header  # no line break, no control character
    params = _parse_disposition(header)
    assert header.startswith("attachment;")
    assert set(params) == {"filename", "filename*"}, header  # a quote or ; in the name adds no parameter
    plain = params["filename"]
    assert plain.startswith('"')
    assert plain.endswith('"')
    assert '"' not in plain[1:-1]
    assert "\\" not in plain
    assert params["filename*"].startswith("UTF-8''")
    assert unquote(params["filename*"][len("UTF-8''"):], encoding="utf-8") == name


def test_the_routes_send_the_escaped_name(outbox: Path, tmp_path: Path, monkeypatch):
    """Both the file and the zip route name their download with the RFC 5987 form and an ASCII fallback."""
    from starlette.testclient import TestClient

    from chufei.ops import ui
    from chufei.warehouse import runtime

    async def logged_in(request):
        return None

    monkeypatch.setattr(ui, "_login_or_redirect", logged_in)
    monkeypatch.setattr(runtime, "data", lambda: DataDir(tmp_path))
    (outbox / "r" / "2020-01" / '案件"统计"表.csv').write_text("x", encoding="utf-8")
    client = TestClient(ui.app, raise_server_exceptions=False)
    response = client.get("/download/r/2020-01/案件%22统计%22表.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_______.csv\"; filename*=UTF-8''"
        "%E6%A1%88%E4%BB%B6%22%E7%BB%9F%E8%AE%A1%22%E8%A1%A8.csv")
    for path in ("/zip/r%00/2020-01", "/zip/r/2020-01%00", "/zip/" + "x" * 400 + "/2020-01"):
        assert client.get(path).status_code == 404, path
