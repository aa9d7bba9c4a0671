"""Story filing (crossread.link.story_assign): decisions, the time window, and order independence."""

from __future__ import annotations

import itertools

from crossread.link.story_assign import (
    TEXT_ONLY_THRESHOLD,
    assign_stories,
    article_entities,
    lead_text,
    story_features,
)
from crossread.records import Actor, Article, record_id

QUAKE = ("A magnitude 6.1 earthquake struck the coastal city of Valparaiso on Monday, collapsing "
         "two apartment blocks. Rescue teams searched the rubble for survivors through the night. "
         "The mayor of Valparaiso said at least 14 people died in the earthquake.")
QUAKE2 = ("Rescuers in Valparaiso pulled survivors from collapsed apartment blocks after Monday's "
          "magnitude 6.1 earthquake. The city's mayor said 14 people were killed by the earthquake and "
          "rescue teams kept searching the rubble.")
QUAKE3 = QUAKE + " Aftershocks followed."
ELECTION = ("Voters in Norway elected a new parliament on Sunday. The Labour party won the most seats "
            "and its leader is expected to form a coalition government with the Centre party.")


def _article(aid: str, text: str, day: str = "2024-03-04") -> Article:
    return Article(id=aid, source=f"{aid}.txt", outlet=f"outlet {aid}", title=text.split(".")[0],
                   published=day, language="en", text=text)


def _records(*names: str) -> dict[str, list[Actor]]:
    return {"actors": [Actor(id=f"a{i}", name=n, type="GPE") for i, n in enumerate(names)], "events": []}


def _features(article: Article, *names: str):
    return story_features(article, _records(*names), article.published)


def _file(features) -> dict[str, str]:
    return assign_stories(features, threshold=TEXT_ONLY_THRESHOLD)


def test_related_article_joins_unrelated_opens():
    q1, q2, e1 = _article("q1", QUAKE), _article("q2", QUAKE2), _article("e1", ELECTION)
    stories = _file([_features(q1, "Chile"), _features(q2, "Chile"), _features(e1, "Norway")])
    assert stories["q1"] == stories["q2"] != stories["e1"]
    # a story is named after the article that opened it
    assert stories["q1"] == record_id("story", "q1") and stories["e1"] == record_id("story", "e1")


def test_time_window_keeps_distant_reports_apart():
    q1, q2 = _article("q1", QUAKE, "2024-03-04"), _article("q2", QUAKE2, "2025-01-10")
    stories = _file([_features(q1, "Chile"), _features(q2, "Chile")])
    assert stories["q1"] != stories["q2"]
    # within the window (7 days) they meet
    near = _article("q2", QUAKE2, "2024-03-09")
    assert len(set(_file([_features(q1, "Chile"), _features(near, "Chile")]).values())) == 1


def test_filing_order_is_publication_order_whatever_the_input_order():
    articles = [_article("q1", QUAKE, "2024-03-04"), _article("q2", QUAKE2, "2024-03-05"),
                _article("q3", QUAKE3, "2024-03-06"), _article("e1", ELECTION, "2024-03-05")]
    features = [_features(a, "Chile") for a in articles]
    results = {tuple(sorted(_file(list(order)).items())) for order in itertools.permutations(features)}
    assert len(results) == 1


def test_filed_articles_are_looked_up_by_day():
    q1, q2 = _article("q1", QUAKE, "2024-03-04"), _article("q2", QUAKE2, "2024-03-06")
    f1, f2 = _features(q1, "Chile"), _features(q2, "Chile")
    asked = []

    def filed(day_from: int, day_to: int):
        asked.append((day_from, day_to))
        return [(f1, "story_old", f1.order_key)] if day_from <= f1.day <= day_to else []

    assert assign_stories([f2], filed, threshold=TEXT_ONLY_THRESHOLD) == {"q2": "story_old"}
    assert asked and all(f2.day - 7 <= lo <= hi <= f2.day for lo, hi in asked)


