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


def test_a_recursive_glob_reports_the_folders_it_cannot_read(tmp_path: Path, monkeypatch) -> None:
    intake = tmp_path / "intake"
    (intake / "a" / "locked").mkdir(parents=True)
    (intake / "a" / "locked" / "hidden.txt").write_text(BODY, encoding="utf-8")
    (intake / "a" / "good.txt").write_text(BODY, encoding="utf-8")
    _make_unreadable(monkeypatch, intake / "a" / "locked")
    try:
        items = run(f"{intake}/**/*.txt")
    finally:
        (intake / "a" / "locked").chmod(0o755)
    assert isinstance(items[0], Article) and items[0].source == str(intake / "a" / "good.txt")
    assert items[1:] == [IngestError(str(intake / "a" / "locked"),
                                     "cannot read this folder: Permission denied (the files in it are not read)")]


NAV_PAGE = ("<html><head><title>Example News</title></head><body><nav><ul>"
            + "".join(f"<li><a href='/{w.lower()}'>{w}</a></li>" for w in "Home World Sport Business Culture".split())
            + "</ul></nav><div><p>Home | World | Sport | Business | Culture | Travel</p>"
            "<p>Contact Us | About | Privacy Policy | Terms of Use</p></div></body></html>")
ACCESS_LOG = "\n".join(f'192.168.1.{i} - - [10/Oct/2023:13:55:{i:02d} +0000] "GET /news/{i}.html HTTP/1.1" 200 '
                       f'{2300 + i} "-" "Mozilla/5.0 (X11; Linux x86_64)"' for i in range(40)) + "\n"
CSV_ROWS = "id,name,city,population\n" + "".join(f"{i},Person {i},Springfield,{1000 * i}\n" for i in range(30))


def garbage_files(folder: Path) -> dict[str, str]:
    """Files that decode as text but are no article, with the reason each is skipped."""
    import random

    rng = random.Random(19)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "random.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    (folder / "menu.html").write_text(NAV_PAGE, encoding="utf-8")
    (folder / "word.txt").write_text("hello\n", encoding="utf-8")
    (folder / "access.txt").write_text(ACCESS_LOG, encoding="utf-8")
    (folder / "table.txt").write_text(CSV_ROWS, encoding="utf-8")
    (folder / "lines.jsonl").write_text(json.dumps({"text": "Home World Sport Business Culture Travel"}) + "\n",
                                        encoding="utf-8")
    return {
        "access.txt": "a log (its lines start with a time, an address or a level), not prose",
        "lines.jsonl#line 1": "no running prose (a menu, a list of links or headings, not an article)",
        "menu.html": "no running prose (a menu, a list of links or headings, not an article)",
        "random.txt": "unreadable text (mixed scripts and symbols: a wrong encoding, or binary data?)",
        "table.txt": "a table (lines of 4 comma-separated fields), not prose",
        "word.txt": "too short to be an article (1 word)",
    }


def test_text_that_is_no_article_is_skipped_with_what_it_is(tmp_path: Path) -> None:
    expected = garbage_files(tmp_path / "junk")
    (tmp_path / "junk" / "good.txt").write_text(BODY, encoding="utf-8")
    items = run(tmp_path / "junk")
    reasons = {i.item[len(str(tmp_path / "junk")) + 1:]: i.reason for i in items if isinstance(i, IngestError)}
    assert reasons == expected
    assert [a.text for a in items if isinstance(a, Article)] == [BODY]


def test_short_and_unusual_real_articles_are_still_articles(tmp_path: Path) -> None:
    from crossread.ingest.prose import not_prose

    real = [
        "Talks resumed today. Both sides said progress was made.",  # a two-sentence wire item
        "U.S., BRENT CRUDE FUTURES EXTEND GAINS ON UNCONFIRMED RUMOR OF PIPELINE EXPLOSION IN SAUDI ARABIA",
        "Le gouvernement a annoncé mardi une hausse du budget de la santé, a déclaré le ministre.",
        "Die Regierung hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
        "Правительство в среду одобрило новый бюджет, сообщили в министерстве финансов.",
        "الحكومة وافقت يوم الثلاثاء على الميزانية الجديدة للعام المقبل، بحسب وزير المالية",
        "政府は火曜日、来年度の予算案を閣議決定した。財務大臣が記者会見で明らかにした。",
        # an article with a results table in it, as the HTML extraction writes tables
        "The standings after the race are below, with the leader ahead by twelve points.\n"
        + "\n".join(f"| {i} | Driver {i} | {100 - i} |" for i in range(1, 9)),
        # a scraped page with code in it is still the article around the code
        "The mayor said the plan would pass. " * 5 + "(function(d, s, id) { var js = d.createElement(s); })",
        "Prices rose 4.5% to $1,203.40 in May, up from $1,151.90 in April, the agency said on Monday.",
    ]
    assert [not_prose(text) for text in real] == [None] * len(real)


