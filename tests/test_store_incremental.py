"""A store built in increments, in any order, equals one run over everything, record by record."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from crossread.pipeline import AnalyzeOptions, run_analyze
from tests.conftest import SHARED_DATA, store_snapshot

# five BASIL triplets of February-April 2015: three of them within three days, so that their
# articles meet in each other's time window and arrive out of publication order
TRIPLETS = ("2b9468af", "a4edca3f", "4f473faf", "c5534b7e", "2742e9c1")


@pytest.fixture(scope="module")
def basil_articles() -> list[dict]:
    from crossread.evaluation import basil_outlet, read_basil

    folder = SHARED_DATA / "basil"
    if not (folder / "articles").is_dir():
        pytest.skip(f"BASIL not found at {folder}")
    rows = [(a, uuid) for a, uuid in read_basil(folder) if uuid.startswith(TRIPLETS)]
    assert len(rows) == 15
    return [{"text": a.text, "title": a.title, "outlet": basil_outlet(a.outlet),
             "published": a.published, "url": a.url} for a, _ in rows]


def _write(folder: Path, name: str, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# A small dated corpus of our own (no external data): three stories told by several outlets over two
# weeks, with one person named in full in some articles and by surname in others.
OWN = [
    ("2024-03-04", "Coastal Herald", "Earthquake hits Valparaiso",
     "A magnitude 6.1 earthquake struck the coastal city of Valparaiso on Monday, collapsing two apartment "
     "blocks. Mayor Camila Rojas said at least 14 people died. Rescue teams searched the rubble overnight."),
    ("2024-03-05", "Andes Daily", "Rescuers search rubble in Valparaiso",
     "Rescuers in Valparaiso pulled survivors from collapsed apartment blocks after Monday's earthquake. "
     "Rojas said 14 people were killed and asked Chile's government for help."),
    ("2024-03-06", "Pacific Wire", "Chile sends aid to quake-hit Valparaiso",
     "Chile's government sent soldiers and medical teams to Valparaiso after the earthquake. Mayor Rojas "
     "thanked President Gabriel Boric for the aid."),
    ("2024-03-05", "Nordic Times", "Norway votes in parliamentary election",
     "Voters in Norway elected a new parliament on Tuesday. The Labour party won the most seats and its "
     "leader Jonas Store is expected to form a coalition with the Centre party."),
    ("2024-03-06", "Oslo Post", "Labour wins Norway election",
     "Norway's Labour party won Tuesday's election. Store said he would talk to the Centre party about "
     "a coalition government."),
    ("2024-03-12", "Nordic Times", "Store forms coalition government",
     "Jonas Store formed a coalition government with the Centre party on Monday, a week after Norway's "
     "election. The Centre party leader praised the agreement."),
    ("2024-03-11", "Harbour News", "Dockworkers strike in Rotterdam",
     "Dockworkers in Rotterdam went on strike on Monday, demanding higher wages. The port authority "
     "warned that ships would be delayed."),
    ("2024-03-13", "Rhine Courier", "Rotterdam port strike continues",
     "The strike at the port of Rotterdam continued on Wednesday. Dockworkers rejected the port "
     "authority's wage offer and the union threatened a longer strike."),
]


def _own_records() -> list[dict]:
    return [{"text": text, "title": title, "outlet": outlet, "published": date, "url": None}
            for date, outlet, title, text in OWN]


def _run(path: Path, out: Path) -> None:
    summary = run_analyze([str(path)], AnalyzeOptions(outdir=out, workers=1, write_outputs=False))
    assert summary.ok, summary.skipped


@pytest.mark.parametrize("records", ["own", "basil"])
def test_increments_in_any_order_equal_a_single_run(tmp_path: Path, request, records: str, caplog) -> None:
    articles = _own_records() if records == "own" else request.getfixturevalue("basil_articles")
    _check_increments(tmp_path, articles, caplog)


def _check_increments(tmp_path: Path, articles: list[dict], caplog) -> None:
    full = tmp_path / "full"
    _run(_write(tmp_path / "in", "all", articles), full)
    skip = {("articles", "source")}  # the input each article was read from: other files here
    expected = store_snapshot(full / "crossread.db", skip)
    assert len(expected["articles"]) == len(articles) and len(expected["stories"]) >= 3
    assert expected["events"] and expected["claims"] and expected["actors"]

    for seed in (1, 2):
        order = articles[:]
        random.Random(seed).shuffle(order)  # later increments bring articles published earlier
        out = tmp_path / f"increments-{seed}"
        n = len(order)
        chunks = (order[:n // 4], order[n // 4:n // 4 + 1], order[n // 4 + 1:2 * n // 3], order[2 * n // 3:])
        with caplog.at_level("INFO", logger="crossread"):
            for i, chunk in enumerate(chunks):
                _run(_write(tmp_path / f"in-{seed}", f"part{i}", chunk), out)
        assert "come after new ones in publication order" in caplog.text  # the increments brought backfills
        caplog.clear()
        got = store_snapshot(out / "crossread.db", skip)
        for table in expected:
            assert got[table] == expected[table], f"{table} differs after increments (seed {seed})"

    # a rerun of what is stored adds and changes nothing
    _run(_write(tmp_path / "in", "all", articles), full)
    assert store_snapshot(full / "crossread.db", skip) == expected


def _actor(aid: str, name: str, type_: str = "PERSON"):
    from crossread.records import Actor, Mention

    return Actor(id=aid, name=name, type=type_, mentions=[Mention("x", 0, len(name), name, name)])


def _bundle(article_id: str, text: str, *actors):
    from crossread.extract import ArticleRecords
    from crossread.records import Actor, Article, Mention
    from crossread.store import ArticleBundle

    article = Article(id=article_id, source=f"{article_id}.txt", outlet=f"outlet {article_id}", title=None,
                      published="2024-05-01", language="en", text=text)
    fixed = [Actor(id=a.id, name=a.name, type=a.type,
                   mentions=[Mention(article_id, text.index(a.name), text.index(a.name) + len(a.name), text, a.name)])
             for a in actors]
    return ArticleBundle(article, ArticleRecords(actors=fixed))


def test_a_new_full_name_takes_over_the_surname_and_the_old_id_redirects(tmp_path: Path) -> None:
    from sqlalchemy import select

    from crossread.store import Store
    from crossread.store import schema as s

    early = _bundle("a1", "Trump spoke in Ohio.", _actor("p1", "Trump"))
    later = _bundle("a2", "Donald Trump spoke in Iowa.", _actor("p1", "Donald Trump"))

    def ids(store: Store) -> dict[str, str]:
        with store.engine.connect() as conn:
            return dict(conn.execute(select(s.article_actors.c.article_id, s.article_actors.c.actor_id)).all())

    step = Store(f"sqlite:///{tmp_path / 'step.db'}")
    step.add_articles([early])
    step.resolve_actors()
    first = ids(step)["a1"]
    step.add_articles([later])
    step.resolve_actors()
    after = ids(step)
    assert after["a1"] == after["a2"] != first  # one person, named after the fuller name
    with step.engine.connect() as conn:
        assert conn.execute(select(s.actor_redirects.c.actor_id)
                            .where(s.actor_redirects.c.old_id == first)).scalar() == after["a1"]
        assert conn.execute(select(s.actors.c.name)).scalars().all() == ["Donald Trump"]
        assert conn.execute(select(s.actor_aliases.c.alias)).scalars().all() == ["Trump"]

    at_once = Store(f"sqlite:///{tmp_path / 'once.db'}")
    at_once.add_articles([later, early])
    at_once.resolve_actors()
    assert ids(at_once) == after
    step.close()
    at_once.close()


def test_a_run_killed_while_analysing_stories_ends_like_an_uninterrupted_one(tmp_path: Path,
                                                                             basil_articles: list[dict]) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    corpus = _write(tmp_path / "in", "all", basil_articles)
    command = [sys.executable, "-m", "crossread", "analyze", str(corpus), "--workers", "2"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*command, "-o", str(killed)], env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = killed / "crossread.db"
    state = (0, 0)
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(db, timeout=0.1)
            state = conn.execute("select sum(not stale), sum(stale) from stories").fetchone()
            conn.close()
        except sqlite3.Error:
            state = (0, 0)
        if (state[0] or 0) > 0 and (state[1] or 0) > 0:  # some stories written, some not yet
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed in its story stage"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert subprocess.run([*command, "-o", str(killed)], capture_output=True).returncode == 0
    clean = tmp_path / "clean"
    assert subprocess.run([*command, "-o", str(clean)], capture_output=True).returncode == 0
    assert store_snapshot(db) == store_snapshot(clean / "crossread.db")
    assert (killed / "analysis.json").read_text() == (clean / "analysis.json").read_text()
