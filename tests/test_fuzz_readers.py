"""Fuzzing the readers (Hypothesis): whatever the bytes, every input gives articles or skipped items
with a reason, never an exception — not even one the ingest's last line of defence would catch
("unexpected error"), which would be a bug that cost its file.

The budget is fixed and the examples derandomised, so the default run is short and repeatable;
``CROSSREAD_FUZZ_EXAMPLES=2000`` runs more examples, from a random seed. Inputs that once broke a
reader are kept as ``@example`` cases (and the hostile cases of issue 19 in test_ingest_bad_input.py).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the fuzz tests need hypothesis (the dev extra)")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from crossread.ingest import IngestError, ingest  # noqa: E402
from crossread.ingest.meta import detect_language, normalise_date, normalise_language  # noqa: E402
from crossread.ingest.prose import not_prose  # noqa: E402
from crossread.ingest.text import parse_text  # noqa: E402
from crossread.records import Article  # noqa: E402

_EXAMPLES = int(os.environ.get("CROSSREAD_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=_EXAMPLES, deadline=None, derandomize="CROSSREAD_FUZZ_EXAMPLES" not in os.environ,
                database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

BODY = ("The city council voted on Tuesday to approve a new budget that increases spending on public "
        "transport by ten percent, officials said. The mayor welcomed the decision.")


def ingest_bytes(data: bytes, name: str) -> list[Article | IngestError]:
    """Everything ingest makes of ``data`` as a file called ``name``, checked: articles that hold text,
    skipped items with a reason, and no exception (caught or not)."""
    with tempfile.TemporaryDirectory(prefix="crossread-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        items = list(ingest([str(path)], max_bytes=1 << 20))
    for item in items:
        if isinstance(item, IngestError):
            assert item.reason and "\n" not in item.reason and "\n" not in item.item
            assert not item.reason.startswith("unexpected error"), item
        else:
            assert isinstance(item, Article), item
            assert item.text.strip() and not_prose(item.text) is None
            assert "\x00" not in item.text and "\n" not in item.source
    return items


# ------------------------------------------------------------------------------------- strategies

_words = st.sampled_from(["the", "council", "said", "Home", "World", "<p>", "</p>", "<div>", "&amp;", "&#0;",
                          "\u202e", "\udc80", "\x00", "\r", "\n\n", ",", ";", "\t", "|", "192.168.0.1",
                          "2024-01-02T03:04:05Z", "é", "Ã©", "中文", "مرحبا", "\ufeff", "<script>x</script>",
                          "<!--", "]]>", "<![CDATA[", "\\u0000", '"', "{", "}", "[", "]"])
# text made of words, markup and the characters that broke readers before, or of any characters at all
texts = st.one_of(st.lists(_words, max_size=80).map(" ".join), st.text(max_size=400),
                  st.builds(lambda a, b: a + BODY + b, st.text(max_size=50), st.text(max_size=50)))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | texts,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4),
                           max_leaves=12)
_FIELDS = ["text", "html", "title", "date", "published", "url", "source", "outlet", "language", "body",
           "body-paragraphs", "content"]
records = st.dictionaries(st.sampled_from(_FIELDS), json_values | texts, max_size=6)


def _cut(data: bytes, where: float) -> bytes:
    return data[: int(len(data) * where)]


# ------------------------------------------------------------------------------------- the readers

@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["a.txt", "a.html", "a.jsonl", "a.json", "a.rss",
                                                             "a.warc", "a", "a.txt.gz", "a.md"]))
@example(data=b"\x1f\x8b" + b"\x00" * 30, name="a.txt.gz")
@example(data=bytes(range(0x80, 0x100)) * 8, name="a.txt")
def test_any_bytes_under_any_name(data: bytes, name: str) -> None:
    ingest_bytes(data, name)


@FUZZ
@given(text=texts, name=st.sampled_from(["a.txt", "a.html", "a", "a.md"]), encoding=st.sampled_from(
    ["utf-8", "utf-16", "cp1252", "latin-1"]))
@example(text="hello", name="a.txt", encoding="utf-8")
@example(text="Home World Sport Business Culture", name="a.html", encoding="utf-8")
def test_text_and_html(text: str, name: str, encoding: str) -> None:
    data = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    for item in ingest_bytes(data, name):
        if isinstance(item, Article):
            assert "\x00" not in (item.title or "")


@FUZZ
@given(lines=st.lists(records | json_values, max_size=6), cut=st.floats(0.5, 1.0), packed=st.booleans())
@example(lines=[{"text": [1, 2, 3]}, {"text": BODY}], cut=1.0, packed=False)
def test_jsonl(lines: list, cut: float, packed: bool) -> None:
    data = "\n".join(json.dumps(line) for line in lines).encode("utf-8")
    data = _cut(gzip.compress(data), cut) if packed else _cut(data, cut)
    ingest_bytes(data, "a.jsonl.gz" if packed else "a.jsonl")


@FUZZ
@given(record=records)
@example(record={"text": {"a": 1}})
@example(record={"text": "A A A A!", "url": "0\n"})  # a "url" with a newline named the article
def test_a_whole_json_document(record: dict) -> None:
    ingest_bytes(json.dumps(record).encode("utf-8"), "a.json")


def _feed(entries: Iterable[tuple[str, str, str]], atom: bool) -> str:
    if atom:
        body = "".join(f"<entry><title>{t}</title><updated>{d}</updated><content type='html'>{c}</content></entry>"
                       for t, d, c in entries)
        return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>{body}</feed>'
    body = "".join(f"<item><title>{t}</title><pubDate>{d}</pubDate><description>{c}</description></item>"
                   for t, d, c in entries)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title>{body}</channel></rss>'


@FUZZ
@given(entries=st.lists(st.tuples(texts, texts, texts | st.just(BODY)), max_size=4), atom=st.booleans(),
       cut=st.floats(0.3, 1.0))
def test_feeds(entries: list[tuple[str, str, str]], atom: bool, cut: float) -> None:
    data = _cut(_feed(entries, atom).encode("utf-8", "surrogatepass"), cut)
    ingest_bytes(data, "a.atom" if atom else "a.rss")


def _warc(payloads: list[bytes], garbage_headers: list[bool]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for i, (payload, garbage) in enumerate(zip(payloads, garbage_headers)):
        uri = f"https://w.example/{i}"
        if garbage:
            payload = b"\x00\xff junk\r\n\r\n" + payload
            buf.write(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nContent-Length: %d\r\n\r\n"
                      % (uri.encode(), len(payload)) + payload + b"\r\n\r\n")
            continue
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                                      http_headers=headers))
    return buf.getvalue()


@FUZZ
@given(pages=st.lists(st.tuples(texts, st.booleans()), min_size=1, max_size=3), cut=st.floats(0.2, 1.0),
       flip=st.integers(min_value=0), packed=st.booleans())
@example(pages=[("", False), ("", False)], cut=1.0, flip=1, packed=True)  # warcio's many-line message
def test_warc(pages: list[tuple[str, bool]], cut: float, flip: int, packed: bool) -> None:
    payloads = [f"<html><body><article><p>{text}</p><p>{BODY}</p></article></body></html>".encode(
        "utf-8", "surrogatepass") for text, _ in pages]
    data = bytearray(_warc(payloads, [garbage for _, garbage in pages]))
    if flip % 3 == 0 and data:  # one byte damaged somewhere
        data[flip % len(data)] ^= 0xFF
    data = _cut(gzip.compress(bytes(data)) if packed else bytes(data), cut)
    ingest_bytes(data, "a.warc.gz" if packed else "a.warc")


# ------------------------------------------------------------------------------------- metadata parsers

@FUZZ
@given(value=texts | json_values)
@example(value="2024-13-45T99:99:99")
@example(value="Tue, 31 Feb 2023 25:61:00 +9999")
def test_metadata_parsers(value: object) -> None:
    date = normalise_date(value)
    assert date is None or (isinstance(date, str) and date[:4].isdigit())
    language = normalise_language(value)
    assert language is None or isinstance(language, str)
    if isinstance(value, str):
        assert detect_language(value) is None or isinstance(detect_language(value), str)
        parts = parse_text(value)
        assert isinstance(parts.body, str)
        assert not_prose(value) is None or isinstance(not_prose(value), str)
