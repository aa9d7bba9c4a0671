"""Full-text search over article and claim text: SQLite FTS5 or PostgreSQL's text search.

The indexes are made by revision 0002 (``articles_fts`` / ``claims_fts`` on SQLite, a generated
``search`` tsvector column with a GIN index on PostgreSQL) and kept up to date by the database.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

KINDS = ("articles", "claims")


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: every word must occur (each quoted, so that no word is read as
    an FTS5 operator); ``"a phrase"`` stays a phrase."""
    parts = re.findall(r'"([^"]+)"|(\S+)', query)
    terms = [phrase or word for phrase, word in parts]
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms if t.strip())


def search(conn: Connection, dialect: str, query: str, kind: str = "articles", limit: int = 20) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise ValueError(f"search kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not query.strip():
        return []
    if dialect == "sqlite":
        match = fts5_query(query)
        if kind == "articles":
            sql = ("SELECT a.id, a.title, a.outlet, a.date, a.story_id, "
                   "snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet, bm25(articles_fts) AS rank "
                   "FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
                   "WHERE articles_fts MATCH :q ORDER BY rank LIMIT :n")
        else:
            sql = ("SELECT c.id, c.text, c.status, c.story_id, bm25(claims_fts) AS rank "
                   "FROM claims_fts JOIN claims c ON c.seq = claims_fts.rowid "
                   "WHERE claims_fts MATCH :q ORDER BY rank LIMIT :n")
        return [dict(r) for r in conn.execute(text(sql), {"q": match, "n": limit}).mappings()]
    if dialect == "postgresql":
        if kind == "articles":
            sql = ("SELECT a.id, a.title, a.outlet, a.date, a.story_id, "
                   "ts_headline('english', a.text, q, 'MaxFragments=1,MaxWords=20,MinWords=8') AS snippet, "
                   "ts_rank(a.search, q) AS rank FROM articles a, websearch_to_tsquery('english', :q) q "
                   "WHERE a.search @@ q ORDER BY rank DESC LIMIT :n")
        else:
            sql = ("SELECT c.id, c.text, c.status, c.story_id, ts_rank(c.search, q) AS rank "
                   "FROM claims c, websearch_to_tsquery('english', :q) q WHERE c.search @@ q "
                   "ORDER BY rank DESC LIMIT :n")
        return [dict(r) for r in conn.execute(text(sql), {"q": query, "n": limit}).mappings()]
    raise NotImplementedError(f"full-text search is not available on {dialect}")
