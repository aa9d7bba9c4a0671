"""Incremental story assignment in the pipeline: decisions stored with the article, index snapshots, recovery."""

from __future__ import annotations

from crossread.link.story_assign import INDEX_NAME, StoryAssigner, article_entities, lead_text
from crossread.records import Actor, Article
from crossread.store import Store

QUAKE = ("A magnitude 6.1 earthquake struck the coastal city of Valparaiso on Monday, collapsing "
         "two apartment blocks. Rescue teams searched the rubble for survivors through the night. "
         "The mayor of Valparaiso said at least 14 people died in the earthquake.")
QUAKE2 = ("Rescuers in Valparaiso pulled survivors from collapsed apartment blocks after Monday's "
          "magnitude 6.1 earthquake. The city's mayor said 14 people were killed by the earthquake and "
          "rescue teams kept searching the rubble.")
ELECTION = ("Voters in Norway elected a new parliament on Sunday. The Labour party won the most seats "
            "and its leader is expected to form a coalition government with the Centre party.")


def _article(aid: str, text: str, day: str = "2024-03-04") -> Article:
    return Article(id=aid, source=f"{aid}.txt", outlet=f"outlet {aid}", title=text.split(".")[0],
                   published=day, language="en", text=text)


def _records(*names: str) -> dict[str, list[Actor]]:
    return {"actors": [Actor(id=f"a{i}", name=n, type="GPE") for i, n in enumerate(names)], "events": []}


def _add(store: Store, assigner: StoryAssigner, article: Article, records: dict) -> str:
    story = assigner.assign(article, records)
    store.add_article(article, records, story_id=story)
    return story


def test_related_article_joins_unrelated_opens(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assigner = StoryAssigner(store, use_embeddings=False)
    s1 = _add(store, assigner, _article("q1", QUAKE), _records("Chile"))
    s2 = _add(store, assigner, _article("q2", QUAKE2), _records("Chile"))
    s3 = _add(store, assigner, _article("e1", ELECTION), _records("Norway"))
    assert s1 == s2 != s3
    assert store.story_assignments() == {"q1": s1, "q2": s1, "e1": s3}


def test_snapshot_persists_and_a_lost_snapshot_is_caught_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    assigner = StoryAssigner(store, use_embeddings=False)
    first = _add(store, assigner, _article("q1", QUAKE), _records("Chile"))
    assigner.save()
    assert store.get_index_state(INDEX_NAME)
    # a run killed after storing q2 but before the snapshot: the snapshot lacks q2
    _add(store, assigner, _article("q2", QUAKE2), _records("Chile"))
    store.close()

    reopened = Store(url)
    again = StoryAssigner(reopened, use_embeddings=False)
    assert "q2" in again.index and again.index.story_of("q2") == first
    # the caught-up index keeps deciding: a third quake report joins the same story
    assert _add(reopened, again, _article("q3", QUAKE + " Aftershocks followed."), _records("Chile")) == first
    assert len(reopened.story_assignments()) == 3


def test_articles_stored_without_a_story_get_one(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.add_article(_article("q1", QUAKE), _records("Chile"))  # stored by a version without stories
    assigner = StoryAssigner(store, use_embeddings=False)
    assert set(store.story_assignments()) == {"q1"}
    assert assigner.index.story_of("q1") == store.story_assignments()["q1"]


def test_time_window_keeps_distant_reports_apart(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assigner = StoryAssigner(store, use_embeddings=False)
    s1 = _add(store, assigner, _article("q1", QUAKE, "2024-03-04"), _records("Chile"))
    s2 = _add(store, assigner, _article("q2", QUAKE2, "2025-01-10"), _records("Chile"))
    assert s1 != s2


def test_entities_use_cross_article_keys():
    records = {"actors": [
        {"id": "x1", "name": "Israel", "type": "GPE", "aliases": [], "mentions": [], "role": None, "country": "ISR"},
        {"id": "x2", "name": "Hamas", "type": "ORG", "aliases": [], "mentions": [], "role": None, "country": None},
    ], "events": [{"plover": "ASSAULT", "source": ["x1"], "target": ["x2"]}]}
    actors, events = article_entities(records)
    assert len(actors) == 2 and all("x1" not in a and "x2" not in a for a in actors)
    assert events and events[0].startswith("ASSAULT|")


def test_lead_text_is_headline_and_first_sentences():
    article = _article("q1", QUAKE)
    lead = lead_text(article, sentences=1)
    assert lead.startswith(article.title) and "Rescue teams" not in lead


def test_switching_embeddings_on_an_existing_store_warns(tmp_path, caplog):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    first = StoryAssigner(store, use_embeddings=False)
    _add(store, first, _article("q1", QUAKE), _records("Chile"))
    first.save()
    first.index.threshold = 0.99  # as if built in another mode
    first._unsaved = 1
    first.save()
    with caplog.at_level("WARNING", logger="crossread"):
        StoryAssigner(store, use_embeddings=False)
    assert "stories were built" in caplog.text
