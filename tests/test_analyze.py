"""End-to-end `crossread analyze`: outputs, store, reruns, exit codes, a killed run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.export import validate_analysis
from tests.conftest import SEEDS, store_snapshot

ICARO_TITLE = "Israeli Officials Express Concerns Over UN Vote as Hamas Meets with Iranian Leaders"
ALL_ISRAEL_TITLE = "Iranian regime and Hamas celebrate UN resolution demanding Gaza ceasefire"


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output  # click >= 8.2 interleaves stderr into output


def test_demo_corpus_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run_cli("analyze", str(SEEDS), "-o", str(out))
    assert code == 0, output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    validate_analysis(data)
    by_title = {a["title"]: a for a in data["articles"]}
    assert set(by_title) == {ICARO_TITLE, ALL_ISRAEL_TITLE}
    assert by_title[ICARO_TITLE]["outlet"] == "ICARO Media Group"
    assert by_title[ALL_ISRAEL_TITLE]["outlet"].startswith("All Israel")
    icaro = by_title[ICARO_TITLE]
    disclaimers = [s for s in icaro["signals"] if "Disclaimer" in s["text"]]
    assert disclaimers, icaro["signals"]
    for s in icaro["signals"]:
        assert icaro["text"][s["start"] : s["end"]] == s["text"]
    all_israel = by_title[ALL_ISRAEL_TITLE]
    removed = " ".join(r["text"] for r in all_israel["removed"])
    assert "Donate to ALL ISRAEL NEWS" in removed and "Popular Articles" in removed
    assert "Donate" not in all_israel["text"]
    assert all(r["reason"] for r in all_israel["removed"])
    # both articles tell one story
    assert len(data["stories"]) == 1 and len(data["stories"][0]["article_ids"]) == 2
    html = (out / "report.html").read_text(encoding="utf-8")
    assert ALL_ISRAEL_TITLE in html and "ICARO Media Group" in html
    assert (out / "crossread.db").exists()


def test_rerun_is_idempotent_and_new_article_joins(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), corpus)
    out = tmp_path / "out"
    assert run_cli("analyze", str(corpus), "-o", str(out))[0] == 0
    first = store_snapshot(out / "crossread.db")
    assert run_cli("analyze", str(corpus), "-o", str(out))[0] == 0
    assert store_snapshot(out / "crossread.db") == first
    assert len(first["articles"]) == 1

    shutil.copy(next(SEEDS.glob("002_*.txt")), corpus)
    code, output = run_cli("analyze", str(corpus), "-o", str(out))
    assert code == 0
    assert "1 article(s) added, 1 already stored" in output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert len(data["articles"]) == 2
    assert [len(s["article_ids"]) for s in data["stories"]] == [2]


def test_the_store_records_which_nlp_pipeline_made_each_articles_records(tmp_path: Path) -> None:
    import spacy

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), corpus)
    out = tmp_path / "out"
    assert run_cli("analyze", str(corpus), "-o", str(out), "--no-embeddings")[0] == 0
    conn = sqlite3.connect(out / "crossread.db")
    (name, version, components, fingerprint), = conn.execute(
        "select p.name, p.version, p.components, p.fingerprint from articles a "
        "join nlp_pipelines p on p.id = a.nlp_pipeline_id").fetchall()
    conn.close()
    assert name == "en_crossread" and version == "1.0.0"
    assert "crossread_transformer_ner" in components.split(",") and len(fingerprint) == 16

    # a later run with another pipeline keeps the stored records and says so
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    blank.to_disk(tmp_path / "blank")
    shutil.copy(next(SEEDS.glob("002_*.txt")), corpus)
    code, output = run_cli("analyze", str(corpus), "-o", str(out), "--no-embeddings", "--nlp", str(tmp_path / "blank"))
    assert code == 0 and "1 article(s) added, 1 already stored" in output
    assert "1 stored article(s) keep records made by another or an unrecorded NLP pipeline" in output
    code, output = run_cli("analyze", str(corpus), "-o", str(out), "--no-embeddings")  # the shipped one again
    assert "1 stored article(s) keep records made by another" in output  # now the blank pipeline's article


def test_bad_inputs_are_skipped_with_exit_1_and_good_ones_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), corpus)
    (corpus / "empty.txt").write_text("")
    (corpus / "blob.bin").write_bytes(bytes(range(256)) * 20)
    out = tmp_path / "out"
    code, output = run_cli("analyze", str(corpus), "-o", str(out))
    assert code == 1
    assert "empty.txt" in output and "empty" in output
    assert "blob.bin" in output and "binary" in output
    assert "2 input(s) skipped" in output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert [a["title"] for a in data["articles"]] == [ICARO_TITLE]


def test_strict_stops_at_first_bad_input(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a_empty.txt").write_text("")
    shutil.copy(next(SEEDS.glob("000_*.txt")), corpus / "b.txt")
    out = tmp_path / "out"
    code, output = run_cli("analyze", str(corpus), "-o", str(out), "--strict")
    assert code == 1
    assert "a_empty.txt" in output and "--strict" in output
    assert not (out / "analysis.json").exists()


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run_cli("analyze", str(SEEDS))[0] == 2  # no -o
    assert run_cli("analyze", "-o", str(tmp_path))[0] == 2  # no input


def test_db_url_option(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    out = tmp_path / "out"
    code, _ = run_cli("analyze", str(SEEDS), "-o", str(out), "--db", f"sqlite:///{db}")
    assert code == 0
    assert db.exists() and not (out / "crossread.db").exists()
    assert len(store_snapshot(db)["articles"]) == 2


def _make_corpus(folder: Path, n: int) -> None:
    """Distinct articles built from the seeds' sentences, so every one gets its own hash."""
    sentences = []
    for seed in sorted(SEEDS.glob("*.txt")):
        sentences += [s for s in seed.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s) > 40]
    folder.mkdir(parents=True)
    for i in range(n):
        body = ". ".join(sentences[(i + k) % len(sentences)] for k in range(12))
        (folder / f"article_{i:03d}.txt").write_text(
            f"Story number {i} about the UN vote\nTest Wire\n\n{body} (item {i}).\n", encoding="utf-8"
        )


