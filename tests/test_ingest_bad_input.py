"""Bad input never raises: each bad item is one IngestError naming it, and the batch goes on."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from crossread.ingest import IngestError, ingest
from crossread.records import Article

BODY = (
    "The city council voted on Tuesday to approve a new budget that increases spending on public "
    "transport by ten percent, officials said. The mayor welcomed the decision."
)


def only(items: list) -> IngestError:
    assert len(items) == 1, items
    assert isinstance(items[0], IngestError), items[0]
    return items[0]


def run(*paths: Path | str, **kw) -> list:
    return list(ingest([str(p) for p in paths], **kw))


def test_missing_path_and_empty_glob(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    items = run(tmp_path / "nope.txt", tmp_path / "*.missing", good)
    assert items[0] == IngestError(str(tmp_path / "nope.txt"), "no such file or glob")
    assert items[1] == IngestError(str(tmp_path / "*.missing"), "no such file or glob")
    assert isinstance(items[2], Article) and items[2].text == BODY


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n\t \n", encoding="utf-8")
    items = run(tmp_path / "empty.txt", tmp_path / "blank.txt")
    assert items == [IngestError(str(tmp_path / "empty.txt"), "empty file"),
                     IngestError(str(tmp_path / "blank.txt"), "empty file")]


def test_binary_file(tmp_path: Path) -> None:
    f = tmp_path / "photo.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    g = tmp_path / "data.bin"
    g.write_bytes(b"abc\x00\x01\x02\x03" * 100)
    items = run(f, g)
    assert items == [IngestError(str(f), "binary file (not text)"), IngestError(str(g), "binary file (not text)")]


def test_over_limit_file_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(BODY * 50, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text(BODY, encoding="utf-8")
    items = run(big, small, max_bytes=1024)
    err = items[0]
    assert isinstance(err, IngestError) and err.item == str(big)
    assert err.reason.startswith("file too large (") and "> 1.0 KB limit)" in err.reason
    assert isinstance(items[1], Article)
    # default limit is expressed in MB
    (mb,) = run(big, max_bytes=2 * 1024 * 1024 - 1)  # under the limit -> fine
    assert isinstance(mb, Article)


def test_gzip_bomb_is_bounded(tmp_path: Path) -> None:
    f = tmp_path / "bomb.txt.gz"
    f.write_bytes(gzip.compress(b"a " * 100_000))
    err = only(run(f, max_bytes=10_000))
    assert err.item == str(f) and err.reason.startswith("file too large (decompressed")


def test_truncated_gzip(tmp_path: Path) -> None:
    f = tmp_path / "cut.html.gz"
    f.write_bytes(gzip.compress(("<html><body><p>" + BODY + "</p></body></html>").encode())[:20])
    err = only(run(f))
    assert err.item == str(f) and "corrupt gzip" in err.reason


def test_cp1252_smart_quotes(tmp_path: Path) -> None:
    f = tmp_path / "cp1252.txt"
    text = "The café owner said: “We are très happy” — and prices won’t rise. " + BODY
    f.write_bytes(text.encode("cp1252"))
    (a,) = run(f)
    assert isinstance(a, Article)
    assert "“We are très happy” — and prices won’t rise." in a.text


def test_latin1(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    text = "Le maire a déclaré que la sécurité était une priorité à Montréal. " + BODY
    f.write_bytes(text.encode("latin-1"))
    (a,) = run(f)
    assert "déclaré que la sécurité était une priorité à Montréal." in a.text


def test_utf16_with_bom_and_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "utf16.txt"
    f.write_bytes(("Über die Grenze: " + BODY).encode("utf-16"))  # writes a BOM
    g = tmp_path / "utf8bom.txt"
    g.write_bytes(b"\xef\xbb\xbf" + ("Über die Grenze: " + BODY).encode("utf-8"))
    a, b = run(f, g)
    assert a.text == b.text == "Über die Grenze: " + BODY
    assert "\ufeff" not in a.text


def test_mixed_encoding_keeps_good_text(tmp_path: Path) -> None:
    f = tmp_path / "mixed.txt"
    good = "Zürich officials — in a statement — said the café reopened. "
    bad = "The owner said “it’s a fresh start” for the résumé.".encode("cp1252")
    f.write_bytes(good.encode("utf-8") + b"\n\n" + bad + b"\n\n" + BODY.encode("utf-8"))
    (a,) = run(f)
    assert isinstance(a, Article)
    assert "Zürich officials — in a statement — said the café reopened." in a.text
    assert "The owner said “it’s a fresh start” for the résumé." in a.text
    assert "\ufffd" not in a.text


def test_truncated_html(tmp_path: Path) -> None:
    f = tmp_path / "cut.html"
    f.write_text('<!DOCTYPE html><html><head><title>Budget</title></head><body><div class="art', encoding="utf-8")
    g = tmp_path / "ok.txt"
    g.write_text(BODY, encoding="utf-8")
    items = run(f, g)
    assert items[0] == IngestError(str(f), "no article text found in HTML")
    assert isinstance(items[1], Article)


def test_broken_feed(tmp_path: Path) -> None:
    f = tmp_path / "broken.rss"
    f.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>X', encoding="utf-8")
    err = only(run(f))
    assert err.item == str(f) and err.reason.startswith("broken feed")


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    f = tmp_path / "config.xml"
    f.write_text('<?xml version="1.0"?><config><option name="a">1</option></config>', encoding="utf-8")
    err = only(run(f))
    assert err.item == str(f) and ("not an RSS/Atom feed" in err.reason or "feed" in err.reason)


def test_jsonl_non_object_line(tmp_path: Path) -> None:
    f = tmp_path / "x.ndjson"
    f.write_text("[1, 2]\n" + json.dumps({"text": BODY}) + "\n", encoding="utf-8")
    items = run(f)
    assert items[0] == IngestError(f"{f}#line 1", "not a JSON object (list)")
    assert isinstance(items[1], Article) and items[1].source == f"{f}#line 2"


def _warc_bytes(n: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for i in range(1, n + 1):
        html = f"<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1><p>{BODY}</p><p>Paragraph {i} adds detail on the vote and what comes next for the city.</p></article></body></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://planet.example/s{i}", "response",
                                                      payload=io.BytesIO(html.encode()), http_headers=headers))
    return buf.getvalue()


def test_truncated_warc_keeps_earlier_records(tmp_path: Path) -> None:
    data = _warc_bytes(2)
    f = tmp_path / "cut.warc"
    f.write_bytes(data[: len(data) - 150])  # cut inside the second record's payload
    items = run(f)
    assert isinstance(items[0], Article) and items[0].source == "https://planet.example/s1"
    errs = [i for i in items if isinstance(i, IngestError)]
    assert len(errs) == 1 and len(items) == 2
    assert errs[0].item in (f"{f}#record https://planet.example/s2", str(f))
    assert "truncated" in errs[0].reason or "corrupt" in errs[0].reason


def test_warc_cut_in_headers(tmp_path: Path) -> None:
    data = _warc_bytes(2)
    second = data.index(b"WARC/1", 10)
    f = tmp_path / "cut2.warc"
    f.write_bytes(data[: second + 40])  # second record ends inside its WARC headers
    items = run(f)
    assert isinstance(items[0], Article)
    err = items[-1]
    assert isinstance(err, IngestError) and err.item.startswith(str(f))
    assert "truncated" in err.reason or "corrupt" in err.reason


def test_garbage_warc(tmp_path: Path) -> None:
    f = tmp_path / "junk.warc"
    f.write_text("this is not a warc file at all\n" * 5, encoding="utf-8")
    err = only(run(f))
    assert err == IngestError(str(f), "not a WARC file (no WARC/ARC header)")


def test_jsonl_fields_that_are_no_text_are_skipped_and_one_bad_line_costs_only_itself(tmp_path) -> None:
    from crossread.ingest import IngestError, ingest

    good = "Another good article about the budget veto by the governor of the state on Monday."
    lines = ['{"text": [1, 2, 3]}', '{"text": [{"a": 1}]}', '{"text": "%s", "title": 5}' % good,
             "[" * 100_000,  # deeper than the JSON parser's recursion: this line only
             '{"text": "Lone \\udc80 surrogate in %s", "title": "T\\u0000itle"}' % good,
             '{"text": "%s"}' % good.replace("Monday", "Tuesday")]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(ingest([str(path)]))
    reasons = {i.item.rsplit("#", 1)[1]: i.reason for i in items if isinstance(i, IngestError)}
    assert reasons == {"line 1": "field 'text' is not text (a list of int)",
                       "line 2": "field 'text' is not text (a list of dict)",
                       "line 3": "field 'title' is not text (int)",
                       "line 4": "malformed JSON: nested too deeply"}
    articles = [i for i in items if not isinstance(i, IngestError)]
    assert len(articles) == 2
    assert articles[0].title == "Title" and "\ufffd" in articles[0].text  # cleaned as for files


def _make_unreadable(monkeypatch, *folders: Path) -> None:
    """``folders`` cannot be listed: by their mode bits, or (as root, whom mode bits do not stop) by
    os.scandir failing on them as it would."""
    import errno
    import os

    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(0)  # the caller gives the mode back
        return
    refused = {os.path.abspath(f) for f in folders}
    plain = os.scandir

    def scandir(path="."):  # noqa: ANN001, ANN202
        if os.path.abspath(os.fsdecode(path)) in refused:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return plain(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_folders_are_reported_and_the_readable_files_read(tmp_path: Path, monkeypatch) -> None:
    intake = tmp_path / "intake"
    (intake / "locked").mkdir(parents=True)
    (intake / "locked" / "hidden.txt").write_text(BODY, encoding="utf-8")
    (intake / "good.txt").write_text(BODY, encoding="utf-8")
    closed = tmp_path / "closed"
    closed.mkdir()
    _make_unreadable(monkeypatch, intake / "locked", closed)
    try:
        items = run(intake, closed)
    finally:
        for folder in (intake / "locked", closed):
            folder.chmod(0o755)
    assert isinstance(items[0], Article) and items[0].source == str(intake / "good.txt")
    reason = "cannot read this folder: Permission denied (the files in it are not read)"
    assert items[1:] == [IngestError(str(intake / "locked"), reason), IngestError(str(closed), reason)]
