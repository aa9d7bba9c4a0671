"""Chrome removal with an audit trail, and no loss of real article sentences."""

from __future__ import annotations

import json

import pytest

from crossread.ingest.clean import clean_text
from conftest import SHARED_DATA

NEWS = [
    "The city council voted on Tuesday to approve a new budget that increases spending on public transport by ten percent, officials said.",
    "The mayor, who signed up for the council's newsletter in 2019, said the photo of the flooded station had changed her mind.",
    "Help us understand what happened, the victims' families urged investigators at a press conference on Monday.",
    "Related coverage of the vote drew thousands of readers, according to the paper's editor.",
    "A non-profit group that supports independent journalism said it would donate $5,000 to the local newsroom.",
    "Reuters reported that the agency's staff is a team of journalists working in 20 countries.",
]


def test_real_news_sentences_are_kept() -> None:
    text = "\n\n".join(NEWS)
    cleaned, removed = clean_text(text)
    assert removed == []
    assert cleaned == text


@pytest.mark.parametrize(
    "line,reason",
    [
        ("Receive latest news & updates", "newsletter appeal"),
        ("Sign up for our newsletter", "newsletter appeal"),
        ("Subscribe to our daily briefing and get the news in your inbox", "newsletter appeal"),
        ("Donate to THE PLANET", "donation appeal"),
        ("For as little as $5, you can support the Planet, a non-profit newsroom funded by readers like you.", "donation appeal"),
        ("A message from The Daily Planet", "donation appeal"),
        ("Popular Articles", "related-articles list"),
        ("Latest Stories", "related-articles list"),
        ("Read more: Council approves budget", "related-articles list"),
        ("Chairman of the board, John Doe, speaking in Paris (Photo:", "dangling photo caption"),
        ("Photo: Jane Roe / Reuters", "dangling photo caption"),
        ("Share this article", "share bar"),
        ("Facebook Twitter Email", "share bar"),
        ("We use cookies to improve your experience on our site.", "cookie notice"),
        ("The Planet Staff is a team of journalists in Metropolis.", "author blurb"),
        ("Advertisement", "advertisement"),
        ("© 2024 Daily Planet. All rights reserved.", "copyright notice"),
    ],
)
def test_chrome_lines_removed_with_reason(line: str, reason: str) -> None:
    text = f"{NEWS[0]}\n\n{line}\n\n{NEWS[2]}" if reason != "related-articles list" or ":" in line else f"{NEWS[0]}\n\n{NEWS[2]}\n\n{line}"
    cleaned, removed = clean_text(text)
    assert [(r.text, r.reason) for r in removed] == [(line, reason)]
    assert line not in cleaned
    assert NEWS[0] in cleaned and NEWS[2] in cleaned


def test_appeal_block_and_site_name_in_context() -> None:
    chrome = [
        "The Planet Staff is a team of journalists in Metropolis.",
        "Daily Planet",
        "Receive latest news & updates",
        "A message from Daily Planet",
        "Help us educate readers every day about what is happening in Metropolis.",
        "Donate to DAILY PLANET",
        "Popular Articles",
        "Mayor opens new tram line",
        "Council approves budget",
    ]
    text = "\n\n".join(NEWS[:2] + chrome)
    cleaned, removed = clean_text(text)
    assert cleaned == "\n\n".join(NEWS[:2])
    assert [r.text for r in removed] == chrome
    reasons = [r.reason for r in removed]
    assert reasons == ["author blurb", "site name", "newsletter appeal", "donation appeal", "donation appeal",
                       "donation appeal", "related-articles list", "related-articles list", "related-articles list"]


def test_outlet_hint_and_repeated_headline() -> None:
    text = "Council approves budget\n" + NEWS[0] + "\nThe Daily Planet\n"
    cleaned, removed = clean_text(text, outlet="The Daily Planet", title="Council approves budget")
    assert cleaned == NEWS[0]
    assert [(r.text, r.reason) for r in removed] == [("Council approves budget", "repeated headline"), ("The Daily Planet", "site name")]


def test_whitespace_normalised_to_paragraphs() -> None:
    cleaned, _ = clean_text("  First   paragraph\u00a0here.  \r\n\r\n\n\n  Second\tparagraph.\nThird line.  ")
    assert cleaned == "First paragraph here.\n\nSecond paragraph.\n\nThird line."


def test_basil_articles_lose_nothing_substantive() -> None:
    articles = sorted((SHARED_DATA / "basil" / "articles").glob("*/*.json"))
    if not articles:
        pytest.skip(f"BASIL articles not found under {SHARED_DATA / 'basil' / 'articles'}")
    for path in articles[:50]:
        record = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [" ".join(p) for p in record["body-paragraphs"]]
        cleaned, removed = clean_text("\n".join(paragraphs), title=record.get("title"))
        # Only a repeated headline may go; every sentence of the body stays.
        assert all(r.reason == "repeated headline" for r in removed), (path.name, removed)
        for p in paragraphs:
            if p.strip() and p.strip() != (record.get("title") or "").strip():
                assert " ".join(p.split()) in cleaned, (path.name, p)


BODY = ("The council voted on Tuesday to close the old ferry pier after engineers found cracks in its supports. "
        "The chair said the decision was painful but unavoidable.")


@pytest.mark.parametrize("line, reason", [
    ("Subscribe to continue reading", "paywall prompt"),
    ("You have 2 free articles remaining this month.", "paywall prompt"),
    ("You've read one of your free articles.", "paywall prompt"),
    ("This copy is for your personal, non-commercial use only. To order copies, visit www.djreprints.com.", "paywall prompt"),
    ("Read more: Alibaba poised to launch record-breaking $13.4bn Hong Kong listing", "related-articles list"),
    ("Related: From Big Bang to Present: Snapshots of Our Universe Through Time", "related-articles list"),
    ("You may also like...", "related-articles list"),
    ("Sign up for our newsletter", "newsletter appeal"),
    ("Our Standards: The Thomson Reuters Trust Principles.", "trust principles"),
    ("(Reporting by Will Dunham; Editing by Tom Brown)", "reporting credits"),
    ("Photo: Jane Roe/Reuters", "dangling photo caption"),
    ("Getty Images", "dangling photo caption"),
    ("President Biden speaks in the Rose Garden on Monday. (AP Photo/Evan Vucci)", "photo caption"),
    ("Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and Instagram.", "social follow"),
    ("Write to Al Root at allen.root@dowjones.com", "author blurb"),
    ("Tempo de leitura: 2 minutos", "reading time"),
])
def test_boilerplate_that_survives_trafilatura_goes_with_its_reason(line: str, reason: str) -> None:
    text, removed = clean_text(f"{BODY}\n\n{line}\n\nThe ferry company expects timetables to stay the same.")
    assert line not in text and BODY in text and "timetables" in text
    assert [(r.text, r.reason) for r in removed] == [(line, reason)]


@pytest.mark.parametrize("line", [
    "Readers who subscribe to continue reading the paper in print were told prices would rise next year.",
    "The paper said it had read more than 2,000 letters from readers before it changed its mind.",
    "Related: the two cases were heard by the same judge. Both ended in acquittals.",
    "More: the minister said the plan would be published in full before the end of the month.",
    "A photographer for AP said the crowd had grown to several thousand by noon.",
    "Reporting by the Times found that the agency had ignored the warnings.",
    "Getty Images, the photo agency, said it would appeal the ruling.",
])
def test_sentences_that_mention_such_things_stay(line: str) -> None:
    text, removed = clean_text(f"{BODY}\n\n{line}")
    assert line in text and removed == []
