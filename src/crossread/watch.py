"""``crossread watch``: poll a list of feeds and sitemaps and add their new articles to the store.

Each round is an ordinary analyze run over the source URLs (the same code path: ingest, NLP,
extraction, store, stories, report) with a :class:`~crossread.ingest.fetch.FetchState` kept in
``OUTDIR/watch-state.json``: conditional requests make an unchanged source cost one 304 response, and
item URLs already read are not fetched again. The state is saved only after the round's articles are
stored, so a round that dies is simply done again (the store drops articles it already has).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from crossread.ingest.fetch import FetchState, is_url
from crossread.pipeline import AnalyzeOptions, RunSummary, run_analyze

__all__ = ["parse_every", "read_sources", "watch", "watch_round", "STATE_FILE"]

log = logging.getLogger(__name__)

STATE_FILE = "watch-state.json"
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """Seconds of ``30s``, ``15m``, ``2h``, ``1d`` or a bare number of seconds; ValueError otherwise."""
    match = _EVERY.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an interval (e.g. 30s, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNIT[match.group(2).lower()]


def read_sources(path: Path) -> list[str]:
    """The URLs of a sources file: one a line, blank lines and ``#`` comments ignored; ValueError naming
    the first line that is no http(s) URL."""
    urls: list[str] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line) or not line.lower().startswith(("http://", "https://")):
            raise ValueError(f"{path}:{number}: {line!r} is not an http(s) URL")
        if line not in urls:
            urls.append(line)
    if not urls:
        raise ValueError(f"{path}: no URLs in it")
    return urls


def watch_round(sources: list[str], options: AnalyzeOptions) -> RunSummary:
    """One round: the sources' new articles into the store of ``options``; the state saved after."""
    state_path = options.outdir / STATE_FILE
    options.outdir.mkdir(parents=True, exist_ok=True)
    state = FetchState.load(state_path)
    options.fetch_state = state
    try:
        summary = run_analyze(sources, options)
    finally:
        options.fetch_state = None
    state.save(state_path)
    return summary


def watch(sources: list[str], options: AnalyzeOptions, every: float, once: bool = False,
          announce: Callable[[str], None] = print) -> RunSummary:
    """Rounds every ``every`` seconds (one with ``once``) until interrupted; the last round's summary."""
    while True:
        started = time.monotonic()
        summary = watch_round(sources, options)
        if once:
            return summary
        pause = max(0.0, every - (time.monotonic() - started))
        announce(f"next round in {pause:.0f} s (Ctrl-C to stop)")
        try:
            time.sleep(pause)
        except KeyboardInterrupt:
            return summary
