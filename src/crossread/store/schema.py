"""The store's tables: one per record kind, typed columns, keys and indexes (schema revision 0002).

Documented for users in ``docs/STORE.md``; changed only through a migration in
``crossread/store/migrations/versions`` (this module describes the newest revision).

Conventions
-----------
* Character offsets (``char_start``/``char_end``, ``sentence_start``/``sentence_end``) index the
  article's cleaned ``text``: ``substr(text, char_start + 1, char_end - char_start)`` is the evidence.
  A sentence that is not a verbatim slice of the text (rare) is kept whole in ``sentence_text``.
* ``position`` orders the rows of one parent (an event's evidence, an actor's aliases ...).
* Three layers:
  - per article, written once in the article's own transaction: ``articles``, ``removed_chrome``,
    ``signals`` and what the extractors found in it (``article_*``, ``actor_mentions``): these are
    the inputs of the corpus stage;
  - per story, replaced whenever the story changes: ``stories`` and the cross-source records
    (``events``, ``quotes``, ``claims``, ``derivations``, ``labels``, ``loaded_terms`` and their
    evidence rows);
  - across the corpus: ``actors`` (one per real-world actor, ``article_actors.actor_id`` points to
    it), the story index's features and the embedding cache.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

SCHEMA_REVISION = "0002"

metadata = MetaData()

ID = String(40)  # content hashes and record ids ("event_0123456789ab")
# Filing order keys are compared and sorted in SQL: byte order everywhere, as Python compares them
# (PostgreSQL's default collation would sort by locale rules).
ORDER_KEY = Text().with_variant(Text(collation="C"), "postgresql")


def _span_columns(prefix: str = "") -> list[Column]:
    """Evidence offsets into the article text, and the sentence around them."""
    return [
        Column(f"{prefix}char_start", Integer, nullable=False),
        Column(f"{prefix}char_end", Integer, nullable=False),
        Column(f"{prefix}sentence_start", Integer),
        Column(f"{prefix}sentence_end", Integer),
        Column(f"{prefix}sentence_text", Text),  # only where the sentence is not text[sentence_start:sentence_end]
    ]


def _evidence_table(name: str, parent: str, key: str) -> Table:
    """One row per evidence span of a record of ``parent`` (``key`` -> ``parent.id``)."""
    return Table(
        name, metadata,
        Column(key, ID, ForeignKey(f"{parent}.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("article_id", ID, ForeignKey("articles.id"), nullable=False, index=True),
        *_span_columns(),
        PrimaryKeyConstraint(key, "position"),
    )


# --------------------------------------------------------------------------- provenance

nlp_pipelines = Table(
    "nlp_pipelines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("version", Text),
    Column("components", Text, nullable=False),  # component names, comma-separated, in pipeline order
    Column("fingerprint", String(32), nullable=False, unique=True),
)

# --------------------------------------------------------------------------- stories

stories = Table(
    "stories", metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("first_date", String(10), index=True),  # YYYY-MM-DD of its earliest / latest dated article
    Column("last_date", String(10), index=True),
    Column("founder_id", ID, nullable=False),  # the article that opened it (its id is made from this one's)
    Column("order_key", ORDER_KEY, nullable=False),  # filing order key of that first article
    Column("articles", Integer, nullable=False, default=0, index=True),
    Column("outlets", Integer, nullable=False, default=0),
    Column("events", Integer, nullable=False, default=0),
    Column("quotes", Integer, nullable=False, default=0),
    Column("claims", Integer, nullable=False, default=0),
    Column("contradicted_claims", Integer, nullable=False, default=0),
    Column("derivations", Integer, nullable=False, default=0),
    # True while its articles changed and its cross-source records are not yet recomputed
    Column("stale", Boolean, nullable=False, default=True, index=True),
)

# A story id that no longer exists (its stories merged, or its first article changed) -> the story
# that now holds that story's first article: links to old ids keep working.
story_redirects = Table(
    "story_redirects", metadata,
    Column("old_id", ID, primary_key=True),
    Column("story_id", ID, nullable=False),
)

# --------------------------------------------------------------------------- articles

articles = Table(
    "articles", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # insertion order (and full-text rowid)
    Column("id", ID, nullable=False, unique=True),  # hash of the cleaned text
    Column("source", Text, nullable=False),  # the input it came from
    Column("url", Text),
    Column("outlet", Text, index=True),
    Column("title", Text),
    Column("published", String(40)),  # as the page or feed gave it
    Column("date", String(10), nullable=False, index=True),  # published date, else the day it was first stored
    Column("first_seen", String(32), nullable=False),  # UTC timestamp of the run that stored it
    Column("language", String(16)),
    Column("format", String(16)),
    Column("word_count", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("story_id", ID, ForeignKey("stories.id"), index=True),
    Column("nlp_pipeline_id", Integer, ForeignKey("nlp_pipelines.id")),
    # an outlet's dates and stories read from the index alone: the text sits before story_id in the
    # row, so reading story_id from the table walks the text's overflow pages (revision 0004)
    Index("ix_articles_outlet_date_story", "outlet", "date", "story_id"),
    # the stories of full-text matches (rowid -> story_id) from the index alone; SQLite's planner takes
    # the rowid lookup unless told (``INDEXED BY``, crossread.serve.queries), 10x slower at 100k
    Index("ix_articles_seq_story", "seq", "story_id"),
)

removed_chrome = Table(
    "removed_chrome", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("article_id", "position"),
)

# An article's authors (bylines) in the order it names them (revision 0006). Indexed by name: an
# author's articles across outlets.
article_authors = Table(
    "article_authors", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False, index=True),
    PrimaryKeyConstraint("article_id", "position"),
)

signals = Table(
    "signals", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", Text, nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("char_start", Integer, nullable=False),
    Column("char_end", Integer, nullable=False),
    PrimaryKeyConstraint("article_id", "position"),
)

# --------------------------------------------------------------------------- actors

actors = Table(
    "actors", metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False, index=True),
    Column("type", String(16), nullable=False, index=True),
    Column("role", Text),
    Column("country", String(8), index=True),
    Column("mentions", Integer, nullable=False, default=0),
    Column("articles", Integer, nullable=False, default=0),
    Column("sector", String(8)),  # CAMEO agent code (revision 0004)
)

actor_aliases = Table(
    "actor_aliases", metadata,
    Column("actor_id", ID, ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("alias", Text, nullable=False, index=True),
    PrimaryKeyConstraint("actor_id", "position"),
)

# How often each name, alias, role and country (and each name form) occurs among an actor's article
# rows: an actor's description is read from here, and a run adds its new rows' counts instead of
# re-reading every article that names a much-named actor.
actor_counts = Table(
    "actor_counts", metadata,
    Column("actor_id", ID, nullable=False),  # actors.id (counted before the actor row is written)
    Column("kind", String(8), nullable=False),  # name / alias / role / country / sector / form / mentions / articles
    Column("value", Text, nullable=False),  # a form: type, merge key and name joined by U+001F
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("actor_id", "kind", "value"),
)

# An actor id that later evidence merged into another actor -> that actor.
actor_redirects = Table(
    "actor_redirects", metadata,
    Column("old_id", ID, primary_key=True),
    Column("actor_id", ID, nullable=False),
)

# An actor as one article names it; ``actor_id`` is the actor it resolves to across the corpus.
article_actors = Table(
    "article_actors", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("role", Text),
    Column("country", String(8)),
    Column("merge_key", Text, nullable=False),  # registry key or TYPE:normalised name
    Column("surname", Text),  # last word of a person's name: where name variants are matched
    Column("mentions", Integer, nullable=False),
    Column("actor_id", ID, index=True),
    Column("sector", String(8)),  # CAMEO agent code (revision 0004)
    PrimaryKeyConstraint("article_id", "local_id"),
    Index("ix_article_actors_form", "merge_key", "name", "type"),
    Index("ix_article_actors_surname", "surname", "name", "type", "merge_key"),
)

article_actor_aliases = Table(
    "article_actor_aliases", metadata,
    Column("article_id", ID, nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("alias", Text, nullable=False),
    PrimaryKeyConstraint("article_id", "local_id", "position"),
    ForeignKeyConstraint(["article_id", "local_id"], ["article_actors.article_id", "article_actors.local_id"],
                         ondelete="CASCADE"),
)

actor_mentions = Table(
    "actor_mentions", metadata,
    Column("article_id", ID, nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    *_span_columns(),
    PrimaryKeyConstraint("article_id", "local_id", "position"),
    ForeignKeyConstraint(["article_id", "local_id"], ["article_actors.article_id", "article_actors.local_id"],
                         ondelete="CASCADE"),
)

# --------------------------------------------------------------------------- what each article says


PLACE_COLUMNS = ("geonames_id", "place_name", "place_country", "place_admin1", "latitude", "longitude",
                 "place_source")


def _place_columns() -> list[Column]:
    """An event's gazetteer place (crossread.extract.geocode); NULL: none found, or stored before revision 0007."""
    return [Column("geonames_id", Integer), Column("place_name", Text), Column("place_country", String(8)),
            Column("place_admin1", String(24)), Column("latitude", Float), Column("longitude", Float),
            Column("place_source", String(16))]

