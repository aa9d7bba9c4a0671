"""The report shows how sure each record is, and can leave out what falls below a threshold."""

from __future__ import annotations

from pathlib import Path

from crossread.records import Analysis, Article, Claim, ClaimRelation, Event, Evidence, Quote, Story
from crossread.report import render_report, write_report

TEXT = ("The council approved the harbour plan on Monday. Critics said the vote was rushed.\n\n"
        "“We will appeal,” said Lena Ortiz.")


def analysis() -> Analysis:
    article = Article(id="a1", source="a1", outlet="Daily", title="Harbour plan", published="2024-05-06",
                      language="en", text=TEXT)

    def ev(fragment: str) -> Evidence:
        start = TEXT.index(fragment)
        return Evidence("a1", start, start + len(fragment), fragment)

    sure = Claim(id="claim_sure", text="The council approved the harbour plan on Monday", attributed_to=None,
                 evidence=[ev("The council approved the harbour plan on Monday")], outlets=["Daily"],
                 relations=[ClaimRelation("a1", "Daily", "supports", 1.0, ev("The council approved the harbour plan on Monday"),
                                          confidence=1.0)], confidence=0.93)
    doubtful = Claim(id="claim_doubt", text="the vote was rushed", attributed_to=None,
                     evidence=[ev("the vote was rushed")], outlets=["Daily"], confidence=0.31)
    quote = Quote(id="quote_1", speaker=None, speaker_text="Lena Ortiz", cue="said", content="“We will appeal,”",
                  kind="direct", evidence=ev("“We will appeal,”"), outlets=["Daily"], confidence=0.0)
    event = Event(id="event_1", plover="AGREE", mode=None, cameo="030", source=[], target=[], trigger="approved",
                  evidence=[ev("The council approved the harbour plan on Monday.")], outlets=["Daily"], confidence=0.9)
    return Analysis(articles=[article], claims=[sure, doubtful], quotes=[quote], events=[event],
                    stories=[Story("story_1", "Harbour plan", ["a1"])])


def test_every_record_shows_its_confidence_and_low_ones_are_flagged() -> None:
    html = render_report(analysis())
    assert '<span class="conf"' in html and ">0.93<" in html and ">0.90<" in html
    assert '<span class="conf low"' in html and ">0.31<" in html


def test_min_confidence_leaves_out_what_falls_below(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_report(analysis(), path, min_confidence=0.5)
    html = path.read_text(encoding="utf-8")
    assert "The council approved the harbour plan on Monday" in html
    assert "claim_doubt" not in html and ">0.31<" not in html
    assert "We will appeal" in html  # the article text itself is still shown
    assert ">0.00<" not in html  # the unattributed quote record is left out


def test_report_command_takes_a_confidence_threshold(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crossread.cli import main
    from tests.conftest import SEEDS

    out = tmp_path / "demo"
    assert CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(out)]).exit_code == 0
    every = (out / "report.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(out), "--min-confidence", "0.9", "-o", str(tmp_path / "sure.html")])
    assert result.exit_code == 0, result.output
    sure = (tmp_path / "sure.html").read_text(encoding="utf-8")
    assert 'class="conf' in every and len(sure) < len(every)
    assert '<span class="conf low"' not in sure  # nothing under 0.5 is left
    bad = CliRunner().invoke(main, ["report", str(out), "--min-confidence", "2"])
    assert bad.exit_code == 2
