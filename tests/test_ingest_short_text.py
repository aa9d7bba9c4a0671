"""A page whose extracted text is suspiciously short against its visible text: a warning and a second extraction."""

from __future__ import annotations

import logging

import pytest

from crossread.ingest import html as html_mod
from crossread.ingest.html import extract_html, visible_text_length

LINKS = "".join(f'<li><a href="/s{i}">Story number {i} about the regional council budget and the harbour plans</a></li>'
                for i in range(60))
CAPTION = "The old ferry pier at Port Alder, photographed from the northern quay on Tuesday morning."
BODY = ("The harbour council voted on Tuesday to close the old ferry pier after engineers found deep cracks in its "
        "concrete supports. Council chair Maren Holt said the decision was painful but unavoidable, because the "
        "pier had carried passengers since 1954. A temporary landing will open next month on the northern quay. ")


def _page(article: str) -> str:
    return (f"<html><head><title>Pier</title><style>body {{ color: red }}</style></head><body><nav><ul>{LINKS}</ul></nav>"
            f"{article}<footer>{LINKS}</footer><script>var x = 1;</script></body></html>")


def test_visible_text_leaves_out_head_scripts_and_styles() -> None:
    assert visible_text_length("<html><head><title>T</title></head><body><p>a  b</p><script>xx</script></body></html>") == 3


def test_a_short_text_on_a_long_page_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        # a caption and one span of text: trafilatura finds little more than the caption
        parts = extract_html(_page(f'<div class="photo"><p>{CAPTION}</p></div><div><div><span>{BODY[:200]}</span></div></div>'),
                             name="pier.html")
    assert parts is not None and parts.text.startswith(CAPTION) and len(parts.text) < 300
    assert parts.warning and f"({len(parts.text)} characters of " in parts.warning
    assert any(r.getMessage().startswith("pier.html: extracted text is suspiciously short") for r in caplog.records)


def test_a_full_article_is_not_warned_about() -> None:
    parts = extract_html(_page("".join(f"<p>{BODY}</p>" for _ in range(3))))
    assert parts is not None and parts.warning is None


def test_the_second_extraction_is_kept_when_it_finds_more(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []

    def fake(html: str, url: str | None, **options: bool) -> dict:
        calls.append(options)
        return {"text": BODY if options.get("favor_recall") else CAPTION, "title": "Pier"}

    monkeypatch.setattr(html_mod, "_bare_extraction", fake)
    parts = extract_html(_page(f"<p>{CAPTION}</p>"))
    assert calls == [{}, {"favor_recall": True}]
    assert parts is not None and parts.text == BODY.strip()
    assert "re-extracted favouring recall" in (parts.warning or "")
