"""Cross-article linking: one actor per real-world actor (:mod:`~crossread.link.actor_resolve`),
stories (:mod:`~crossread.link.story_assign`), the same event and quote across articles
(:mod:`~crossread.link.event_coref`, :mod:`~crossread.link.quote_merge`)."""