def test_entities_use_cross_article_keys():
    records = {"actors": [
        {"id": "x1", "name": "Israel", "type": "GPE", "aliases": [], "mentions": [], "role": None, "country": "ISR"},
        {"id": "x2", "name": "Hamas", "type": "ORG", "aliases": [], "mentions": [], "role": None, "country": None},
    ], "events": [{"plover": "ASSAULT", "source": ["x1"], "target": ["x2"]}]}
    actors, events = article_entities(records)
    assert len(actors) == 2 and all("x1" not in a and "x2" not in a for a in actors)
    assert events and events[0].startswith("ASSAULT|")


def test_shared_actors_raise_the_score():
    q1, q2 = _article("q1", QUAKE), _article("q2", ELECTION)
    plain = assign_stories([_features(q1), _features(q2)], threshold=0.3)
    shared = assign_stories([_features(q1, "Chile", "Peru", "Norway"), _features(q2, "Chile", "Peru", "Norway")],
                            threshold=0.3)
    assert plain["q1"] != plain["q2"] and shared["q1"] == shared["q2"]


def test_lead_text_is_headline_and_first_sentences():
    article = _article("q1", QUAKE)
    lead = lead_text(article, sentences=1)
    assert lead.startswith(article.title) and "Rescue teams" not in lead


def test_vectors_are_stored_at_the_precision_they_are_compared_at():
    import numpy as np

    from crossread.store.codec import pack_sparse, unpack_sparse

    f = story_features(_article("q1", QUAKE), {}, "2024-03-04", embedding=np.linspace(-1, 1, 384))
    indices, values = unpack_sparse(pack_sparse(f.indices, f.values))
    assert np.array_equal(indices, f.indices) and np.array_equal(values, f.values)
    assert abs(float(np.dot(values, values)) - 1.0) < 1e-2


class _MemoryStore:
    """The store's side of filing, in memory: what assign_stories reads, and the filing it writes."""

    def __init__(self) -> None:
        self.features: dict[str, object] = {}
        self.story: dict[str, str] = {}

    def filed_between(self, lo: int, hi: int):
        founders = self._founders()
        return [(f, self.story[a], founders[self.story[a]]) for a, f in self.features.items()
                if a in self.story and lo <= f.day <= hi]

    def _founders(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for a, sid in self.story.items():
            key = self.features[a].order_key
            out[sid] = min(out.get(sid, key), key)
        return out

    def add(self, new) -> None:
        from crossread.link.story_assign import Filed

        for f in new:
            self.features[f.article_id] = f
        first = min(f.order_key for f in new)
        founders = self._founders()
        later = [Filed(a, f.order_key, f.day, self.story[a], founders[self.story[a]])
                 for a, f in self.features.items() if a in self.story and f.order_key > first]
        changed = assign_stories(new, self.filed_between, threshold=0.5, later=later,
                                 load=lambda ids: [self.features[i] for i in ids])
        self.story.update(changed)


def test_increments_file_like_one_run_on_random_stories():
    import random

    import numpy as np

    from crossread.link.story_assign import StoryFeatures
    from crossread.store.codec import round_dense

    rng = np.random.default_rng(5)
    centres = rng.normal(size=(12, 40))
    features = []
    for i in range(120):  # 12 topics over 60 days; articles of a topic drift, some are off-topic
        topic = int(rng.integers(12))
        vector = centres[topic] + rng.normal(scale=0.9, size=40)
        vector /= np.linalg.norm(vector)
        day = int(rng.integers(60))
        features.append(StoryFeatures(f"a{i:03d}", f"2024-01-{day:03d}\x1fa{i:03d}", 738000 + day,
                                      np.arange(40, dtype=np.int32), round_dense(vector), frozenset()))
    once = _MemoryStore()
    once.add(features)
    assert 5 < len(set(once.story.values())) < 100
    for seed in range(4):
        order = features[:]
        random.Random(seed).shuffle(order)
        store = _MemoryStore()
        for start in range(0, len(order), 17):
            store.add(order[start:start + 17])
        assert store.story == once.story, f"seed {seed}"
