"""Incremental story clustering (crossread.link.story_index)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from crossread.link.stories import cluster_stories
from crossread.link.story_index import StoryIndex
from crossread.records import Article, record_id

STORIES = {
    "rates": [
        "The central bank raised interest rates by half a point on Tuesday to fight stubborn inflation, the governor said.",
        "Interest rates were raised by half a point by the central bank on Tuesday as inflation keeps rising, the governor said.",
        "Central bank governor defends the half point interest rate rise, saying inflation must come down.",
        "Markets fell after the central bank raised interest rates by half a point to tame inflation.",
    ],
    "quake": [
        "A magnitude 7.1 earthquake struck the coastal province overnight, collapsing buildings and killing dozens.",
        "Rescuers search collapsed buildings after the overnight earthquake of magnitude 7.1 in the coastal province.",
        "The death toll from the coastal province earthquake rose as rescuers pulled survivors from collapsed buildings.",
    ],
    "final": [
        "The home side won the cup final on penalties after a goalless draw in front of a record crowd at the stadium.",
        "A record stadium crowd watched the cup final end goalless before the home side won on penalties.",
        "Penalties decided the cup final: the home side beat the visitors after a goalless draw before a record crowd.",
    ],
}


def _article(aid: str, text: str, day: int | None, title: str | None = None) -> Article:
    published = None if day is None else (dt.date(2024, 3, 1) + dt.timedelta(days=day)).isoformat()
    return Article(id=aid, source="test", outlet="o", title=title, published=published, language="en", text=text)


def _corpus() -> list[Article]:
    articles = []
    for s, (name, texts) in enumerate(STORIES.items()):
        for i, text in enumerate(texts):
            articles.append(_article(f"{name}{i}", text, day=s + i % 2, title=f"{name} {i}"))
    return articles


def _partition(stories) -> set[frozenset[str]]:
    return {frozenset(s.article_ids) for s in stories}


def test_incremental_gives_the_clear_partition_like_cluster_stories():
    articles = _corpus()
    index = StoryIndex()
    assigned = index.add_many(articles)
    expected = {frozenset(f"{name}{i}" for i in range(len(texts))) for name, texts in STORIES.items()}
    assert _partition(index.stories()) == expected
    batch = cluster_stories(articles)
    assert _partition(batch) == expected
    assert {s.id for s in index.stories()} == {s.id for s in batch}  # same stable ids
    assert assigned["rates3"] == record_id("story", "rates0")
    titles = {s.id: s.title for s in index.stories()}
    assert titles[record_id("story", "quake0")] == "quake 0"


def test_add_is_idempotent_and_story_of():
    index = StoryIndex()
    a = _article("x", STORIES["quake"][0], 0)
    sid = index.add(a)
    assert index.add(a) == sid and len(index) == 1 and index.story_of("x") == sid and "x" in index


def test_time_window():
    text = STORIES["rates"][0]
    near, far = _article("a", text, 0), _article("b", STORIES["rates"][1], 10)
    index = StoryIndex()  # 7 days
    assert index.add(near) != index.add(far)
    wide = StoryIndex(window_days=14)
    assert wide.add(near) == wide.add(far)
    # the window counts from the story's span: a chain of articles 5 days apart stays one story
    chain = StoryIndex()
    ids = {chain.add(_article(f"c{i}", STORIES["rates"][i % 4], 5 * i)) for i in range(4)}
    assert len(ids) == 1
    # undated articles are not held back by the window
    assert chain.add(_article("u", STORIES["rates"][2], None)) in ids


def test_shared_actors_boost_a_weak_match():
    a = _article("a", "Officials met in Geneva on Monday to discuss a ceasefire in the north.", 0)
    b = _article("b", "The talks about the northern truce continued with envoys from both sides.", 1)
    plain = StoryIndex()
    assert plain.add(a) != plain.add(b)
    boosted = StoryIndex()
    first = boosted.add(a, actor_ids={"Q1", "Q2"})
    assert boosted.add(b, actor_ids={"Q1", "Q2"}) == first


def test_dense_embedding_is_mixed_in():
    a = _article("a", "Officials met in Geneva on Monday.", 0)
    b = _article("b", "The talks continued with envoys.", 0)
    index = StoryIndex(embedding_weight=0.9)
    e = np.ones(16)
    assert index.add(a, embedding=e) == index.add(b, embedding=e + 0.01)
    # a vector_fn of one's own: a pure dense representation
    dense = StoryIndex(vector_fn=lambda art: np.array([1.0, 0.0]) if "Geneva" in art.text else np.array([0.0, 1.0]))
    assert dense.add(a) != dense.add(b)
    assert dense.add(_article("c", "Geneva again.", 0)) == dense.story_of("a")


def test_state_round_trip_assigns_new_articles_the_same(tmp_path):
    articles = sorted(_corpus(), key=lambda a: (a.published, a.id))
    old, new = articles[::2], articles[1::2]
    index = StoryIndex()
    for a in old:
        index.add(a, actor_ids={a.id[:4]})
    state = json.loads(json.dumps(index.to_state()))
    restored = StoryIndex.from_state(state)
    index.save(tmp_path / "index.npz")
    loaded = StoryIndex.load(tmp_path / "index.npz")
    assert restored.stories() == index.stories() == loaded.stories()
    got = [[ix.add(a, actor_ids={a.id[:4]}) for a in new] for ix in (index, restored, loaded)]
    assert got[0] == got[1] == got[2]
    assert index.stories() == restored.stories() == loaded.stories()


def _synthetic(n: int, seed: int = 0, per_day: int = 200) -> list[Article]:
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(101, 20101)  # Zipfian background without its 100 commonest ("stop") words
    cdf = np.cumsum(zipf / zipf.sum())
    out = []
    for i in range(n):
        story = i // 10 if rng.random() < 0.8 else int(rng.integers(0, i // 10 + 1))
        story = max(story, i // 10 - 3)  # stories last a few days
        words = [f"t{story}x{j}" for j in rng.integers(0, 20, size=40)]
        words += [f"w{j}" for j in np.searchsorted(cdf, rng.random(40))]
        rng.shuffle(words)
        out.append(_article(f"s{i:05d}", " ".join(words), i // per_day))
    return out


def test_candidates_stay_far_below_the_store_size():
    articles = _synthetic(2000)
    index = StoryIndex()
    cands = []
    for a in articles:
        index.add(a)
        cands.append(index.last_candidates)
    last = cands[-500:]
    assert max(last) < 2000 * 0.2
    assert float(np.mean(last)) < 2000 * 0.05
    # and the stories are found: most gold stories (10 consecutive ids) end up in one predicted story
    sizes = sorted((len(s.article_ids) for s in index.stories()), reverse=True)
    assert sum(sizes[:150]) > 0.8 * 2000


def test_deterministic_across_runs():
    articles = _synthetic(300, seed=3)
    runs = []
    for _ in range(2):
        index = StoryIndex(seed=7)
        runs.append(([index.add(a) for a in articles], [index._signature_keys(*index.vectorize(a)) for a in articles[:5]]))
    assert runs[0] == runs[1]
    other = StoryIndex(seed=8)
    assert [other._signature_keys(*other.vectorize(a)) for a in articles[:5]] != runs[0][1]


def test_bad_parameters():
    with pytest.raises(ValueError):
        StoryIndex(bits_per_table=0)
    with pytest.raises(ValueError):
        StoryIndex.from_state({"version": 99})
