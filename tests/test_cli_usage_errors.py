"""Usage errors end with one clear line and exit status 2, never a traceback, and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from tests.conftest import SEEDS


@pytest.mark.parametrize(("args", "message"), [
    (["--db", "my-store"], "--db 'my-store' is not a database URL"),
    (["--nlp", "no_such_pipeline"], "--nlp 'no_such_pipeline': no installed spaCy pipeline"),
    (["--max-bytes", "-1"], "Invalid value for '--max-bytes'"),
    (["--workers", "-2"], "Invalid value for '--workers'"),
])
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_no_input_found_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "intake"
    empty.mkdir()
    result = CliRunner().invoke(main, ["analyze", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"no input files found in {empty}" in result.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_a_store_command_with_a_bad_db_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["report", "--db", "nonsense"])
    assert result.exit_code == 2 and "is not a database URL" in result.output


def test_a_sqlite_store_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "out"),
                                       "--db", f"sqlite:///{tmp_path}/nowhere/x.db"])
    assert result.exit_code == 2 and "does not exist" in result.output and "Traceback" not in result.output


def test_an_output_folder_inside_the_input_folder_is_never_read_as_input(tmp_path: Path) -> None:
    import shutil

    intake = tmp_path / "intake"
    shutil.copytree(SEEDS, intake)
    first = CliRunner().invoke(main, ["analyze", str(intake), "-o", str(intake / "out")])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, ["analyze", str(intake), "-o", str(intake / "out")])
    assert again.exit_code == 0, again.output  # its report, analysis.json and store are not inputs
    assert "0 article(s) added, 2 already stored, 0 input(s) skipped" in again.output


def test_a_fifo_is_skipped_with_its_reason_and_a_symlink_loop_reads_each_file_once(tmp_path: Path) -> None:
    import os
    import shutil

    intake = tmp_path / "intake"
    shutil.copytree(SEEDS, intake)
    os.mkfifo(intake / "pipe.txt")  # reading it would block the run forever
    (intake / "loop").symlink_to(intake, target_is_directory=True)
    result = CliRunner().invoke(main, ["analyze", str(intake), f"{intake}/**/*.txt", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "pipe.txt: a named pipe (FIFO): not read" in result.output
    assert "2 article(s) added, 0 already stored, 1 input(s) skipped" in result.output


def test_a_file_name_with_bad_bytes_or_a_newline_costs_nothing_and_is_shown_on_one_line(tmp_path: Path) -> None:
    import os

    intake = tmp_path / "intake"
    intake.mkdir()
    seed = next(p for p in sorted(SEEDS.iterdir()) if p.suffix == ".txt")
    with open(os.fsencode(intake) + b"/bad\xffname.txt", "wb") as out:
        out.write(seed.read_bytes())
    (intake / "new\nline.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(intake), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "1 article(s) added" in result.output  # the good file with the bad name is stored
    assert "new\\nline.txt: no article text found" in result.output  # one line, the newline escaped


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml", "-o", "{tmp}/x"], "Invalid value for '--format'"),
    (["--format", "graphml", "-o", "{tmp}"], "a folder is there; this format writes a file"),
    (["--format", "csv", "-o", "{tmp}/file.txt"], "a file is there; this format writes a folder"),
    (["--format", "plover", "-o", "{tmp}/nowhere/events.jsonl"], "the folder {tmp}/nowhere does not exist"),
    (["--format", "csv", "-o", "{tmp}/x", "--since", "last week"], "--since 'last week' is not a date (YYYY-MM-DD)"),
    (["--format", "parquet", "-o", "{tmp}/x", "--story", "story_nope"], "--story story_nope: no story of that id"),
])
def test_bad_export_arguments_are_usage_errors(export_store: Path, tmp_path: Path, args: list[str],
                                               message: str) -> None:
    (tmp_path / "file.txt").write_text("mine", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, ["export", str(export_store), *args])
    assert result.exit_code == 2, result.output
    assert message.replace("{tmp}", str(tmp_path)) in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing written
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "mine"


def test_export_without_a_store_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(tmp_path), "--format", "csv", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "no crossread store there" in result.output
