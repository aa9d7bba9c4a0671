"""The record store: SQLite by default, any SQLAlchemy URL otherwise.

Only the orchestration layer (``crossread.pipeline``) writes here. Each article is
stored together with its within-article records in one transaction, so a run
killed at any point leaves either the whole article or none of it; corpus-level
records (stories, merged actors/events, derivations, framing) are recomputed from
the stored articles and replaced in one transaction. Together these make reruns
idempotent and a killed run recoverable by simply running it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from crossread.records import Article, from_dict, to_dict

ARTICLE_RECORD_KINDS = ("actors", "events", "quotes", "claims", "framing")
NLP_PROVENANCE_KIND = "nlp"  # an article_records row: the pipeline that made the article's records
CORPUS_RECORD_KINDS = ("actors", "events", "quotes", "claims", "stories", "derivations", "framing")

metadata = MetaData()

articles_table = Table(
    "articles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False, index=True),  # insertion order, for stable output order
    Column("source", Text, nullable=False),
    Column("outlet", Text),
    Column("title", Text),
    Column("published", String(40)),
    Column("language", String(16)),
    Column("payload", Text, nullable=False),  # the whole Article as JSON
)

article_records_table = Table(
    "article_records",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("payload", Text, nullable=False),  # JSON list of record dicts
)

corpus_records_table = Table(
    "corpus_records",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("payload", Text, nullable=False),
)

embeddings_table = Table(
    "embeddings",
    metadata,
    Column("key", String(80), primary_key=True),  # model name + sentence hash
    Column("vector", Text, nullable=False),
)


# The story each article joined when it was added (incremental clustering): written in the
# article's own transaction, so the assignment is never lost or duplicated.
article_stories_table = Table(
    "article_stories",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("story_id", String(64), nullable=False, index=True),
)

# Snapshots of persistent indexes (the story index), one row per name; a stale snapshot is
# caught up from ``article_stories`` on load, so it may lag behind the articles.
index_state_table = Table(
    "index_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("state", LargeBinary, nullable=False),
)


def default_db_url(outdir: Path) -> str:
    return f"sqlite:///{(outdir / 'crossread.db').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL + synchronous=FULL: a SIGKILL can only lose the transaction in flight.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _with_installed_driver(url: str) -> str:
    """A plain ``postgresql://`` URL names SQLAlchemy's default driver, psycopg2; where only psycopg (3,
    the ``postgres`` extra) is installed, use that one instead of failing."""
    import importlib.util

    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain) and importlib.util.find_spec("psycopg2") is None and \
                importlib.util.find_spec("psycopg") is not None:
            return "postgresql+psycopg://" + url[len(plain):]
    return url


class Store:
    """Articles and records, keyed by content hash so nothing is stored twice."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(_with_installed_driver(url), future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- articles -----------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles_table.c.id).where(articles_table.c.id == article_id)).first()
        return row is not None

    def article_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(select(articles_table.c.id))}

    def add_article(self, article: Article, records: dict[str, list[Any]], story_id: str | None = None,
                    nlp: dict[str, Any] | None = None) -> bool:
        """Store one article, its records, its story and the NLP pipeline that made the records
        (``nlp``: :func:`crossread.nlp.loader.pipeline_provenance`) atomically; False if it was already
        stored."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(articles_table.c.id).where(articles_table.c.id == article.id)).first()
            if exists:
                return False
            seq = conn.execute(select(articles_table.c.seq).order_by(articles_table.c.seq.desc())).first()
            conn.execute(
                insert(articles_table).values(
                    id=article.id,
                    seq=(seq[0] + 1) if seq else 1,
                    source=article.source,
                    outlet=article.outlet,
                    title=article.title,
                    published=article.published,
                    language=article.language,
                    payload=json.dumps(to_dict(article), ensure_ascii=False),
                )
            )
            for kind in ARTICLE_RECORD_KINDS:
                rows = [to_dict(r) for r in records.get(kind, [])]
                conn.execute(
                    insert(article_records_table).values(
                        article_id=article.id, kind=kind, payload=json.dumps(rows, ensure_ascii=False)
                    )
                )
            if nlp is not None:
                conn.execute(insert(article_records_table).values(
                    article_id=article.id, kind=NLP_PROVENANCE_KIND, payload=json.dumps([nlp], ensure_ascii=False)))
            if story_id is not None:
                conn.execute(insert(article_stories_table).values(article_id=article.id, story_id=story_id))
        return True

    def nlp_fingerprints(self) -> dict[str, str | None]:
        """article id -> fingerprint of the NLP pipeline that made its records (None: not recorded, e.g.
        stored by a version of crossread before provenance was kept)."""
        out: dict[str, str | None] = dict.fromkeys(self.article_ids())
        with self.engine.connect() as conn:
            for article_id, payload in conn.execute(
                select(article_records_table.c.article_id, article_records_table.c.payload)
                .where(article_records_table.c.kind == NLP_PROVENANCE_KIND)
            ):
                out[article_id] = json.loads(payload)[0].get("fingerprint")
        return out

    def story_assignments(self) -> dict[str, str]:
        """article id -> story id, for the articles added with incremental story assignment."""
        with self.engine.connect() as conn:
            return dict(conn.execute(select(article_stories_table.c.article_id, article_stories_table.c.story_id)).all())

    def set_story_assignments(self, assignments: dict[str, str]) -> None:
        """Record stories for stored articles that have none (articles stored before assignment existed)."""
        known = self.story_assignments()
        rows = [{"article_id": a, "story_id": s} for a, s in assignments.items() if a not in known]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(article_stories_table), rows)

    # --- index snapshots ----------------------------------------------------------------
    def get_index_state(self, name: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(index_state_table.c.state).where(index_state_table.c.name == name)).first()
        return None if row is None else bytes(row[0])

    def put_index_state(self, name: str, state: bytes) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(index_state_table).where(index_state_table.c.name == name))
            conn.execute(insert(index_state_table).values(name=name, state=state))

    def iter_articles(self) -> Iterator[Article]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(articles_table.c.payload).order_by(articles_table.c.seq)):
                yield from_dict(Article, json.loads(row[0]))

    def article_records(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """article id -> kind -> list of record dicts."""
        out: dict[str, dict[str, list[dict[str, Any]]]] = {}
        with self.engine.connect() as conn:
            for article_id, kind, payload in conn.execute(
                select(article_records_table.c.article_id, article_records_table.c.kind, article_records_table.c.payload)
            ):
                out.setdefault(article_id, {})[kind] = json.loads(payload)
        return out

    # --- corpus-level records ---------------------------------------------------------
    def replace_corpus_records(self, records: dict[str, list[Any]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(corpus_records_table))
            for kind in CORPUS_RECORD_KINDS:
                rows = [to_dict(r) for r in records.get(kind, [])]
                conn.execute(
                    insert(corpus_records_table).values(kind=kind, payload=json.dumps(rows, ensure_ascii=False))
                )

    def corpus_records(self) -> dict[str, list[dict[str, Any]]]:
        with self.engine.connect() as conn:
            return {
                kind: json.loads(payload)
                for kind, payload in conn.execute(select(corpus_records_table.c.kind, corpus_records_table.c.payload))
            }

    # --- embedding cache ----------------------------------------------------------------
    def get_embeddings(self, keys: Iterable[str]) -> dict[str, list[float]]:
        keys = list(keys)
        out: dict[str, list[float]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                for key, vector in conn.execute(
                    select(embeddings_table.c.key, embeddings_table.c.vector).where(embeddings_table.c.key.in_(chunk))
                ):
                    out[key] = json.loads(vector)
        return out

    def put_embeddings(self, vectors: dict[str, list[float]]) -> None:
        if not vectors:
            return
        existing = set(self.get_embeddings(vectors))
        rows = [{"key": k, "vector": json.dumps(v)} for k, v in vectors.items() if k not in existing]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(embeddings_table), rows)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            n_articles = len(conn.execute(select(articles_table.c.id)).all())
        return {"articles": n_articles}
