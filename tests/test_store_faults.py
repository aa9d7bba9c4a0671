"""Hostile environments: one store, one writer; a full disk, an unwritable folder, a damaged store.

Each ends the command with one line in the user's words and exit status 1, never a traceback, and
keeps what was stored: the same command run again finishes the job.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from crossread.store.migrate import HEAD
from crossread.cli import main
from crossread.faults import describe_fault
from crossread.store import Store, StoreInUse
from tests.conftest import REPO, SEEDS


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _crossread(*args: str, umask: int = 0o022) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossread", *args], capture_output=True, text=True, env=_env(),
                          preexec_fn=lambda: os.umask(umask), timeout=600)


def _articles(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT seq, id FROM articles ORDER BY seq").fetchall()


def _one_line_error(output: str) -> str:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, output
    return lines[0]


# ---------------------------------------------------------------------------------- one writer

def test_a_store_has_one_writer_at_a_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crossread.db'}"
    first = Store(url, lock=True)
    try:
        with pytest.raises(StoreInUse, match=r"store .*crossread\.db is in use by another run \(process \d+\)"):
            Store(url, lock=True)
        Store(url).close()  # a reader (export, search) is not a writer
    finally:
        first.close()
    Store(url, lock=True).close()  # released with the store


def test_a_run_on_a_store_in_use_stops_with_one_line_and_the_rerun_stores_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    db = out / "crossread.db"
    # another process holds the store as its writer until told to stop
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from crossread.store import Store; s = Store(sys.argv[1], lock=True); "
         "print('held', flush=True); sys.stdin.readline(); s.close()", f"sqlite:///{db}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(), preexec_fn=lambda: os.umask(0o002))
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = _crossread("analyze", str(SEEDS), "-o", str(out))
        assert busy.returncode == 1, busy.stderr
        line = _one_line_error(busy.stderr)
        assert line == (f"Error: store {db} is in use by another run (process {holder.pid}); "
                        "run this one again when that one has finished")
        assert _articles(db) == [] and not (out / "report.html").exists()  # it wrote nothing
    finally:
        holder.communicate("\n", timeout=60)
    again = _crossread("analyze", str(SEEDS), "-o", str(out), "--workers", "1", umask=0o002)
    assert again.returncode == 0, again.stderr
    assert "2 article(s) added" in again.stderr and [seq for seq, _ in _articles(db)] == [1, 2]
    # outputs, the store and its lock file follow the umask (group-writable under 002), none forced private
    for name in ("report.html", "analysis.json", "crossread.db", "crossread.db.lock"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o664, name


def test_two_runs_at_once_on_one_output_folder_never_crash_or_share_the_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [sys.executable, "-m", "crossread", "analyze", str(SEEDS), "-o", str(out), "--workers", "1"]
    runs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(2)]
    results = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    for run in runs:
        run.stderr.close()
    assert sorted(code for code, _ in results) in ([0, 0], [0, 1]), results
    for code, err in results:
        if code == 1:
            assert "is in use by another run" in _one_line_error(err)
        else:
            assert "Traceback" not in err and "2 article(s) in the store" in err
    assert [seq for seq, _ in _articles(out / "crossread.db")] == [1, 2]


# ---------------------------------------------------------------------------------- full disk

def test_a_full_disk_while_storing_keeps_what_was_stored_and_the_rerun_finishes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import crossread.pipeline as pipeline
    import crossread.store as store_module

    out = tmp_path / "out"
    # SQLite's own "database or disk is full" (SQLITE_FULL): once the first article is stored, the
    # store may not grow by a page (PRAGMA max_page_count), as on a disk with no space left
    limit: list[int] = []
    plain_pragmas, plain_add, plain_run = store_module._sqlite_pragmas, Store.add_articles, pipeline.run_analyze

    def pragmas(dbapi_connection, record) -> None:  # noqa: ANN001
        plain_pragmas(dbapi_connection, record)
        if limit:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit[0]}")

    def add_articles(self: Store, *args, **kwargs) -> list[str]:  # noqa: ANN002, ANN003
        added = plain_add(self, *args, **kwargs)
        if not limit:
            with self.engine.connect() as conn:
                limit.append(conn.execute(text("PRAGMA page_count")).scalar_one())
            self.engine.dispose()  # every later connection gets the limit
        return added

    monkeypatch.setattr(store_module, "_sqlite_pragmas", pragmas)
    monkeypatch.setattr(Store, "add_articles", add_articles)
    # one article per batch, so that the first is stored before the disk fills
    monkeypatch.setattr(pipeline, "run_analyze", lambda inputs, options: plain_run(
        inputs, dataclasses.replace(options, batch_size=1)))
    full = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out), "--workers", "1"])
    assert full.exit_code == 1, full.output
    assert _one_line_error(full.output) == (
        f"Error: cannot write store {out.resolve() / 'crossread.db'}: the disk is full; what was stored is kept: "
        "free some space and run the same command again")
    assert len(_articles(out / "crossread.db")) == 1  # the first article is kept, whole

    monkeypatch.undo()  # space freed
    again = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out), "--workers", "1"])
    assert again.exit_code == 0, again.output
    assert "1 article(s) added, 1 already stored" in again.output
    assert [seq for seq, _ in _articles(out / "crossread.db")] == [1, 2] and (out / "report.html").is_file()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_writing_the_report_keeps_the_store_and_the_rerun_writes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crossread.fileio as fileio

    out = tmp_path / "out"
    # every output written goes to /dev/full, whose writes fail with ENOSPC as on a full disk
    monkeypatch.setattr(fileio, "_create_temp", lambda path: (os.open("/dev/full", os.O_WRONLY), path.parent / ".x.tmp"))
    full = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out), "--workers", "1"])
    assert full.exit_code == 1, full.output
    assert _one_line_error(full.output) == (
        f"Error: cannot write {out / 'analysis.json'}: the disk is full (No space left on device); what was stored "
        "is kept: free some space and run the same command again")
    assert len(_articles(out / "crossread.db")) == 2 and not (out / "report.html").exists()

    monkeypatch.undo()
    again = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out), "--workers", "1"])
    assert again.exit_code == 0, again.output
    assert "0 article(s) added, 2 already stored" in again.output
    assert (out / "report.html").is_file() and (out / "analysis.json").is_file()


# ---------------------------------------------------------------------------------- unwritable output

def test_an_unwritable_output_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / "out"
    if os.geteuid() == 0:  # root writes through any mode bits: refuse the folder as the kernel would
        plain_mkdir = Path.mkdir

        def mkdir(self: Path, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            if self == out:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            plain_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    else:
        locked.chmod(0o500)
    try:
        result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out)])
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 1, result.output
    assert _one_line_error(result.output) == f"Error: {out}: Permission denied"


# ---------------------------------------------------------------------------------- damaged store

def _empty_store(folder: Path) -> Path:
    folder.mkdir()
    db = folder / "crossread.db"
    Store(f"sqlite:///{db}").close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one file: what a copy of the store would be
    return db


def test_a_truncated_store_is_damaged_and_store_check_says_so(tmp_path: Path) -> None:
    db = _empty_store(tmp_path / "out")
    os.truncate(db, os.path.getsize(db) // 2)
    check = CliRunner().invoke(main, ["store", "check", str(db.parent)])
    assert check.exit_code == 1
    assert f"store {db} is damaged: database disk image is malformed" in check.output
    run = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(db.parent), "--workers", "1"])
    assert run.exit_code == 1
    assert _one_line_error(run.output) == (f"Error: store {db} is damaged: database disk image is malformed "
                                           "(`crossread store check` says more)")


def test_a_file_that_is_no_database_is_a_damaged_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "crossread.db").write_bytes(b"this was never a database\n" * 200)
    for args in (["analyze", str(SEEDS), "-o", str(out)], ["report", str(out)], ["search", "x", str(out)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert _one_line_error(result.output).startswith(f"Error: store {out / 'crossread.db'} is damaged: "
                                                         "file is not a database")
    check = CliRunner().invoke(main, ["store", "check", str(out)])
    assert check.exit_code == 1 and "is damaged: file is not a database" in check.output


def test_store_check_names_missing_tables_dangling_rows_and_a_newer_revision(tmp_path: Path) -> None:
    db = _empty_store(tmp_path / "out")
    fine = CliRunner().invoke(main, ["store", "check", str(db.parent)])
    assert fine.exit_code == 0 and f"store {db}: ok (schema revision {HEAD}, 0 article(s))" in fine.output
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO removed_chrome VALUES ('no-such-article', 0, 'Home', 'navigation')")
        conn.execute("DROP TABLE signals")
    broken = CliRunner().invoke(main, ["store", "check", str(db.parent)])
    assert broken.exit_code == 1
    assert f"store {db} is damaged: table signals is missing" in broken.output
    assert f"store {db} is damaged: 1 row(s) of removed_chrome refer to rows missing from articles" in broken.output
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    newer = CliRunner().invoke(main, ["store", "check", str(db.parent)])
    assert newer.exit_code == 1 and f"schema revision 0099 is newer than this crossread's ({HEAD})" in newer.output


def _fault_of(connect, statement: str) -> str | None:  # noqa: ANN001
    engine = create_engine("sqlite://", creator=connect)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        return describe_fault(exc, "S")
    finally:
        engine.dispose()
    raise AssertionError("no fault")


def test_what_sqlite_says_of_a_read_only_or_full_store_is_said_in_the_users_words(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")

    def read_only() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def full() -> sqlite3.Connection:
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    assert _fault_of(read_only, "INSERT INTO t VALUES ('x')") == (
        "cannot write store S: it is read-only (attempt to write a readonly database)")
    assert _fault_of(full, "INSERT INTO t SELECT hex(randomblob(100000))") == (
        "cannot write store S: the disk is full; what was stored is kept: free some space and run the same "
        "command again")
    assert _fault_of(lambda: sqlite3.connect(db), "INSERT INTO t VALUES (1, 2)") is None  # a bug: it raises


def test_what_the_system_says_of_an_output_is_said_in_the_users_words() -> None:
    def fault(number: int, name: str | None = "/out/report.html") -> str | None:
        return describe_fault(OSError(number, os.strerror(number), name), "S")

    assert fault(errno.EROFS) == "cannot write /out/report.html: Read-only file system"
    assert fault(errno.EDQUOT).startswith("cannot write /out/report.html: the disk is full (Disk quota exceeded)")
    assert fault(errno.EACCES) == "/out/report.html: Permission denied"
    assert describe_fault(ValueError("a bug"), "S") is None  # not the environment: it raises
