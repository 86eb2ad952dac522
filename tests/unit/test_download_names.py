"""A download link naming no file answers 404, whatever bytes its path holds (%00, control
characters, names longer than the file system allows), never a server error."""

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