article_events = Table(
    "article_events", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("plover", String(32), nullable=False),
    Column("mode", Text),
    Column("cameo", String(8)),
    Column("trigger", Text, nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("modality", String(16), nullable=False),
    Column("date", String(40)),
    Column("date_source", String(16)),  # clause / sentence / published; NULL: stored before revision 0004
    Column("location", Text),
    *_place_columns(),
    Column("confidence", Float),  # docs/CONFIDENCE.md; NULL: stored by a release that had none
    *_span_columns(),
    PrimaryKeyConstraint("article_id", "position"),
)

article_event_actors = Table(
    "article_event_actors", metadata,
    Column("article_id", ID, nullable=False),
    Column("event_position", Integer, nullable=False),
    Column("role", String(8), nullable=False),  # source / target
    Column("position", Integer, nullable=False),
    Column("actor_local_id", ID, nullable=False),
    PrimaryKeyConstraint("article_id", "event_position", "role", "position"),
    ForeignKeyConstraint(["article_id", "event_position"], ["article_events.article_id", "article_events.position"],
                         ondelete="CASCADE"),
)

article_quotes = Table(
    "article_quotes", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("speaker_local_id", ID),
    Column("speaker_text", Text),
    Column("cue", Text),
    Column("content", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("confidence", Float),
    *_span_columns(),
    PrimaryKeyConstraint("article_id", "position"),
)

article_claims = Table(
    "article_claims", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("local_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("attributed_local_id", ID),
    Column("negated", Boolean),
    Column("hedged", Boolean),
    Column("confidence", Float),
    *_span_columns(),
    PrimaryKeyConstraint("article_id", "position"),
)

# Labels ("the terror group") and loaded terms an article uses for one of its actors: one row per use.
article_framing = Table(
    "article_framing", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("actor_local_id", ID, nullable=False),
    Column("kind", String(12), nullable=False),  # label / loaded_term
    Column("term", Text, nullable=False),
    Column("position", Integer, nullable=False),
    *_span_columns(),
    PrimaryKeyConstraint("article_id", "actor_local_id", "kind", "term", "position"),
)

# --------------------------------------------------------------------------- across the articles of a story

events = Table(
    "events", metadata,
    Column("id", ID, primary_key=True),
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("plover", String(32), nullable=False, index=True),
    Column("mode", Text),
    Column("cameo", String(8)),
    Column("trigger", Text, nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("modality", String(16), nullable=False),
    Column("date", String(40), index=True),
    Column("date_source", String(16)),
    Column("location", Text),
    *_place_columns(),
    Column("outlets", Integer, nullable=False),
    Column("independent_sources", Integer, nullable=False),
    Column("confidence", Float),
)

event_actors = Table(
    "event_actors", metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(8), nullable=False),  # source / target
    Column("position", Integer, nullable=False),
    Column("actor_id", ID, nullable=False),  # actors.id (no foreign key: a merge redirects it until the story is redone)
    PrimaryKeyConstraint("event_id", "role", "position"),
    Index("ix_event_actors_actor", "actor_id", "role"),
)

event_evidence = _evidence_table("event_evidence", "events", "event_id")

# Per-story tallies of each actor's events (revision 0005), written with the story's events and deleted
# with them: an actor's timeline and network are sums over its rows here (one per story, month or
# counterpart) instead of a pass over every event of a much-named actor. WITHOUT ROWID on SQLite, so
# the primary key holds the whole row and a sum reads the index alone.
actor_story_months = Table(
    "actor_story_months", metadata,
    Column("actor_id", ID, nullable=False),
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("month", String(10), nullable=False),  # YYYY-MM of the event's date, else of its first report; "undated"
    Column("role", String(8), nullable=False),  # source / target
    Column("events", Integer, nullable=False),
    PrimaryKeyConstraint("actor_id", "story_id", "month", "role"),
    Index("ix_actor_story_months_story", "story_id"),
    sqlite_with_rowid=False,
)

actor_story_links = Table(
    "actor_story_links", metadata,
    Column("actor_id", ID, nullable=False),
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("other_id", ID, nullable=False),  # the actor on the other side of the event
    Column("role", String(8), nullable=False),  # actor_id's role: source / target
    Column("plover", String(32), nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("events", Integer, nullable=False),
    PrimaryKeyConstraint("actor_id", "story_id", "other_id", "role", "plover", "negated"),
    Index("ix_actor_story_links_story", "story_id"),
    sqlite_with_rowid=False,
)

quotes = Table(
    "quotes", metadata,
    Column("id", ID, primary_key=True),
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("speaker_id", ID, index=True),  # actors.id
    Column("speaker_text", Text),
    Column("cue", Text),
    Column("content", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("outlets", Integer, nullable=False),
    Column("independent_sources", Integer, nullable=False),
    Column("confidence", Float),
)

# position 0: where the quote record was taken from; 1, 2 ...: the same quote in other articles
quote_evidence = _evidence_table("quote_evidence", "quotes", "quote_id")

claims = Table(
    "claims", metadata,
    # integer key: the full-text index's rowid (claims are replaced as their stories change)
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("attributed_to", ID, index=True),  # actors.id
    Column("status", String(16), nullable=False, index=True),
    Column("outlets", Integer, nullable=False),
    Column("independent_sources", Integer, nullable=False),
    Column("negated", Boolean),
    Column("hedged", Boolean),
    Column("confidence", Float),
)

claim_evidence = _evidence_table("claim_evidence", "claims", "claim_id")

# How each article of the claim's story stands to it; the evidence is the article's sentence, if any.
claim_relations = Table(
    "claim_relations", metadata,
    Column("claim_id", ID, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("article_id", ID, ForeignKey("articles.id"), nullable=False, index=True),
    Column("stance", String(12), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("speaker_id", ID),  # actors.id: who makes the statement (NULL: the outlet itself, or unknown)
    Column("confidence", Float),
    Column("char_start", Integer),
    Column("char_end", Integer),
    Column("sentence_start", Integer),
    Column("sentence_end", Integer),
    Column("sentence_text", Text),
    PrimaryKeyConstraint("claim_id", "position"),
)

derivations = Table(
    "derivations", metadata,
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("source_article_id", ID, ForeignKey("articles.id"), nullable=False),
    Column("derived_article_id", ID, ForeignKey("articles.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("score", Float, nullable=False),
    PrimaryKeyConstraint("source_article_id", "derived_article_id"),
)

# Aligned passages: text[source_start:source_end] of the source is reused at derived_start:derived_end.
derivation_passages = Table(
    "derivation_passages", metadata,
    Column("source_article_id", ID, nullable=False),
    Column("derived_article_id", ID, nullable=False),
    Column("position", Integer, nullable=False),
    Column("source_start", Integer, nullable=False),
    Column("source_end", Integer, nullable=False),
    Column("derived_start", Integer, nullable=False),
    Column("derived_end", Integer, nullable=False),
    PrimaryKeyConstraint("source_article_id", "derived_article_id", "position"),
    ForeignKeyConstraint(["source_article_id", "derived_article_id"],
                         ["derivations.source_article_id", "derivations.derived_article_id"], ondelete="CASCADE"),
)


def _framing_table(name: str, term_column: str) -> Table:
    """How the outlets of a story name one actor: one row per use, with its evidence."""
    return Table(
        name, metadata,
        Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("outlet", Text, nullable=False, index=True),
        Column("actor_id", ID, nullable=False, index=True),
        Column(term_column, Text, nullable=False),
        Column("position", Integer, nullable=False),
        Column("article_id", ID, ForeignKey("articles.id"), nullable=False),
        *_span_columns(),
        PrimaryKeyConstraint("story_id", "outlet", "actor_id", term_column, "position"),
        # an outlet's most used labels (terms) counted from the index alone (revision 0004)
        Index(f"ix_{name}_outlet_term", "outlet", term_column, "actor_id"),
    )


labels = _framing_table("labels", "label")
loaded_terms = _framing_table("loaded_terms", "term")

# --------------------------------------------------------------------------- indexes and caches

# What story assignment compares (``crossread.link.story_assign``): one row per article.
story_features = Table(
    "story_features", metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Integer, nullable=False, index=True),  # proleptic Gregorian ordinal of articles.date
    Column("order_key", ORDER_KEY, nullable=False, index=True),  # the order articles are filed in
    Column("vector", LargeBinary, nullable=False),  # sparse unit vector: int32 indices then float16 values
    Column("entities", Text, nullable=False),  # actor and event keys, one per line
)

# Sentence vectors (MiniLM, float16, L2-normalised), keyed by sha1(model name + sentence).
embeddings = Table(
    "embeddings", metadata,
    Column("key", LargeBinary(20), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)

# Work the pipeline must finish (e.g. articles imported from an older store that still need their
# story features): a run picks it up, so an interrupted run loses nothing.
pending = Table(
    "pending", metadata,
    Column("kind", String(32), nullable=False),
    Column("item", ID, nullable=False),
    PrimaryKeyConstraint("kind", "item"),
)

# Record kinds as stored, in the order the story stage writes them (one list: docs and tests read it).
STORY_TABLES = (events, event_actors, event_evidence, quotes, quote_evidence, claims, claim_evidence,
                claim_relations, derivations, derivation_passages, labels, loaded_terms)
ARTICLE_TABLES = (articles, removed_chrome, article_authors, signals, article_actors, article_actor_aliases, actor_mentions,
                  article_events, article_event_actors, article_quotes, article_claims, article_framing,
                  story_features)
