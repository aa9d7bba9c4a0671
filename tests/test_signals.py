"""Machine-generation signals: found with exact spans, and silent on human news."""

from __future__ import annotations

import json

import pytest

from crossread.ingest.signals import find_signals
from conftest import SEEDS, SHARED_DATA

HUMAN_NEWS = """The city council voted on Tuesday to approve a new budget that increases spending on public transport by ten percent, officials said.

"I'm sorry, but I can't comment on an ongoing investigation," a police spokesman told reporters. Based on the information provided by witnesses, the suspect fled on foot.

In conclusion, the report said, the agency had failed to act. The Justice Department said the article was based on interviews with 40 former employees.

As of my last visit to the plant in March, production had resumed, the inspector wrote. The company's AI language model business grew by 30 percent, and its chief executive said: "I am an AI optimist."

Here is the full statement from the White House. Sure, the mayor said, the tram will be late. The editor rewrote the article's headline after complaints [from readers].

Sen. Jane Doe (D-N.Y.) said the U.S. would not rewrite the article of the treaty."""


def test_zero_signals_on_human_news() -> None:
    assert find_signals(HUMAN_NEWS) == []


def test_icaro_seed_disclaimer_exact_span() -> None:
    text = (SEEDS / "000_02b9c18878ebcd56.txt").read_text(encoding="utf-8")
    disclaimer = ("Disclaimer: The above article is based on the information provided by the user and does not "
                  "include any additional research beyond that.")
    (sig,) = find_signals(text)
    assert sig.kind == "chatbot_disclaimer"
    assert sig.text == disclaimer
    assert sig.start == text.index(disclaimer) and sig.end == len(text.rstrip())
    assert text[sig.start : sig.end] == disclaimer


@pytest.mark.parametrize(
    "snippet,kind,span",
    [
        ("As an AI language model, I cannot browse the internet.", "ai_self_reference", None),
        ("I'm sorry, but I can't assist with that request.", "refusal", None),
        ("I cannot fulfill this request.", "refusal", None),
        ("As of my last knowledge update in 2023, the talks were ongoing.", "knowledge_cutoff", None),
        ("My training data only goes up to September 2021.", "knowledge_cutoff", None),
        ("Sure! Here's a rewritten version of the article.", "prompt_echo", None),
        ("Certainly! Here is the article you asked for.", "prompt_echo", None),
        ("This article was generated with the help of AI.", "chatbot_disclaimer", None),
        ("Contact [Your Name] for details.", "placeholder", "[Your Name]"),
        ("The summit opened in [Insert City Here] on Monday.", "placeholder", "[Insert City Here]"),
        ("Let me know if you need any further changes.", "meta_commentary", None),
    ],
)
def test_lexicon_families(snippet: str, kind: str, span: str | None) -> None:
    text = f"{HUMAN_NEWS.splitlines()[0]} {snippet} The mayor welcomed the decision."
    sigs = find_signals(text)
    assert [s.kind for s in sigs] == [kind]
    expected = span or snippet
    assert sigs[0].text == expected
    assert text[sigs[0].start : sigs[0].end] == expected


def test_zero_signals_on_basil_articles() -> None:
    folder = SHARED_DATA / "basil" / "articles"
    paths = sorted(folder.glob("*/*.json"))[:50]
    if not paths:
        pytest.skip(f"BASIL articles not found under {folder}")
    for path in paths:
        record = json.loads(path.read_text(encoding="utf-8"))
        text = "\n\n".join(" ".join(p) for p in record["body-paragraphs"])
        assert find_signals(text) == [], path.name


def test_eval_signals_command_counts_false_positives(tmp_path) -> None:
    from click.testing import CliRunner

    from crossread.cli import main

    text_dir = tmp_path / "polnear" / "data" / "dev" / "text"
    text_dir.mkdir(parents=True)
    (text_dir / "human.txt").write_text(HUMAN_NEWS, encoding="utf-8")
    (text_dir / "bot.txt").write_text(
        "The council met on Monday.\n\nAs an AI language model, I cannot browse the internet.", encoding="utf-8")
    out = tmp_path / "signals.json"
    result = CliRunner().invoke(main, ["eval", "signals", "--data", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["task"] == "signals"
    assert data["metrics"]["polnear_documents"] == 2
    assert data["metrics"]["polnear_signals"] == data["metrics"]["signals"] >= 1
    assert "bot.txt" in result.output and "human.txt" not in result.output
