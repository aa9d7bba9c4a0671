"""Within-article extraction: actors, events, quotes, claims (issue 4 fills these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crossread.records import Actor, Article, Claim, Event, Quote


@dataclass
class ArticleRecords:
    """What extraction yields for one article; actors are article-local until linking."""

    actors: list[Actor] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def extract_records(article: Article, doc: Any) -> ArticleRecords:
    """Run every extractor over one article's parsed ``doc``.

    No extractor exists yet: return nothing rather than invent content.
    """
    return ArticleRecords()
