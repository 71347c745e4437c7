"""Issue 10, point 3: `canvass --help` lists the subcommands, each subcommand's --help describes every argument,
`canvass import` says when it creates a store and where, takes --kind, warns about the demo city, and an unknown
first argument is a usage error (exit 2) that names the subcommands instead of opening the window."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest

from app import __main__ as entry
from app import cli
from app.paths import DB_NAME

NO_KIND = "id,lat,lon\nc1,39.30,-76.61\nc2,39.31,-76.62\n"


def _exit(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        entry.main(argv)
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def test_help_lists_every_subcommand_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _exit(capsys, ["--help"])
    assert code == 0
    for command in cli.SUBCOMMANDS:
        assert any(line.split() and line.split()[0] == command.name and command.help in line
                   for line in out.splitlines()), command.name


STORELESS = {"verify-package"}


def test_every_subcommand_argument_is_described(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == cli.NAMES
    for name, subparser in sub.choices.items():
        assert subparser.description, name
        for action in subparser._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"canvass {name}: {action.dest} has no help"
        code, out, _ = _exit(capsys, [name, "--help"])
        # Every subcommand that works on a store says which one; verify-package checks any bag, storeless.
        assert code == 0 and ("--data-dir" in out) == (name not in STORELESS), name


def test_unknown_first_argument_is_a_usage_error_naming_the_subcommands(capsys, monkeypatch) -> None:  # noqa: ANN001
    import app.gui

    monkeypatch.setattr(app.gui, "run_gui", lambda args: pytest.fail("the window must not open"))
    code, _, err = _exit(capsys, ["verfy-audit"])
    assert code == 2
    assert "'verfy-audit' is neither a subcommand nor an existing file" in err
    assert "Did you mean `canvass verify-audit`?" in err
    for command in cli.SUBCOMMANDS:
        assert command.name in err


def test_import_into_an_empty_folder_says_it_creates_a_store_and_where(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    src = tmp_path / "cams.csv"
    src.write_text(NO_KIND, encoding="utf-8")
    data = tmp_path / "fresh"
    assert cli.main(["import", str(src), "--data-dir", str(data), "--kind", "city_cctv"]) == 0
    out, err = capsys.readouterr()
    assert f"no store in {data.resolve()}: creating a new one at {data.resolve() / DB_NAME}" in err
    conn = sqlite3.connect(data / DB_NAME)
    try:
        assert conn.execute("SELECT kind, count(*) FROM cameras GROUP BY kind").fetchall() == [("city_cctv", 2)]
    finally:
        conn.close()
    assert "demo city" not in err
    # A second import into the same folder: the store exists now, nothing is said about creating one.
    other = tmp_path / "more.csv"
    other.write_text(NO_KIND.replace("c1", "c7").replace("c2", "c8"), encoding="utf-8")
    assert cli.main(["import", str(other), "--data-dir", str(data), "--kind", "doorbell"]) == 0
    assert "creating" not in capsys.readouterr().err


def test_import_kind_must_be_a_camera_kind(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    src = tmp_path / "cams.csv"
    src.write_text(NO_KIND, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        cli.main(["import", str(src), "--data-dir", str(tmp_path / "d"), "--kind", "drone"])
    assert stop.value.code == 2 and "invalid choice: 'drone'" in capsys.readouterr().err
    assert not (tmp_path / "d" / DB_NAME).exists()


def test_import_into_the_demo_city_warns(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from app import paths
    from app.store import audit
    from app.store.db import open_store

    demo = paths.init(tmp_path / "data", demo=True)
    conn = open_store(demo.db_path, demo.backup_dir)
    audit.append(conn, "system", "demo_city_created", "city:Harbor Falls", {})  # what ensure_demo_city records
    conn.close()
    src = tmp_path / "cams.csv"
    src.write_text(NO_KIND, encoding="utf-8")
    assert cli.main(["import", str(src), "--data-dir", str(demo.data_dir)]) == 0
    err = capsys.readouterr().err
    assert "is the demo city, a fictional city" in err and "real data imported here" in err