def _children(pid: int) -> set[int]:
    """Child processes of ``pid`` (Linux /proc)."""
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_sigkill_then_rerun_equals_uninterrupted_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    n = 80  # five batches of the default size: killed after the first is stored
    _make_corpus(corpus, n)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "crossread", "analyze", str(corpus)]

    killed_out = tmp_path / "killed"
    # the killed run and its rerun use two worker processes, the clean run one: same records either way
    proc = subprocess.Popen([*command, "-o", str(killed_out), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = killed_out / "crossread.db"
    stored = 0
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                conn = sqlite3.connect(db, timeout=0.1)
                stored = conn.execute("select count(*) from articles").fetchone()[0]
                conn.close()
            except sqlite3.Error:
                stored = 0
            if stored:
                break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed; make the corpus larger"
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < stored < n
    assert len(workers) == 2
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "worker processes outlived the killed run"

    rerun = subprocess.run([*command, "-o", str(killed_out), "--workers", "2"], env=env, capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    clean_out = tmp_path / "clean"
    clean_run = subprocess.run([*command, "-o", str(clean_out), "--workers", "1"], env=env, capture_output=True)
    assert clean_run.returncode == 0, clean_run.stderr

    killed, clean = store_snapshot(db), store_snapshot(clean_out / "crossread.db")
    assert len(clean["articles"]) == n and all(row[-2] for row in clean["articles"])  # every article in a story
    assert killed == clean  # every table, row for row (insertion order and times aside)
    killed_json = json.loads((killed_out / "analysis.json").read_text(encoding="utf-8"))
    clean_json = json.loads((clean_out / "analysis.json").read_text(encoding="utf-8"))
    assert killed_json == clean_json


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_cli_help(flag: str) -> None:
    code, output = run_cli(flag)
    assert code == 0 and output


def test_no_embeddings_option_runs_lexical_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run_cli("analyze", str(SEEDS), "-o", str(out), "--no-embeddings")
    assert code == 0, output
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    validate_analysis(data)
    assert len(data["stories"]) == 1 and len(data["stories"][0]["article_ids"]) == 2
    conn = sqlite3.connect(out / "crossread.db")
    try:
        # story and claim stages embedded nothing: only extraction's own vectors could be cached, and
        # those are not written to the store
        assert conn.execute("select count(*) from embeddings").fetchone()[0] == 0
        assert conn.execute("select count(distinct story_id) from articles").fetchone()[0] == 1
    finally:
        conn.close()
