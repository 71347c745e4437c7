"""The hostile corpus (tests/data/hostile/make_corpus.py) through `canvass import` and the preview's reader: a clear
rejection or a stated accept for each file, never a traceback, bounded memory (peak RSS of a child process), and the
store unchanged when the file is refused. Also: `canvass import` killed at random moments leaves the store whole."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from app import cli
from app.io.pipeline_process import PROCESS_FROM_BYTES
from app.paths import DB_NAME
from app.store import audit
from app.store.db import open_store

ROOT = Path(__file__).resolve().parents[2]
RSS_CAP_MB = 300  # generous: a bare interpreter with numpy and sqlite is ~40 MB; the 2 GiB file must not count


def _corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tests" / "data" / "hostile" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus_module()
CASES = {case.name: case for case in CORPUS.CORPUS}

# The peak RSS of a child since its exec: VmHWM of its own memory map. (ru_maxrss would not do: Linux carries it
# across exec, so a child forked from a big pytest process would report the parent's size.)
PEAK = r"""
def peak_kb():
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])
"""

# `canvass import` in a child that reports its peak RSS: its own, or its reading process's (app.io.pipeline_process,
# forked for a large file) if that was larger. The reader's ru_maxrss counts what it shared with its parent at the
# fork too, so this overstates it, never the reverse.
RUNNER = PEAK + r"""
import resource, sys
from app import cli
try:
    code = cli.main(sys.argv[1:])
finally:
    reader_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(f"\nMAXRSS_KB {max(peak_kb(), reader_kb)}\n")
sys.exit(code)
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return CORPUS.make_corpus(tmp_path_factory.mktemp("hostile"))


def _seeded_store(folder: Path, with_id: bool = True) -> Path:
    """A data folder whose store already holds one imported camera (so 'unchanged' means something); without an id
    in the file, nothing of the store is read to validate a later import (a forked reader may read it)."""
    seed = folder / "seed.csv"
    text = "id,lat,lon,kind\nseed1,39.2,-76.5,doorbell\n" if with_id else "lat,lon,kind\n39.2,-76.5,doorbell\n"
    seed.write_text(text, encoding="utf-8")
    data = folder / "data"
    assert cli.main(["import", str(seed), "--data-dir", str(data)]) == 0
    return data


def _state(data: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(data / DB_NAME)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("cameras", "import_batches", "audit_log"))
    finally:
        conn.close()


def _run(*argv: str) -> tuple[int, str, str, float]:
    proc = subprocess.run([sys.executable, "-c", RUNNER, *argv], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    err, _, rss = proc.stderr.rpartition("MAXRSS_KB ")
    return proc.returncode, proc.stdout, err, int(rss) / 1024


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_through_the_cli(name: str, corpus: dict[str, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    data = _seeded_store(tmp_path)
    capsys.readouterr()
    before = _state(data)
    code, out, err, rss_mb = _run("import", str(corpus[name]), "--data-dir", str(data))
    assert "Traceback" not in err and "Traceback" not in out
    assert code == case.exit_code, (out[-2000:], err[-2000:])
    assert case.says in out + err, (out[-2000:], err[-2000:])
    assert rss_mb < RSS_CAP_MB, f"{name}: peak RSS {rss_mb:.0f} MB"
    after = _state(data)
    if code == 0:
        assert after[0] > before[0] and after[1] == before[1] + 1
    else:
        assert after == before  # refused: not a row, not a batch, not an audit entry
    if case.valid_only_code is not None:  # the valid rows can still come in, the bad ones never
        assert cli.main(["import", str(corpus[name]), "--data-dir", str(data), "--valid-only"]) == \
            case.valid_only_code
        out2, err2 = capsys.readouterr()
        assert "Traceback" not in err2 and _state(data)[1] == before[1] + 1


PREVIEW_READER = PEAK + r"""
import json, sys
from app.io.mapping import guess_mapping, MappingError
from app.io.readers import open_source, SourceError
from app.io.camera_import import validate_source
out = {}
for path in sys.argv[1:]:
    try:
        source = open_source(path)
        v = validate_source(source, guess_mapping(source.columns))   # what the preview's worker runs
        out[path] = ["ok", v.valid, v.bad_count]
    except (SourceError, MappingError) as exc:
        out[path] = ["refused", str(exc)]
out["maxrss_kb"] = peak_kb()
print(json.dumps(out))
"""


def test_the_preview_reader_stays_bounded_over_the_whole_corpus(corpus: dict[str, Path]) -> None:
    paths = [str(p) for p in corpus.values()]
    proc = subprocess.run([sys.executable, "-c", PREVIEW_READER, *paths], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result.pop("maxrss_kb") / 1024 < RSS_CAP_MB
    outcome = {Path(k).name: v for k, v in result.items()}
    assert outcome["nul-2gib.csv"][0] == "refused" and "NUL bytes" in outcome["nul-2gib.csv"][1]
    assert outcome["unclosed-quote.csv"] == ["ok", 200_001, 1]
    assert outcome["label-10mb.csv"] == ["ok", 2, 1] and outcome["deep.geojson"] == ["ok", 2, 1]
    assert outcome["prefix-garbage.csv"][0] == "refused" and "none of the first" in outcome["prefix-garbage.csv"][1]


# --- killed at random moments -----------------------------------------------------------------------------------
def test_import_killed_at_random_moments_leaves_the_store_whole(tmp_path: Path) -> None:
    rows = 40_000
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("id,lat,lon,kind,heading_deg\n")
        fh.write("".join(f"k{i},39.{i % 1000:03d},-76.6,doorbell,{i % 360}\n" for i in range(rows)))
    assert big.stat().st_size >= PROCESS_FROM_BYTES  # read by a forked process (app.io.pipeline_process): kill that
    data = _seeded_store(tmp_path, with_id=False)
    base = _state(data)
    # ids unmapped: every run that gets to COMMIT adds the whole file again
    argv = [sys.executable, "-m", "app.cli", "import", str(big), "--data-dir", str(data), "--mapping",
            json.dumps({"external_id": None})]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    assert subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    whole = time.perf_counter() - t0  # start-up, reading, writing, committing
    rng = random.Random(9)
    killed, commits = 0, 1
    for _ in range(20):
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        time.sleep(rng.uniform(0.05, 1.1) * whole)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        _, err = proc.communicate(timeout=120)
        assert b"Traceback" not in err
        conn = open_store(data / DB_NAME)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            cameras, batches = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                for t in ("cameras", "import_batches"))
            # all or nothing: whole files and their batches only (a kill after COMMIT keeps that run's file)
            assert batches in (base[1] + commits, base[1] + commits + 1)
            commits = batches - base[1]
            assert cameras == base[0] + rows * commits
            result = audit.verify(conn)
            assert result.ok and result.entries == base[2] + commits
        finally:
            conn.close()
    assert killed >= 10  # most runs were killed somewhere along the way
