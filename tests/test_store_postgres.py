"""The store on PostgreSQL: the same analysis as on SQLite, idempotent reruns, worker processes.

The server is a throw-away one that ``scripts/postgres.sh`` starts on 127.0.0.1 (installing the Debian
package when it runs as root and none is found); the tests skip, saying why, only where it cannot.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crossread.pipeline import AnalyzeOptions, run_analyze
from tests.conftest import REPO, SEEDS
from tests.test_analyze import _make_corpus

SCRIPT = REPO / "scripts" / "postgres.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Callable[[str], str]]:
    """A function giving the URL of a new, empty database on the test server."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")
    from sqlalchemy import create_engine, text

    folder = tempfile.mkdtemp(prefix="crossread-pg-")  # under /tmp: the server's user must reach it
    start = subprocess.run(["bash", str(SCRIPT), "start", folder, str(_free_port())],
                           capture_output=True, text=True, timeout=600)
    if start.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not be started: {start.stderr.strip()[-500:]}")
    url = start.stdout.strip().splitlines()[-1]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def new_database(name: str) -> str:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return url.rsplit("/", 1)[0] + f"/{name}"

    try:
        yield new_database
    finally:
        admin.dispose()
        subprocess.run(["bash", str(SCRIPT), "stop", folder], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def _analysis(out: Path) -> dict:
    return json.loads((out / "analysis.json").read_text(encoding="utf-8"))


def test_the_demo_on_postgres_gives_the_same_analysis_as_on_sqlite(postgres, tmp_path: Path) -> None:
    url = postgres("demo")
    on_pg = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "pg", db_url=url))
    on_sqlite = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "sqlite"))
    assert on_pg.ok and on_pg.added == 2 and not (tmp_path / "pg" / "crossread.db").exists()
    assert _analysis(tmp_path / "pg") == _analysis(tmp_path / "sqlite")
    # a rerun adds nothing and changes nothing; a plain postgresql:// URL finds the installed driver
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    again = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "pg", db_url=plain))
    assert (again.added, again.already_stored, again.total_articles) == (0, 2, 2)
    assert _analysis(tmp_path / "pg") == _analysis(tmp_path / "sqlite")


def test_workers_store_into_postgres_as_one_process_does(postgres, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 6)
    two = run_analyze([str(corpus)], AnalyzeOptions(outdir=tmp_path / "two", db_url=postgres("two_workers"),
                                                    batch_size=2, workers=2))
    one = run_analyze([str(corpus)], AnalyzeOptions(outdir=tmp_path / "one", db_url=postgres("one_worker"),
                                                    batch_size=2, workers=1))
    assert two.ok and two.added == one.added == 6
    assert _analysis(tmp_path / "two") == _analysis(tmp_path / "one")


def test_the_same_store_on_postgres_and_sqlite_table_by_table(postgres, tmp_path: Path) -> None:
    import random

    from tests.conftest import store_snapshot
    from tests.test_store_incremental import _own_records, _write

    articles = _own_records()
    order = articles[:]
    random.Random(3).shuffle(order)
    url = postgres("increments")
    # on PostgreSQL in three runs, out of publication order; on SQLite in one
    for i, chunk in enumerate((order[:3], order[3:4], order[4:])):
        assert run_analyze([str(_write(tmp_path / "in", f"part{i}", chunk))],
                           AnalyzeOptions(outdir=tmp_path / "pg", db_url=url)).ok
    assert run_analyze([str(_write(tmp_path / "in", "all", articles))], AnalyzeOptions(outdir=tmp_path / "sqlite")).ok
    skip = {("articles", "source")}
    assert store_snapshot(url, skip) == store_snapshot(tmp_path / "sqlite" / "crossread.db", skip)
    # the actor views (read from the per-story tallies, paged over the stories) answer alike on both
    from sqlalchemy import create_engine, select

    from crossread.serve import queries as Q
    from crossread.store import schema as s

    def views(engine_url: str) -> list:
        engine = create_engine(engine_url)
        try:
            with engine.connect() as conn:
                out = []
                for actor_id in sorted(conn.execute(select(s.event_actors.c.actor_id).distinct()).scalars()):
                    pages = [Q.actor_events(conn, actor_id, page=p, per_page=2) for p in (1, 2, 3)]
                    out.append((actor_id, [(p.total, [(x.event.id, x.role) for x in p.items]) for p in pages],
                                Q.actor_timeline(conn, actor_id), Q.actor_network(conn, actor_id)))
                return out
        finally:
            engine.dispose()

    assert views(url) == views(f"sqlite:///{tmp_path / 'sqlite' / 'crossread.db'}")


def test_full_text_search_on_postgres(postgres, tmp_path: Path) -> None:
    from crossread.store import Store

    url = postgres("search")
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "pg", db_url=url)).ok
    store = Store(url)
    try:
        hits = store.search("Haniyeh Tehran")
        assert hits and all("Haniyeh" in h["snippet"] or "Tehran" in h["snippet"] for h in hits)
        assert store.search("resolution", kind="claims")
        assert store.search("nothing-like-this-word") == []
    finally:
        store.close()


