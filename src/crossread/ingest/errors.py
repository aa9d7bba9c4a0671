"""The per-item error record of the ingestion stage (re-exported by ``crossread.ingest``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IngestError"]


@dataclass
class IngestError:
    """One input item that could not be ingested; the batch goes on without it.

    ``item`` is the path, or ``path#line N`` (JSONL), ``path#entry N`` (feed), ``path#record URI`` (WARC).
    """

    item: str
    reason: str

    def __post_init__(self) -> None:
        # one line whatever the cause said (a library's message can run over many lines)
        self.reason = " ".join(str(self.reason).split())