def _feed(n: int) -> str:
    items = "".join(f"<item><title>Story {i}</title><link>https://news.example/{i}</link>"
                    f"<description>{BODY} Story {i} adds detail.</description></item>" for i in range(1, n + 1))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>{items}</channel></rss>'


def test_a_feed_cut_off_keeps_its_whole_entries_and_says_what_is_lost(tmp_path: Path) -> None:
    whole = _feed(3)
    after_item = tmp_path / "after.rss"
    after_item.write_text(whole[:whole.index("<item>", whole.index("Story 2"))], encoding="utf-8")
    inside_item = tmp_path / "inside.rss"
    inside_item.write_text(whole[:whole.index("Story 3 adds")], encoding="utf-8")
    items = run(after_item, inside_item)
    assert [a.url for a in items if isinstance(a, Article)] == [f"https://news.example/{i}" for i in (1, 2)] * 2
    assert [i for i in items if isinstance(i, IngestError)] == [
        IngestError(str(after_item), "the feed is cut off after entry 2 (no closing tag): anything after it is lost"),
        IngestError(f"{inside_item}#entry 3", "the feed is cut off inside this entry: it and anything after it are lost"),
    ]
    whole_file = tmp_path / "whole.rss"
    whole_file.write_text(whole.replace("Story 1 adds", "Story 1 &nbsp; adds"), encoding="utf-8")  # not well-formed, whole
    assert all(isinstance(i, Article) for i in run(whole_file)) and len(run(whole_file)) == 3


def test_a_warc_record_with_garbage_http_headers_is_reported_and_the_others_read(tmp_path: Path) -> None:
    good = _warc_bytes(2)
    second = good.index(b"WARC/1", 10)
    html = f"<html><body><article><p>{BODY}</p></article></body></html>".encode()
    payload = b"\x00\xffgarbage headers\x01\r\nnot a header line\r\n\r\n" + html
    bad = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://planet.example/bad\r\n"
           b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000b>\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
           b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(payload)
           + payload + b"\r\n\r\n")
    f = tmp_path / "mixed.warc"
    f.write_bytes(good[:second] + bad + good[second:])
    items = run(f)
    assert [a.source for a in items if isinstance(a, Article)] == ["https://planet.example/s1",
                                                                   "https://planet.example/s2"]
    assert [i for i in items if isinstance(i, IngestError)] == [IngestError(
        f"{f}#record https://planet.example/bad",
        "unreadable HTTP headers (status line '\\x00\\xffgarbage headers\\x01'): record not read")]


def test_a_cut_jsonl_gz_keeps_the_lines_read_whole_and_says_what_is_lost(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"{BODY} Line {i} adds detail.", "url": f"https://x.example/{i}"}) + "\n"
                    for i in range(1, 40))
    packed = gzip.compress(lines.encode("utf-8"))
    f = tmp_path / "dump.jsonl.gz"
    f.write_bytes(packed[: len(packed) * 2 // 3])
    items = run(f)
    articles = [a for a in items if isinstance(a, Article)]
    assert articles and [a.url for a in articles] == [f"https://x.example/{i}" for i in range(1, len(articles) + 1)]
    (err,) = [i for i in items if isinstance(i, IngestError)]
    assert err.item == str(f) and err.reason.startswith("the gzip file is cut off or corrupt after ")
    assert err.reason.endswith("what follows is lost")


def test_a_warc_gzipped_whole_reads_every_record(tmp_path: Path) -> None:
    f = tmp_path / "crawl.warc.gz"
    f.write_bytes(gzip.compress(_warc_bytes(3)))  # one gzip member, not one per record
    assert [a.source for a in run(f)] == [f"https://planet.example/s{i}" for i in (1, 2, 3)]