def test_a_previous_release_store_on_postgres_is_migrated(postgres, tmp_path: Path) -> None:
    import gzip
    import sqlite3

    from alembic import command
    from sqlalchemy import create_engine, text

    from crossread.store.migrate import _config
    from tests.test_store_migrations import (NOT_EXTRACTED_BEFORE_0003, NOT_EXTRACTED_BEFORE_0004,
                                             NOT_EXTRACTED_BEFORE_0007, SPEAKERS, V1_STORE, _snapshot)

    url = postgres("v1")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:  # the 0001 tables, filled with the demo as crossread 0.1 stored it
        command.upgrade(_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))  # 0.1 kept no revision
        local = tmp_path / "v1.db"
        local.write_bytes(gzip.decompress(V1_STORE.read_bytes()))
        old = sqlite3.connect(local)
        for table in ("articles", "article_records", "corpus_records", "article_stories"):
            cursor = old.execute(f"select * from {table}")
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
            if rows:
                conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                  f"({', '.join(':' + c for c in columns)})"), rows)
    engine.dispose()
    migrated = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "pg", db_url=url))
    assert migrated.ok and (migrated.added, migrated.already_stored) == (0, 2)
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "fresh")).ok
    skip = ({("articles", "source")} | NOT_EXTRACTED_BEFORE_0003 | NOT_EXTRACTED_BEFORE_0004
            | NOT_EXTRACTED_BEFORE_0007 | SPEAKERS)
    assert _snapshot(url, skip) == _snapshot(tmp_path / "fresh" / "crossread.db", skip)


def test_a_postgres_store_has_one_writer_at_a_time(postgres, tmp_path: Path) -> None:
    """The advisory lock: a second run on the same database stops, saying so, before it writes."""
    from crossread.store import Store, StoreInUse

    url = postgres("one_writer")
    holder = Store(url, lock=True)
    try:
        with pytest.raises(StoreInUse, match=r"store postgresql\+psycopg://.*/one_writer is in use by another run"):
            run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "busy", db_url=url, workers=1))
        assert holder.article_count() == 0 and not (tmp_path / "busy" / "report.html").exists()
        Store(postgres("another_database"), lock=True).close()  # the lock is the database's, not the server's
    finally:
        holder.close()
    again = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "busy", db_url=url, workers=1))
    assert again.ok and again.added == 2


def test_store_check_on_postgres(postgres) -> None:
    from sqlalchemy import create_engine, text

    from crossread.store import Store
    from crossread.store.check import check_store
    from crossread.store.migrate import HEAD

    url = postgres("checked")
    Store(url).close()
    fine = check_store(url)
    assert fine.ok and (fine.revision, fine.articles) == (HEAD, 0)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE signals"))
    engine.dispose()
    assert check_store(url).problems == ["table signals is missing"]


def test_every_export_reads_the_same_from_postgres(postgres, tmp_path: Path) -> None:
    import csv

    import networkx as nx
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from crossread.cli import EXPORT_FORMATS, main
    from crossread.export.tables import TABLES

    url = postgres("exports")
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "pg", db_url=url, write_outputs=False)).ok
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path / "sqlite", write_outputs=False)).ok
    when = {"first_seen", "DATEADDED", "dateCoded", "date", "article_date", "SQLDATE", "MonthYear", "Year"}

    def rows(records) -> list:  # order-free, the times of the two runs left out
        return sorted((json.dumps({k: v for k, v in dict(r).items() if k not in when}, sort_keys=True, default=str)
                       for r in records))

    def read(fmt: str, out: Path):
        if fmt in ("csv", "parquet"):
            return {t.name: rows(csv.DictReader((out / f"{t.name}.csv").open(encoding="utf-8", newline="")))
                    if fmt == "csv" else rows(pq.read_table(out / f"{t.name}.parquet").to_pylist()) for t in TABLES}
        if fmt == "jsonl":
            return {p.name: rows(json.loads(line) for line in p.read_text(encoding="utf-8").splitlines())
                    for p in out.glob("*.jsonl")}
        if fmt == "json":
            return {k: rows(v) for k, v in json.loads(out.read_text(encoding="utf-8")).items() if isinstance(v, list)}
        if fmt == "graphml":
            graph = nx.read_graphml(out)
            return (rows({"id": n, **d} for n, d in graph.nodes(data=True)),
                    rows({"source": s, "target": t, **d} for s, t, d in graph.edges(data=True)))
        if fmt == "plover":
            return rows(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
        return rows(csv.DictReader(out.open(encoding="utf-8", newline=""), delimiter="\t"))

    for fmt, kind in EXPORT_FORMATS.items():
        got = {}
        for name, store_args in (("pg", ["--db", url]), ("sqlite", [str(tmp_path / "sqlite")])):
            out = tmp_path / f"{name}-{fmt}" / ("x" if kind == "folder" else "x.out")
            out.parent.mkdir()
            result = CliRunner().invoke(main, ["export", *store_args, "--format", fmt, "-o", str(out)])
            assert result.exit_code == 0, result.output
            got[name] = read(fmt, out)
        assert got["pg"] == got["sqlite"], fmt
