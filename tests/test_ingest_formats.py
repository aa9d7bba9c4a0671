"""Each supported input format yields fully populated articles (real files built in tmp_path)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from crossread.ingest import IngestError, ingest
from crossread.records import Article, content_id

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

BODY_1 = (
    "The city council voted on Tuesday to approve a new budget that increases spending on public "
    "transport by ten percent, officials said."
)
BODY_2 = "The mayor welcomed the decision and said buses would run more often from next month."


def page(title: str, site: str, body: list[str], *, url: str = "https://planet.example/news/1", date: str = "2024-03-26T10:00:00Z") -> str:
    paras = "".join(f"<p>{p}</p>" for p in body)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} - {site}</title>'
        f'<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{date}"><link rel="canonical" href="{url}"></head>'
        f"<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>{title}</h1>{paras}"
        f"<p>Share this article</p></article><footer>Contact us</footer></body></html>"
    )


def articles(items: list) -> list[Article]:
    return [a for a in items if isinstance(a, Article)]


def errors(items: list) -> list[IngestError]:
    return [e for e in items if isinstance(e, IngestError)]


def check_populated(a: Article) -> None:
    assert a.id and a.source and a.text and a.format
    assert a.language == "en"
    for s in a.signals:
        assert a.text[s.start : s.end] == s.text


# --- plain text --------------------------------------------------------------------------------

def test_seed_000_title_then_outlet_and_disclaimer_signal() -> None:
    (a,) = list(ingest([str(SEEDS / "000_02b9c18878ebcd56.txt")]))
    assert isinstance(a, Article)
    check_populated(a)
    assert a.outlet == "ICARO Media Group"
    assert a.title == "Israeli Officials Express Concerns Over UN Vote as Hamas Meets with Iranian Leaders"
    assert a.format == "text" and a.source.endswith("000_02b9c18878ebcd56.txt")
    assert "ICARO Media Group" not in a.text and not a.text.startswith("Israeli Officials Express")
    assert a.text.startswith("In a highly publicized engagement")
    disclaimer = (
        "Disclaimer: The above article is based on the information provided by the user and does not "
        "include any additional research beyond that."
    )
    sigs = [s for s in a.signals if s.kind == "chatbot_disclaimer"]
    assert len(sigs) == 1
    assert sigs[0].text == disclaimer
    assert sigs[0].start == a.text.index(disclaimer) and sigs[0].end == sigs[0].start + len(disclaimer)
    assert a.text[sigs[0].start : sigs[0].end] == disclaimer


def test_seed_002_outlet_first_layout_and_chrome_removed() -> None:
    raw = (SEEDS / "002_33fe88b1c1d59f96.txt").read_text(encoding="utf-8")
    (a,) = list(ingest([str(SEEDS / "002_33fe88b1c1d59f96.txt")]))
    assert isinstance(a, Article)
    check_populated(a)
    assert a.outlet in ("All Israel", "All Israel News")
    assert a.title == "Iranian regime and Hamas celebrate UN resolution demanding Gaza ceasefire"
    assert a.signals == []
    reasons = {r.reason for r in a.removed}
    assert {"newsletter appeal", "donation appeal", "related-articles list", "dangling photo caption"} <= reasons
    by_text = {r.text: r.reason for r in a.removed}
    assert by_text["Receive latest news & updates"] == "newsletter appeal"
    assert by_text["Donate to ALL ISRAEL NEWS"] == "donation appeal"
    assert by_text["Popular Articles"] == "related-articles list"
    assert by_text["Latest Stories"] == "related-articles list"
    assert any(t.endswith("(Photo:") and r == "dangling photo caption" for t, r in by_text.items())
    assert by_text["The All Israel News Staff is a team of journalists in Israel."] == "author blurb"
    for chrome in ("Receive latest news", "Donate to", "For as little as $5", "Help us educate", "Popular Articles", "(Photo:"):
        assert chrome not in a.text
    # Every article sentence survives: the body paragraphs between the caption and the staff blurb.
    body = raw.split("(Photo:")[1].split("The All Israel News Staff")[0]
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    assert len(paragraphs) == 13
    for p in paragraphs:
        assert p in a.text, p
    assert a.text.endswith("about 25% of whom have already died.")
    # Paragraphs separated by one blank line.
    assert "\n\n\n" not in a.text and a.text.count("\n\n") == 12


def test_id_is_hash_of_extracted_text_before_cleaning(tmp_path: Path) -> None:
    body = f"{BODY_1}\n\n{BODY_2}\n\nShare this article"
    f = tmp_path / "a.txt"
    f.write_text(f"Council approves transport budget\nPlanet News\n\n{body}\n", encoding="utf-8")
    (a,) = list(ingest([str(f)]))
    assert a.id == content_id(body)
    assert a.removed[0].reason == "share bar"


def test_text_explicit_header_block(tmp_path: Path) -> None:
    f = tmp_path / "note.txt"
    f.write_text(
        "Title: Council approves transport budget\nSource: Planet News\nURL: https://planet.example/a\n"
        f"Published: March 26, 2024 10:00 UTC\n\n{BODY_1}\n\n{BODY_2}\n",
        encoding="utf-8",
    )
    (a,) = list(ingest([str(f)]))
    check_populated(a)
    assert a.title == "Council approves transport budget"
    assert a.outlet == "Planet News"
    assert a.url == "https://planet.example/a"
    assert a.published == "2024-03-26T10:00:00+00:00"
    assert a.text == f"{BODY_1}\n\n{BODY_2}"
    assert "Title:" not in a.text


def test_text_heuristic_header_with_date_and_byline(tmp_path: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text(
        f"Daily Planet Times\n\nCouncil approves a bigger budget for buses and trams\nBy Lois Lane\nMarch 26, 2024\n\n{BODY_1}\n{BODY_2}\n",
        encoding="utf-8",
    )
    (a,) = list(ingest([str(f)]))
    assert a.outlet == "Daily Planet Times"
    assert a.title == "Council approves a bigger budget for buses and trams"
    assert a.published == "2024-03-26"
    assert a.text == f"{BODY_1}\n\n{BODY_2}"


def test_hard_wrapped_text_is_rejoined(tmp_path: Path) -> None:
    wrapped = (
        "The city council voted on Tuesday to approve a new budget that\n"
        "increases spending on public transport by ten percent, officials\n"
        "said, after a long debate about fares and the state of the trams.\n"
    )
    f = tmp_path / "w.txt"
    f.write_text(wrapped + "\n" + BODY_2 + "\n", encoding="utf-8")
    (a,) = list(ingest([str(f)]))
    assert a.text.split("\n\n")[0] == " ".join(wrapped.split())


# --- HTML ----------------------------------------------------------------------------------------

def test_html_page(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(page("Council approves transport budget", "Daily Planet", [BODY_1, BODY_2]), encoding="utf-8")
    (a,) = list(ingest([str(f)]))
    check_populated(a)
    assert a.format == "html"
    assert a.title == "Council approves transport budget"
    assert a.outlet == "Daily Planet"
    assert a.url == "https://planet.example/news/1"
    assert a.published == "2024-03-26T10:00:00+00:00"  # the page states the time (article:published_time)
    assert a.text == f"{BODY_1}\n\n{BODY_2}"
    assert "Home" not in a.text and "Share this article" not in a.text


def test_html_gz_detected_by_magic(tmp_path: Path) -> None:
    f = tmp_path / "page.html.gz"
    f.write_bytes(gzip.compress(page("Gzipped budget story", "Daily Planet", [BODY_1, BODY_2]).encode()))
    (a,) = list(ingest([str(f)]))
    assert a.format == "html" and a.title == "Gzipped budget story"
    assert BODY_1 in a.text
    # magic bytes, not the name, decide: a gzip with an unhelpful name still works
    g = tmp_path / "blob.bin"
    g.write_bytes(gzip.compress(page("Gzipped budget story", "Daily Planet", [BODY_1, BODY_2]).encode()))
    (b,) = list(ingest([str(g)]))
    assert isinstance(b, Article) and b.format == "html"


# --- JSONL ---------------------------------------------------------------------------------------

def test_jsonl_good_bad_and_textless_lines(tmp_path: Path) -> None:
    f = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"text": f"{BODY_1}\n{BODY_2}", "title": "Budget passes", "outlet": "Planet News",
                    "url": "https://planet.example/j1", "published": "2024-03-26T09:30:00+01:00"}),
        '{"text": "broken", ',
        json.dumps({"title": "No body here", "url": "https://planet.example/j3"}),
        json.dumps({"html": page("HTML in JSONL", "Daily Planet", [BODY_1, BODY_2]), "language": "en"}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(ingest([str(f)]))
    assert len(items) == 4
    good = articles(items)
    assert [a.title for a in good] == ["Budget passes", "HTML in JSONL"]
    assert good[0].source == "https://planet.example/j1" and good[0].url == "https://planet.example/j1"
    assert good[0].outlet == "Planet News" and good[0].format == "jsonl"
    assert good[0].published == "2024-03-26T09:30:00+01:00"
    assert good[0].text == f"{BODY_1}\n\n{BODY_2}"
    assert good[1].outlet == "Daily Planet" and good[1].format == "jsonl"
    errs = errors(items)
    assert errs[0].item == f"{f}#line 2" and errs[0].reason.startswith("malformed JSON: ")
    assert errs[1].item == f"{f}#line 3" and "no 'text' or 'html'" in errs[1].reason


# --- feeds ---------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Planet Wire</title><link>https://planet.example</link><language>en-us</language>
<item><title>Budget passes</title><link>https://planet.example/r1</link>
<pubDate>Tue, 26 Mar 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;{b1}&lt;/p&gt;&lt;p&gt;{b2}&lt;/p&gt;</description></item>
<item><title>Empty one</title><link>https://planet.example/r2</link><description></description></item>
</channel></rss>""".format(b1=BODY_1, b2=BODY_2)

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet Atom</title><id>urn:x</id><updated>2024-03-26T10:00:00Z</updated>
<entry><title>Atom budget story</title><link href="https://planet.example/a1"/><id>urn:a1</id>
<updated>2024-03-26T11:00:00Z</updated><published>2024-03-26T10:30:00Z</published>
<content type="html">&lt;p&gt;{b1}&lt;/p&gt;&lt;p&gt;{b2}&lt;/p&gt;</content></entry>
</feed>""".format(b1=BODY_1, b2=BODY_2)


def test_rss_feed(tmp_path: Path) -> None:
    f = tmp_path / "news.rss"
    f.write_text(RSS, encoding="utf-8")
    items = list(ingest([str(f)]))
    (a,) = articles(items)
    check_populated(a)
    assert a.format == "rss" and a.outlet == "Planet Wire" and a.title == "Budget passes"
    assert a.url == a.source == "https://planet.example/r1"
    assert a.published == "2024-03-26T10:00:00+00:00"
    assert a.text == f"{BODY_1}\n\n{BODY_2}"
    (e,) = errors(items)
    assert e.item == f"{f}#entry 2" and "no article text" in e.reason


def test_atom_feed_as_xml(tmp_path: Path) -> None:
    f = tmp_path / "news.xml"
    f.write_text(ATOM, encoding="utf-8")
    (a,) = list(ingest([str(f)]))
    assert isinstance(a, Article)
    assert a.outlet == "Planet Atom" and a.title == "Atom budget story"
    assert a.url == "https://planet.example/a1" and a.published == "2024-03-26T10:30:00+00:00"
    assert a.text == f"{BODY_1}\n\n{BODY_2}"


# --- WARC ----------------------------------------------------------------------------------------

def write_warc(path: Path, pages: list[tuple[str, str]], *, gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for uri, html in pages:
            payload = html.encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
            writer.write_record(record)
        # a non-HTML response is skipped silently
        headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://planet.example/x.png", "response",
                                                      payload=io.BytesIO(b"\x89PNG...."), http_headers=headers))


PAGES = [
    ("https://planet.example/w1", page("First WARC story", "Daily Planet", [BODY_1, BODY_2], url="https://planet.example/w1")),
    ("https://planet.example/w2", page("Second WARC story", "Daily Planet", [BODY_2, BODY_1], url="https://planet.example/w2")),
]


@pytest.mark.parametrize("name,gz", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_two_html_responses(tmp_path: Path, name: str, gz: bool) -> None:
    f = tmp_path / name
    write_warc(f, PAGES, gz=gz)
    items = list(ingest([str(f)]))
    assert errors(items) == []
    got = articles(items)
    assert [a.title for a in got] == ["First WARC story", "Second WARC story"]
    assert [a.source for a in got] == ["https://planet.example/w1", "https://planet.example/w2"]
    assert all(a.format == "warc" and a.outlet == "Daily Planet" for a in got)
    assert got[0].text == f"{BODY_1}\n\n{BODY_2}"
    assert got[0].id != got[1].id


def test_directory_walk_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b.txt").write_text(BODY_1, encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text(BODY_2, encoding="utf-8")
    (tmp_path / ".secret.txt").write_text(BODY_2, encoding="utf-8")
    (tmp_path / ".hidden" / "c.txt").write_text(BODY_2, encoding="utf-8")
    items = list(ingest([str(tmp_path)]))
    assert [a.source for a in items] == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.txt")]
    # globs work too, and the same file named twice is read once
    items = list(ingest([str(tmp_path / "*.txt"), str(tmp_path / "b.txt")]))
    assert [a.source for a in items] == [str(tmp_path / "b.txt")]
