"""The record store: relational, migrated, on SQLite by default and PostgreSQL (any SQLAlchemy URL).

Tables: :mod:`crossread.store.schema` (documented for users in ``docs/STORE.md``). The schema is
versioned with Alembic (``crossread/store/migrations``): opening a store upgrades it to the newest
revision, and a store written by the previous release (JSON blobs, revision 0001) opens too — its
articles are re-filed from their stored records, nothing is analysed again.

Only the orchestration layer (:mod:`crossread.pipeline`) writes. Every write is one transaction:
a batch of articles with everything extracted from them, a round of story filing, a round of actor
resolution, one story's cross-source records. A run killed at any point leaves complete steps, and
the marks of unfinished work (unfiled articles, unresolved actors, stale stories, unwritten report
pages) make the next run finish it: reruns are idempotent.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, delete, event, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine, create_engine

from crossread.extract import ArticleRecords
from crossread.link.actor_resolve import ActorForm, actor_id, describe_counts, expand_unit, group_forms
from crossread.records import Actor, Analysis, Article, Mention, Story
from crossread.store import schema as s
from crossread.store.codec import pack_dense, sentence_from, unpack_dense, unpack_sparse
from crossread.store.lock import StoreInUse, WriterLock, sqlite_file, store_label  # noqa: F401 - StoreInUse re-exported
from crossread.store.rows import (  # noqa: F401 - published_date re-exported
    article_of,
    article_rows,
    extraction_rows,
    feature_row,
    framing_rows_of,
    published_date,
    records_of,
    story_record_rows,
    story_records_of,
    story_summary,
)
from crossread.store.tallies import tally_stories, untally_stories

log = logging.getLogger("crossread")

_CHUNK = 500  # values per IN (...) list


def default_db_url(outdir: Path) -> str:
    return f"sqlite:///{(outdir / 'crossread.db').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer; synchronous=NORMAL in WAL mode loses nothing when the
    # process is killed (only a power cut can drop the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _create_following_umask(path: Path | None) -> None:
    """Create a new SQLite store file as ``open()`` would (0o666 less the umask): SQLite itself creates
    it 0o644 whatever the umask, and gives its WAL files the mode of the database."""
    if path is None or path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # an empty file is an empty database
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing or unwritable folder: SQLite says so when it opens the store


def _with_installed_driver(url: str) -> str:
    """A plain ``postgresql://`` URL names SQLAlchemy's default driver, psycopg2; where only psycopg (3,
    the ``postgres`` extra) is installed, use that one instead of failing."""
    import importlib.util

    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain) and importlib.util.find_spec("psycopg2") is None and \
                importlib.util.find_spec("psycopg") is not None:
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ArticleBundle:
    """One analysed article as the pipeline stores it."""

    article: Article
    records: ArticleRecords
    features: Any = None  # crossread.link.story_assign.StoryFeatures
    nlp: dict[str, Any] | None = None  # crossread.nlp.loader.pipeline_provenance


def effective_when(article: Article, first_seen: str) -> str:
    """The time an article is filed at: its ISO publication date (and time), else the day it was first
    stored (the day only: articles of one intake then file in the same order however they were split
    into runs)."""
    published = (article.published or "").strip()
    return published if published_date(published) else first_seen[:10]


class Store:
    """Articles and every record kind in typed tables; see the module docstring."""

    def __init__(self, url: str, *, migrate: bool = True, lock: bool = False) -> None:
        """Open (and by default upgrade) the store at ``url``. ``lock``: take the writer lock first
        (:mod:`crossread.store.lock`): :class:`StoreInUse` when another run holds it."""
        self.url = url
        self.engine: Engine = create_engine(_with_installed_driver(url), future=True)
        self.dialect = self.engine.dialect.name
        self.label = store_label(self.engine)
        self._lock: WriterLock | None = None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            _create_following_umask(sqlite_file(self.engine))
        try:
            if lock:  # before the migration: two runs creating one store would both create its tables
                self._lock = WriterLock(self.engine)
                self._lock.acquire()
            if migrate:
                from crossread.store.migrate import upgrade

                upgrade(self.engine)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _rows(self, conn: Connection, statement: Any) -> list[dict[str, Any]]:
        result = conn.execute(statement)
        keys = list(result.keys())
        return [dict(zip(keys, row)) for row in result.all()]

    # ------------------------------------------------------------------ articles
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                found.update(conn.execute(select(s.articles.c.id).where(s.articles.c.id.in_(chunk))).scalars())
        return found

    def has_article(self, article_id: str) -> bool:
        return bool(self.existing_ids([article_id]))

    def article_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(s.articles)).scalar_one())

    def _pipeline_id(self, conn: Connection, nlp: dict[str, Any] | None) -> int | None:
        if not nlp:
            return None
        table = s.nlp_pipelines
        found = conn.execute(select(table.c.id).where(table.c.fingerprint == nlp["fingerprint"])).scalar()
        if found is not None:
            return int(found)
        return int(conn.execute(insert(table).values(
            name=nlp.get("name") or "", version=nlp.get("version"), components=",".join(nlp.get("components", [])),
            fingerprint=nlp["fingerprint"])).inserted_primary_key[0])

    def add_articles(self, bundles: Sequence[ArticleBundle], first_seen: str | None = None) -> list[str]:
        """Store articles with their records and story features in one transaction; the ids added
        (an article already stored is skipped: reruns add nothing twice)."""
        first_seen = first_seen or utc_now()
        added: list[str] = []
        with self.transaction() as conn:
            known = set()
            for chunk in _chunks([b.article.id for b in bundles]):
                known.update(conn.execute(select(s.articles.c.id).where(s.articles.c.id.in_(chunk))).scalars())
            seq = conn.execute(select(func.max(s.articles.c.seq))).scalar() or 0
            tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for bundle in bundles:
                article = bundle.article
                if article.id in known:
                    continue
                known.add(article.id)
                seq += 1
                when = effective_when(article, first_seen)
                rows = article_rows(article, seq=seq, date=when[:10], first_seen=first_seen,
                                    nlp_pipeline_id=self._pipeline_id(conn, bundle.nlp))
                rows.update(extraction_rows(article, bundle.records))
                if bundle.features is not None:
                    rows["story_features"] = [self._feature_row(bundle.features)]
                else:
                    rows["pending"] = [{"kind": "features", "item": article.id}]
                for name, table_rows in rows.items():
                    tables[name] += table_rows
                added.append(article.id)
            self._insert_all(conn, tables)
        return added

    def insert_rows(self, conn: Connection, table_name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows as they are into one table (:mod:`crossread.store.parquet_import`)."""
        if rows:
            conn.execute(insert(s.metadata.tables[table_name]), list(rows))

    def article_actor_ids(self) -> dict[tuple[str, str], str | None]:
        """(article id, local actor id) -> corpus-wide actor id, of every article actor."""
        t = s.article_actors
        with self.engine.connect() as conn:
            return {(article, local): aid for article, local, aid in
                    conn.execute(select(t.c.article_id, t.c.local_id, t.c.actor_id))}

    def _insert_all(self, conn: Connection, tables: Mapping[str, list[dict[str, Any]]]) -> None:
        for table in s.metadata.sorted_tables:  # parents before children
            rows = tables.get(table.name)
            if rows:
                conn.execute(insert(table), rows)

    @staticmethod
    def _feature_row(features: Any) -> dict[str, Any]:
        return feature_row(features)

    def articles_by_id(self, ids: Sequence[str], conn: Connection | None = None) -> dict[str, Article]:
        """Articles (with removed chrome, signals and authors) by id."""
        if conn is None:
            with self.engine.connect() as own:
                return self.articles_by_id(ids, own)
        out: dict[str, Article] = {}
        for chunk in _chunks(list(ids)):
            rows = self._rows(conn, select(s.articles).where(s.articles.c.id.in_(chunk)))
            removed = defaultdict(list)
            for r in self._rows(conn, select(s.removed_chrome).where(s.removed_chrome.c.article_id.in_(chunk))
                                .order_by(s.removed_chrome.c.position)):
                removed[r["article_id"]].append(r)
            signals = defaultdict(list)
            for r in self._rows(conn, select(s.signals).where(s.signals.c.article_id.in_(chunk))
                                .order_by(s.signals.c.position)):
                signals[r["article_id"]].append(r)
            authors = defaultdict(list)
            for r in self._rows(conn, select(s.article_authors).where(s.article_authors.c.article_id.in_(chunk))
                                .order_by(s.article_authors.c.position)):
                authors[r["article_id"]].append(r)
            for row in rows:
                out[row["id"]] = article_of(row, removed[row["id"]], signals[row["id"]], authors[row["id"]])
        return out

    def first_seen(self, article_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(article_ids)):
                out.update(conn.execute(select(s.articles.c.id, s.articles.c.first_seen)
                                        .where(s.articles.c.id.in_(chunk))).all())
        return out

    def iter_articles(self) -> Iterator[Article]:
        """Every stored article in insertion order (one chunk in memory at a time)."""
        with self.engine.connect() as conn:
            last = 0
            while True:
                ids = [r for r in conn.execute(select(s.articles.c.seq, s.articles.c.id).where(s.articles.c.seq > last)
                                               .order_by(s.articles.c.seq).limit(_CHUNK)).all()]
                if not ids:
                    return
                by_id = self.articles_by_id([i for _, i in ids], conn)
                for _, article_id in ids:
                    yield by_id[article_id]
                last = ids[-1][0]

    def extraction(self, article_ids: Sequence[str], conn: Connection | None = None,
                   articles: Mapping[str, Article] | None = None) -> dict[str, ArticleRecords]:
        """What the extractors found in each article (article-local actor ids)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.extraction(article_ids, own, articles)
        articles = articles or self.articles_by_id(article_ids, conn)
        tables = ("article_actors", "article_actor_aliases", "actor_mentions", "article_events",
                  "article_event_actors", "article_quotes", "article_claims", "article_framing")
        per_article: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for name in tables:
            table = s.metadata.tables[name]
            for chunk in _chunks(list(article_ids)):
                for row in self._rows(conn, select(table).where(table.c.article_id.in_(chunk))):
                    per_article[row["article_id"]][name].append(row)
        return {aid: records_of(articles[aid], per_article.get(aid, {})) for aid in article_ids}

    def nlp_fingerprints(self) -> dict[str | None, int]:
        """How many articles each NLP pipeline (by fingerprint; None: not recorded) made the records of."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.nlp_pipelines.c.fingerprint, func.count())
                                .select_from(s.articles.outerjoin(s.nlp_pipelines))
                                .group_by(s.nlp_pipelines.c.fingerprint)).all()
        return {fp: int(n) for fp, n in rows}

    # ------------------------------------------------------------------ pending work
    def pending(self, kind: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(s.pending.c.item).where(s.pending.c.kind == kind)
                                     .order_by(s.pending.c.item)).scalars())

    def mark_pending(self, kind: str, items: Iterable[str], conn: Connection | None = None) -> None:
        items = sorted(set(items))
        if not items:
            return
        if conn is None:
            with self.transaction() as own:
                return self.mark_pending(kind, items, own)
        existing = set()
        for chunk in _chunks(items):
            existing.update(conn.execute(select(s.pending.c.item).where(
                and_(s.pending.c.kind == kind, s.pending.c.item.in_(chunk)))).scalars())
        rows = [{"kind": kind, "item": i} for i in items if i not in existing]
        if rows:
            conn.execute(insert(s.pending), rows)

    def clear_pending(self, kind: str, items: Iterable[str], conn: Connection | None = None) -> None:
        items = list(items)
        if conn is None:
            with self.transaction() as own:
                return self.clear_pending(kind, items, own)
        for chunk in _chunks(items):
            conn.execute(delete(s.pending).where(and_(s.pending.c.kind == kind, s.pending.c.item.in_(chunk))))

    def set_features(self, features: Sequence[Any]) -> None:
        """Story features computed later (articles imported from an older store)."""
        with self.transaction() as conn:
            conn.execute(insert(s.story_features), [self._feature_row(f) for f in features])
            self.clear_pending("features", [f.article_id for f in features], conn)

    # ------------------------------------------------------------------ story filing
    def _features_of(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[Any, str | None, str | None]]:
        """(features, story id, story's first order key) of feature rows."""
        from crossread.link.story_assign import StoryFeatures

        for row in rows:
            indices, values = unpack_sparse(bytes(row["vector"]))
            entities = frozenset(e for e in row["entities"].split("\n") if e)
            yield StoryFeatures(row["article_id"], row["order_key"], row["day"], indices, values, entities), \
                row.get("story_id"), row.get("story_key")

    def _feature_select(self) -> Any:
        f = s.story_features
        return select(f.c.article_id, f.c.day, f.c.order_key, f.c.vector, f.c.entities, s.articles.c.story_id,
                      s.stories.c.order_key.label("story_key")) \
            .select_from(f.join(s.articles, s.articles.c.id == f.c.article_id)
                         .outerjoin(s.stories, s.stories.c.id == s.articles.c.story_id))

    def unfiled_features(self) -> list[Any]:
        """Features of the articles not yet in a story (just added, or a run stopped before filing)."""
        with self.engine.connect() as conn:
            rows = self._rows(conn, self._feature_select().where(s.articles.c.story_id.is_(None)))
        return [f for f, _, _ in self._features_of(rows)]

    def filed_after(self, key: str) -> list[Any]:
        """Filed articles that come after ``key`` in filing order, without their vectors
        (:class:`crossread.link.story_assign.Filed`): a backfill may file them again."""
        from crossread.link.story_assign import Filed

        f = s.story_features
        with self.engine.connect() as conn:
            rows = conn.execute(select(f.c.article_id, f.c.order_key, f.c.day, s.articles.c.story_id,
                                       s.stories.c.order_key)
                                .select_from(f.join(s.articles, s.articles.c.id == f.c.article_id)
                                             .join(s.stories, s.stories.c.id == s.articles.c.story_id))
                                .where(f.c.order_key > key).order_by(f.c.order_key)).all()
        return [Filed(*row) for row in rows]

    def features(self, article_ids: Sequence[str]) -> list[Any]:
        """Story features of these articles."""
        out = []
        with self.engine.connect() as conn:
            for chunk in _chunks(list(article_ids)):
                rows = self._rows(conn, self._feature_select().where(s.story_features.c.article_id.in_(chunk)))
                out += [f for f, _, _ in self._features_of(rows)]
        return out

    def filed_between(self, day_from: int, day_to: int) -> list[tuple[Any, str, str]]:
        with self.engine.connect() as conn:
            rows = self._rows(conn, self._feature_select().where(
                and_(s.story_features.c.day.between(day_from, day_to), s.articles.c.story_id.is_not(None))))
        return list(self._features_of(rows))

    def file_articles(self, assignment: Mapping[str, str], order_keys: Mapping[str, str]) -> set[str]:
        """Put articles into stories (``assignment``: article id -> story id) in one transaction; the
        stories that gained or lost articles become stale, emptied ones are removed (their id then
        redirects to the story holding their first article). Returns the stale story ids."""
        if not assignment:
            return set()
        with self.transaction() as conn:
            before: dict[str, str | None] = {}
            for chunk in _chunks(sorted(assignment)):
                before.update(conn.execute(select(s.articles.c.id, s.articles.c.story_id)
                                           .where(s.articles.c.id.in_(chunk))).all())
            touched = {sid for sid in before.values() if sid} | set(assignment.values())
            existing = set()
            for chunk in _chunks(sorted(touched)):
                existing.update(conn.execute(select(s.stories.c.id).where(s.stories.c.id.in_(chunk))).scalars())
            new_rows = []
            for sid in sorted(set(assignment.values()) - existing):
                founder = min((a for a, x in assignment.items() if x == sid), key=lambda a: order_keys[a])
                new_rows.append({"id": sid, "title": "", "founder_id": founder, "order_key": order_keys[founder],
                                 "stale": True})
            if new_rows:
                conn.execute(insert(s.stories), new_rows)
            changed = {a: sid for a, sid in assignment.items() if before.get(a) != sid}
            by_story: dict[str, list[str]] = defaultdict(list)
            for article_id, sid in changed.items():
                by_story[sid].append(article_id)
            for sid, ids in by_story.items():
                for chunk in _chunks(sorted(ids)):
                    conn.execute(update(s.articles).where(s.articles.c.id.in_(chunk)).values(story_id=sid))
            stale = {before[a] for a in changed if before.get(a)} | set(changed.values())
            # a story left empty is removed, and its id redirects to the story now holding its founder
            emptied = []
            for sid in sorted(stale):
                if conn.execute(select(s.articles.c.id).where(s.articles.c.story_id == sid).limit(1)).first() is None:
                    emptied.append(sid)
            for sid in emptied:
                founder = conn.execute(select(s.stories.c.founder_id).where(s.stories.c.id == sid)).scalar()
                holder = conn.execute(select(s.articles.c.story_id).where(s.articles.c.id == founder)).scalar()
                self._delete_story(conn, sid)
                conn.execute(delete(s.story_redirects).where(s.story_redirects.c.old_id == sid))
                if holder is not None:
                    conn.execute(insert(s.story_redirects).values(old_id=sid, story_id=holder))
                stale.discard(sid)
            for chunk in _chunks(sorted(stale)):
                conn.execute(update(s.stories).where(s.stories.c.id.in_(chunk)).values(stale=True))
                conn.execute(delete(s.story_redirects).where(s.story_redirects.c.old_id.in_(chunk)))
            self.mark_pending("report", set(stale) | set(emptied), conn)
        return stale

    def _delete_story(self, conn: Connection, story_id: str) -> None:
        self._delete_story_records(conn, [story_id])
        conn.execute(delete(s.stories).where(s.stories.c.id == story_id))

    def _delete_story_records(self, conn: Connection, story_ids: Sequence[str]) -> None:
        ids = list(story_ids)
        for chunk in _chunks(ids):
            event_ids = select(s.events.c.id).where(s.events.c.story_id.in_(chunk))
            quote_ids = select(s.quotes.c.id).where(s.quotes.c.story_id.in_(chunk))
            claim_ids = select(s.claims.c.id).where(s.claims.c.story_id.in_(chunk))
            pairs = select(s.derivations.c.source_article_id, s.derivations.c.derived_article_id) \
                .where(s.derivations.c.story_id.in_(chunk))
            conn.execute(delete(s.event_actors).where(s.event_actors.c.event_id.in_(event_ids)))
            conn.execute(delete(s.event_evidence).where(s.event_evidence.c.event_id.in_(event_ids)))
            conn.execute(delete(s.quote_evidence).where(s.quote_evidence.c.quote_id.in_(quote_ids)))
            conn.execute(delete(s.claim_evidence).where(s.claim_evidence.c.claim_id.in_(claim_ids)))
            conn.execute(delete(s.claim_relations).where(s.claim_relations.c.claim_id.in_(claim_ids)))
            for source_id, derived_id in conn.execute(pairs).all():
                conn.execute(delete(s.derivation_passages).where(and_(
                    s.derivation_passages.c.source_article_id == source_id,
                    s.derivation_passages.c.derived_article_id == derived_id)))
            untally_stories(conn, chunk)
            for table in (s.events, s.quotes, s.claims, s.derivations, s.labels, s.loaded_terms):
                conn.execute(delete(table).where(table.c.story_id.in_(chunk)))

    # ------------------------------------------------------------------ actors across the corpus
    def _forms_where(self, conn: Connection, column: str, values: Sequence[str]) -> list[Any]:
        from crossread.link.actor_resolve import ActorForm

        t = s.article_actors
        out = []
        for chunk in _chunks(list(values)):
            out += [ActorForm(n, ty, k) for n, ty, k in conn.execute(
                select(t.c.name, t.c.type, t.c.merge_key).where(t.c[column].in_(chunk)).distinct()).all()]
        return out

    def resolve_actors(self) -> set[str]:
        """Give every unresolved article actor its corpus-wide actor, regrouping only the units of new
        name forms (:mod:`crossread.link.actor_resolve`); one transaction. Returns the stories whose
        actors changed identity (stale now)."""
        t = s.article_actors
        with self.transaction() as conn:
            new_forms = {ActorForm(n, ty, k) for n, ty, k in conn.execute(
                select(t.c.name, t.c.type, t.c.merge_key).where(t.c.actor_id.is_(None)).distinct()).all()}
            if not new_forms:
                return set()
            known: dict[ActorForm, str] = {}
            for form in new_forms:  # a form seen before keeps its group unless its unit changes below
                group = conn.execute(select(t.c.actor_id).where(and_(
                    t.c.merge_key == form.merge_key, t.c.name == form.name, t.c.type == form.type,
                    t.c.actor_id.is_not(None))).limit(1)).scalar()
                if group is not None:
                    known[form] = group
            unseen = new_forms - set(known)
            unit = expand_unit(unseen, lambda kind, values: self._forms_where(conn, kind, values)) if unseen else set()
            regrouped = {form: actor_id(founder) for form, founder in group_forms(unit).items()}
            recount: set[str] = set()  # actors whose rows changed other than by new rows: counted again
            moved: dict[str, Counter] = defaultdict(Counter)  # old id -> new id -> rows
            stale_stories: set[str] = set()
            for form, new_id in sorted(regrouped.items(), key=lambda kv: kv[0].sort_key()):
                where = and_(t.c.merge_key == form.merge_key, t.c.name == form.name, t.c.type == form.type)
                changing = and_(where, or_(t.c.actor_id.is_(None), t.c.actor_id != new_id))
                old = conn.execute(select(t.c.actor_id, func.count()).where(changing).group_by(t.c.actor_id)).all()
                if not old:
                    continue
                for old_id, n in old:
                    if old_id is not None:
                        moved[old_id][new_id] += n
                        recount.add(old_id)
                recount.add(new_id)
                stale_stories |= set(conn.execute(
                    select(s.articles.c.story_id).select_from(t.join(s.articles, s.articles.c.id == t.c.article_id))
                    .where(and_(changing, t.c.actor_id.is_not(None), s.articles.c.story_id.is_not(None)))
                    .distinct()).scalars())
                conn.execute(update(t).where(changing).values(actor_id=new_id))
            # forms outside the regrouped units: their new rows join the form's actor, counted incrementally
            added: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for form, group in known.items():
                if form in regrouped:
                    continue
                fresh = and_(t.c.merge_key == form.merge_key, t.c.name == form.name, t.c.type == form.type,
                             t.c.actor_id.is_(None))
                added[group] += [tuple(r) for r in conn.execute(select(t.c.article_id, t.c.local_id).where(fresh)).all()]
                conn.execute(update(t).where(fresh).values(actor_id=group))
            for aid in sorted(recount):
                self._count_actor(conn, aid)
            for aid, keys in sorted(added.items()):
                if aid not in recount:
                    self._count_actor(conn, aid, keys)
            self._describe_actors(conn, recount | set(added))
            for old_id, targets in moved.items():  # ids merged away keep pointing to their rows' actor
                if conn.execute(select(s.actors.c.id).where(s.actors.c.id == old_id)).first() is None:
                    target = min(targets.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                    conn.execute(delete(s.actor_redirects).where(s.actor_redirects.c.old_id == old_id))
                    conn.execute(insert(s.actor_redirects).values(old_id=old_id, actor_id=target))
            for chunk in _chunks(sorted(recount)):
                conn.execute(delete(s.actor_redirects).where(s.actor_redirects.c.old_id.in_(chunk))
                             .where(s.actor_redirects.c.old_id.in_(select(s.actors.c.id))))
            for chunk in _chunks(sorted(stale_stories)):
                conn.execute(update(s.stories).where(s.stories.c.id.in_(chunk)).values(stale=True))
            self.mark_pending("report", stale_stories, conn)
        return stale_stories

    def _count_actor(self, conn: Connection, aid: str, new_rows: Sequence[tuple[str, str]] | None = None) -> None:
        """``actor_counts`` of one actor: from all its article rows, or (``new_rows``: (article id, local id))
        its counts plus those rows'."""
        t, al, c = s.article_actors, s.article_actor_aliases, s.actor_counts
        counts: Counter = Counter()
        if new_rows is None:
            conn.execute(delete(c).where(c.c.actor_id == aid))
            scope = [t.c.actor_id == aid]
        else:
            counts.update({(k, v): n for k, v, n in conn.execute(select(c.c.kind, c.c.value, c.c.n)
                                                                   .where(c.c.actor_id == aid)).all()})
            conn.execute(delete(c).where(c.c.actor_id == aid))
            scope = None
        chunks = [None] if scope is not None else list(_chunks(list(new_rows)))
        for chunk in chunks:
            where = scope[0] if chunk is None else or_(*[and_(t.c.article_id == a, t.c.local_id == b) for a, b in chunk])
            for name, type_, key, role, country, sector, n, mentions in conn.execute(
                    select(t.c.name, t.c.type, t.c.merge_key, t.c.role, t.c.country, t.c.sector, func.count(),
                           func.sum(t.c.mentions))
                    .where(where).group_by(t.c.name, t.c.type, t.c.merge_key, t.c.role, t.c.country, t.c.sector)).all():
                counts[("name", name)] += n
                counts[("form", "\x1f".join((type_, key, name)))] += n
                counts[("mentions", "")] += int(mentions or 0)
                if role:
                    counts[("role", role)] += n
                if country:
                    counts[("country", country)] += n
                if sector:
                    counts[("sector", sector)] += n
            alias_where = t.c.actor_id == aid if chunk is None else where
            for alias, n in conn.execute(
                    select(al.c.alias, func.count())
                    .select_from(al.join(t, and_(t.c.article_id == al.c.article_id, t.c.local_id == al.c.local_id)))
                    .where(alias_where).group_by(al.c.alias)).all():
                counts[("alias", alias)] += n
            articles = conn.execute(select(func.count(t.c.article_id.distinct())).where(where)).scalar()
            counts[("articles", "")] += int(articles or 0)
        rows = [{"actor_id": aid, "kind": k, "value": v, "n": n} for (k, v), n in counts.items() if n]
        if rows:
            conn.execute(insert(c), rows)

    def _describe_actors(self, conn: Connection, actor_ids: Iterable[str]) -> None:
        """Rewrite the ``actors`` rows of these ids from their ``actor_counts``
        (:func:`crossread.link.actor_resolve.describe_counts`); an id with no rows left is removed."""
        c = s.actor_counts
        for aid in sorted(set(actor_ids)):
            counts: dict[str, Counter] = defaultdict(Counter)
            for kind, value, n in conn.execute(select(c.c.kind, c.c.value, c.c.n).where(c.c.actor_id == aid)).all():
                counts[kind][value] += n
            conn.execute(delete(s.actor_aliases).where(s.actor_aliases.c.actor_id == aid))
            conn.execute(delete(s.actors).where(s.actors.c.id == aid))
            if not counts["form"]:
                continue
            founder = min((ActorForm(v.split("\x1f", 2)[2], *v.split("\x1f", 2)[:2]) for v in counts["form"]),
                          key=ActorForm.sort_key)
            types: Counter = Counter()
            for value, n in counts["form"].items():
                types[value.split("\x1f", 1)[0]] += n
            actor = describe_counts(founder, counts["name"] + counts["alias"], counts["role"], counts["country"], types,
                                    counts["sector"])
            conn.execute(insert(s.actors).values(
                id=aid, name=actor.name, type=actor.type, role=actor.role, country=actor.country, sector=actor.sector,
                mentions=counts["mentions"][""], articles=counts["articles"][""]))
            if actor.aliases:
                conn.execute(insert(s.actor_aliases), [{"actor_id": aid, "position": i, "alias": a}
                                                        for i, a in enumerate(actor.aliases)])

    # ------------------------------------------------------------------ the story stage
    def stale_stories(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(s.stories.c.id).where(s.stories.c.stale.is_(True))
                                     .order_by(s.stories.c.order_key)).scalars())

    def story_input(self, story_id: str) -> Any:
        """Everything :func:`crossread.analyze.story.analyze_story` needs for one story."""
        from crossread.analyze.story import StoryInput

        t = s.article_actors
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(s.articles.c.id).select_from(
                s.articles.join(s.story_features, s.story_features.c.article_id == s.articles.c.id))
                .where(s.articles.c.story_id == story_id).order_by(s.story_features.c.order_key)).scalars())
            articles = self.articles_by_id(ids, conn)
            records = self.extraction(ids, conn, articles)
            actor_ids, merge_keys = {}, {}
            for chunk in _chunks(ids):
                for aid, local, actor, key in conn.execute(select(t.c.article_id, t.c.local_id, t.c.actor_id, t.c.merge_key)
                                                           .where(t.c.article_id.in_(chunk))).all():
                    if actor is not None:
                        actor_ids[(aid, local)] = actor
                    merge_keys[(aid, local)] = key
        return StoryInput(story_id=story_id, articles=[articles[i] for i in ids], records=records,
                          actor_ids=actor_ids, merge_keys=merge_keys)

    def write_story(self, output: Any) -> None:
        """Replace one story's cross-source records (a :class:`crossread.analyze.story.StoryOutput`) and
        mark it fresh, in one transaction."""
        story = output.story
        with self.transaction() as conn:
            texts = dict(conn.execute(select(s.articles.c.id, s.articles.c.text)
                                      .where(s.articles.c.story_id == story.id)).all())
            if set(texts) != set(story.article_ids):
                raise RuntimeError(f"story {story.id} changed while it was analysed; run again")
            meta = self._rows(conn, select(s.articles.c.id, s.articles.c.outlet, s.articles.c.published)
                              .where(s.articles.c.story_id == story.id))
            self._delete_story_records(conn, [story.id])
            rows = story_record_rows(story.id, texts, output.events, output.quotes, output.claims,
                                     output.derivations, output.framing)
            self._insert_all(conn, rows)
            tally_stories(conn, [story.id])
            conn.execute(update(s.stories).where(s.stories.c.id == story.id).values(
                **story_summary(output, {m["id"]: m["outlet"] for m in meta},
                                {m["id"]: m["published"] for m in meta}), stale=False))
            self.mark_pending("report", [story.id], conn)

    # ------------------------------------------------------------------ reading records back
    def story_ids(self) -> list[str]:
        """Every story, in filing order of their first articles."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(s.stories.c.id).order_by(s.stories.c.order_key)).scalars())

    def _story_tables(self, conn: Connection, story_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        order = {sid: i for i, sid in enumerate(story_ids)}
        for chunk in _chunks(list(story_ids)):
            for table in (s.events, s.quotes, s.claims, s.derivations):
                tables[table.name] += self._rows(conn, select(table).where(table.c.story_id.in_(chunk)))
            for table, column in ((s.labels, "label"), (s.loaded_terms, "term")):
                tables[table.name] += self._rows(conn, select(table).where(table.c.story_id.in_(chunk)).order_by(
                    table.c.story_id, table.c.outlet, table.c.actor_id, table.c[column], table.c.position))
        for name in ("events", "quotes", "claims", "derivations"):
            tables[name].sort(key=lambda r: (order[r["story_id"]], r["position"]))
        children = ((s.event_actors, "event_id", "events"), (s.event_evidence, "event_id", "events"),
                    (s.quote_evidence, "quote_id", "quotes"), (s.claim_evidence, "claim_id", "claims"),
                    (s.claim_relations, "claim_id", "claims"))
        for table, key, parent in children:
            ids = [r["id"] for r in tables[parent]]
            for chunk in _chunks(ids):
                tables[table.name] += self._rows(conn, select(table).where(table.c[key].in_(chunk)))
        dp = s.derivation_passages
        for r in tables["derivations"]:
            tables[dp.name] += self._rows(conn, select(dp).where(and_(
                dp.c.source_article_id == r["source_article_id"], dp.c.derived_article_id == r["derived_article_id"])))
        return tables

    def _actors(self, conn: Connection, actor_ids: Iterable[str] | None, article_ids: Sequence[str] | None,
                texts: Mapping[str, str] | None = None) -> list[Actor]:
        """Corpus-wide actors with their mentions: all (both None), these ids with all their mentions, or
        those mentioned in these articles with their mentions there."""
        a, t, m, al = s.actors, s.article_actors, s.actor_mentions, s.actor_aliases
        mention_query = select(t.c.actor_id, m.c.article_id, m.c.text, m.c.char_start, m.c.char_end,
                               m.c.sentence_start, m.c.sentence_end, m.c.sentence_text) \
            .select_from(m.join(t, and_(t.c.article_id == m.c.article_id, t.c.local_id == m.c.local_id)))
        mentions: dict[str, list[tuple]] = defaultdict(list)
        if article_ids is not None:
            for chunk in _chunks(list(article_ids)):
                for row in conn.execute(mention_query.where(m.c.article_id.in_(chunk))).all():
                    if row[0] is not None:
                        mentions[row[0]].append(tuple(row[1:]))
            wanted = sorted(mentions)
        elif actor_ids is not None:
            wanted = sorted(set(actor_ids))
            for chunk in _chunks(wanted):
                for row in conn.execute(mention_query.where(t.c.actor_id.in_(chunk))).all():
                    mentions[row[0]].append(tuple(row[1:]))
        else:
            wanted = None
            for row in conn.execute(mention_query.where(t.c.actor_id.is_not(None))).all():
                mentions[row[0]].append(tuple(row[1:]))
        if wanted is None:
            rows = conn.execute(select(a.c.id, a.c.name, a.c.type, a.c.role, a.c.country, a.c.sector).order_by(a.c.id)).all()
            alias_rows = conn.execute(select(al.c.actor_id, al.c.alias).order_by(al.c.actor_id, al.c.position)).all()
        else:
            rows, alias_rows = [], []
            for chunk in _chunks(wanted):
                rows += conn.execute(select(a.c.id, a.c.name, a.c.type, a.c.role, a.c.country, a.c.sector)
                                     .where(a.c.id.in_(chunk))).all()
                alias_rows += conn.execute(select(al.c.actor_id, al.c.alias).where(al.c.actor_id.in_(chunk))
                                           .order_by(al.c.actor_id, al.c.position)).all()
            rows.sort(key=lambda r: r[0])
        aliases: dict[str, list[str]] = defaultdict(list)
        for actor_id, alias in alias_rows:
            aliases[actor_id].append(alias)
        texts = dict(texts or {})
        needed = sorted({x[0] for ms in mentions.values() for x in ms} - set(texts))
        for chunk in _chunks(needed):
            texts.update(conn.execute(select(s.articles.c.id, s.articles.c.text).where(s.articles.c.id.in_(chunk))).all())
        out = []
        for actor_id, name, type_, role, country, sector in rows:
            ms = sorted(mentions.get(actor_id, []), key=lambda x: (x[0], x[2]))
            out.append(Actor(id=actor_id, name=name, type=type_, aliases=aliases.get(actor_id, []),
                             mentions=[Mention(article_id=aid, start=start, end=end,
                                               sentence=sentence_from(texts[aid], ss, se, st) or "", text=text)
                                       for aid, text, start, end, ss, se, st in ms],
                             role=role, country=country, sector=sector))
        return out

    def actor_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(s.actors.c.id).order_by(s.actors.c.id)).scalars())

    def actors(self, actor_ids: Sequence[str]) -> list[Actor]:
        """These actors with all their mentions."""
        with self.engine.connect() as conn:
            return self._actors(conn, actor_ids, None)

    def framing_by_story(self, story_ids: Sequence[str]) -> dict[str, list[Any]]:
        """Framing records (outlet x actor) of each story."""
        out: dict[str, list[Any]] = {}
        with self.engine.connect() as conn:
            for story_id in story_ids:
                rows = {}
                for table, column in ((s.labels, "label"), (s.loaded_terms, "term")):
                    rows[table.name] = self._rows(conn, select(table).where(table.c.story_id == story_id).order_by(
                        table.c.outlet, table.c.actor_id, table.c[column], table.c.position))
                ids = sorted({r["article_id"] for rs in rows.values() for r in rs})
                texts = dict(conn.execute(select(s.articles.c.id, s.articles.c.text)
                                          .where(s.articles.c.id.in_(ids))).all()) if ids else {}
                out[story_id] = framing_rows_of(rows["labels"], rows["loaded_terms"], texts)
        return out

    def analysis(self, story_ids: Sequence[str] | None = None) -> Analysis:
        """The stored analysis as records: everything, or the stories given (their articles, the actors
        mentioned in them, their cross-source records)."""
        with self.engine.connect() as conn:
            if story_ids is None:
                stories = self._rows(conn, select(s.stories).order_by(s.stories.c.order_key))
                article_ids = list(conn.execute(select(s.articles.c.id).order_by(s.articles.c.seq)).scalars())
            else:
                stories = []
                for chunk in _chunks(list(story_ids)):
                    stories += self._rows(conn, select(s.stories).where(s.stories.c.id.in_(chunk)))
                stories.sort(key=lambda r: r["order_key"])
                article_ids = []
                for chunk in _chunks([r["id"] for r in stories]):
                    article_ids += list(conn.execute(select(s.articles.c.id).where(s.articles.c.story_id.in_(chunk))
                                                     .order_by(s.articles.c.seq)).scalars())
            articles = self.articles_by_id(article_ids, conn)
            members: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for chunk in _chunks(article_ids):
                for aid, sid, key in conn.execute(select(s.articles.c.id, s.articles.c.story_id, s.story_features.c.order_key)
                                                  .select_from(s.articles.outerjoin(s.story_features))
                                                  .where(s.articles.c.id.in_(chunk))).all():
                    if sid is not None:
                        members[sid].append((key or "", aid))
            story_records = [Story(id=r["id"], title=r["title"], article_ids=[a for _, a in sorted(members[r["id"]])])
                             for r in stories]
            texts = {aid: a.text for aid, a in articles.items()}
            outlet_of = {aid: a.outlet for aid, a in articles.items()}
            tables = self._story_tables(conn, [r["id"] for r in stories])
            records = story_records_of(tables, texts, outlet_of)
            framing = framing_rows_of(tables.get("labels", ()), tables.get("loaded_terms", ()), texts)
            actors = self._actors(conn, None, None if story_ids is None else article_ids, texts)
        return Analysis(articles=[articles[i] for i in article_ids], actors=actors, events=records["events"],
                        quotes=records["quotes"], claims=records["claims"], stories=story_records,
                        derivations=records["derivations"], framing=framing)

    # ------------------------------------------------------------------ embedding cache
    def get_embeddings(self, keys: Iterable[bytes]) -> dict[bytes, Any]:
        keys = list(keys)
        out: dict[bytes, Any] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                for key, vector in conn.execute(select(s.embeddings.c.key, s.embeddings.c.vector)
                                                .where(s.embeddings.c.key.in_(chunk))).all():
                    out[bytes(key)] = unpack_dense(bytes(vector))
        return out

    def put_embeddings(self, vectors: Mapping[bytes, Any]) -> None:
        if not vectors:
            return
        with self.transaction() as conn:
            existing = set()
            keys = list(vectors)
            for chunk in _chunks(keys):
                existing.update(bytes(k) for k in conn.execute(select(s.embeddings.c.key)
                                                               .where(s.embeddings.c.key.in_(chunk))).scalars())
            rows = [{"key": k, "vector": pack_dense(v)} for k, v in vectors.items() if k not in existing]
            if rows:
                conn.execute(insert(s.embeddings), rows)

    # ------------------------------------------------------------------ full-text search
    def search(self, query: str, kind: str = "articles", limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over article titles and texts (``kind="articles"``) or claims (``"claims"``):
        SQLite FTS5 or PostgreSQL text search; best matches first."""
        from crossread.store.fts import search

        with self.engine.connect() as conn:
            return search(conn, self.dialect, query, kind, limit)

    # ------------------------------------------------------------------ stores of the previous release
    def import_v1(self, batch: int = 200) -> int:
        """File the articles of a revision-0001 store (kept in ``v1_*`` by the migration) into the tables,
        with the records their extraction made then; one transaction per batch. Returns how many."""
        import json

        from crossread.records import Claim, Event, Framing, Quote, from_dict

        ids = self.pending("import_v1")
        done = 0
        for chunk in _chunks(ids, batch):
            with self.engine.connect() as conn:
                marks = ", ".join(f":i{n}" for n in range(len(chunk)))
                params = {f"i{n}": v for n, v in enumerate(chunk)}
                payloads = dict(conn.execute(text(f"SELECT id, payload FROM v1_articles WHERE id IN ({marks}) "
                                                  "ORDER BY seq"), params).all())
                seqs = dict(conn.execute(text(f"SELECT id, seq FROM v1_articles WHERE id IN ({marks})"), params).all())
                records: dict[str, dict[str, list]] = defaultdict(dict)
                for aid, kind, payload in conn.execute(text(
                        f"SELECT article_id, kind, payload FROM v1_article_records WHERE article_id IN ({marks})"),
                        params).all():
                    records[aid][kind] = json.loads(payload)
            bundles = []
            for aid in sorted(payloads, key=lambda i: seqs[i]):
                article = from_dict(Article, json.loads(payloads[aid]))
                r = records.get(aid, {})
                extracted = ArticleRecords(
                    actors=[from_dict(Actor, x) for x in r.get("actors", [])],
                    events=[from_dict(Event, x) for x in r.get("events", [])],
                    quotes=[from_dict(Quote, x) for x in r.get("quotes", [])],
                    claims=[from_dict(Claim, x) for x in r.get("claims", [])],
                    framing=[from_dict(Framing, x) for x in r.get("framing", [])])
                nlp = (r.get("nlp") or [None])[0]
                bundles.append(ArticleBundle(article, extracted, None, nlp))
            self.add_articles(bundles)
            with self.transaction() as conn:
                conn.execute(text(f"DELETE FROM v1_article_records WHERE article_id IN ({marks})"), params)
                conn.execute(text(f"DELETE FROM v1_articles WHERE id IN ({marks})"), params)
                self.clear_pending("import_v1", chunk, conn)
            done += len(bundles)
        if ids:
            with self.transaction() as conn:
                if not conn.execute(text("SELECT count(*) FROM v1_articles")).scalar():
                    conn.exec_driver_sql("DROP TABLE v1_article_records")
                    conn.exec_driver_sql("DROP TABLE v1_articles")
        return done
