"""A package build killed mid-way: between the version's rename and the ``latest`` update, the
complete orphan is adopted (not published again as an identical v<n+1>); a killed render leaves
no ``.render-*`` folder behind for good; a live build's render folder is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from chufei.outbox import reports
from chufei.outbox.publishing import render_folder
from chufei.outbox.reports import package_versions, write_package
from tests.unit.test_xlsx_and_reports import _form

KILLED = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from chufei.outbox import reports
    from tests.unit.test_xlsx_and_reports import _form

    if sys.argv[2] == "before-latest":
        reports.point_latest = lambda *args: os._exit(9)
    else:
        real = reports._render
        def render_then_die(*args):
            real(*args)
            os._exit(9)
        reports._render = render_then_die
    reports.write_package(Path(sys.argv[1]), "r", "2020-06", {"r_2020-06": _form()}, sys.argv[3:])
""")


def _killed_build(root: Path, where: str, sources: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[2]),
                                                        os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", KILLED, str(root), where, *sources], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 9, done.stderr


def test_an_orphan_version_is_adopted_not_published_again(tmp_path: Path):
    root = tmp_path / "r" / "2020-06"
    first = write_package(root, "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    assert first["version"] == "v1"

    _killed_build(root, "before-latest", ["s1", "s2"])  # v2 renamed into place, latest still v1
    assert package_versions(root) == ["v1", "v2"]
    assert (root / "latest").read_text(encoding="utf-8").strip() == "v1"

    again = write_package(root, "r", "2020-06", {"r_2020-06": _form()}, ["s1", "s2"])
    assert again["version"] == "v2"
    assert package_versions(root) == ["v1", "v2"]
    assert (root / "latest").read_text(encoding="utf-8").strip() == "v2"
    assert [p.name for p in root.iterdir() if p.name.startswith(".") and p.name != ".publish.lock"] == []


def test_an_incomplete_orphan_is_not_adopted(tmp_path: Path):
    root = tmp_path / "r" / "2020-06"
    write_package(root, "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    _killed_build(root, "before-latest", ["s1", "s2"])
    (root / "v2" / "r_2020-06.csv").write_bytes(b"tampered")

    again = write_package(root, "r", "2020-06", {"r_2020-06": _form()}, ["s1", "s2"])
    assert again["version"] == "v3"  # v2 is not what its manifest says: never named latest
    assert (root / "latest").read_text(encoding="utf-8").strip() == "v3"


def test_render_leftovers_of_a_killed_build_are_removed_but_not_a_live_ones(tmp_path: Path):
    root = tmp_path / "r" / "2020-06"
    root.mkdir(parents=True)
    _killed_build(root, "while-rendering", ["s1"])
    assert [p.name for p in root.iterdir() if p.name.startswith(".render-")] != []

    with render_folder(root) as live:
        (live / "half.xlsx").write_bytes(b"being written")
        write_package(root, "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
        assert [p for p in root.iterdir() if p.name.startswith(".render-")] == [live]
        assert (live / "half.xlsx").read_bytes() == b"being written"
    assert [p.name for p in root.iterdir() if p.name.startswith(".render-")] == []
    assert package_versions(root) == ["v1"]
    assert reports.latest_version(root) == root / "v1"


def test_a_render_folder_just_made_is_not_taken_for_a_killed_builds(tmp_path: Path, monkeypatch):
    """Another build's clean-up can run between a render folder's creation and its lock (two
    runs of one period at once): the folder must survive it, not vanish under its own build."""
    import tempfile
    import threading

    from chufei.outbox import publishing

    made = tempfile.mkdtemp
    cleaners: list[threading.Thread] = []
    removed: list[list[str]] = []

    def cleaned_up() -> None:  # the other build's clean-up, as it runs: under the publishing lock
        with publishing.publishing(tmp_path):
            removed.append(publishing.remove_abandoned(tmp_path))

    def made_then_cleaned_up(**kwargs):
        path = made(**kwargs)
        cleaners.append(threading.Thread(target=cleaned_up))
        cleaners[-1].start()
        cleaners[-1].join(timeout=0.5)  # the clean-up gets its chance before the folder is locked
        return path

    monkeypatch.setattr(publishing.tempfile, "mkdtemp", made_then_cleaned_up)
    with render_folder(tmp_path) as staging:
        (staging / "form.xlsx").write_bytes(b"x")
        assert (staging / "form.xlsx").read_bytes() == b"x"
    cleaners[0].join(timeout=10)
    assert removed == [[]]
