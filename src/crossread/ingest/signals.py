"""Machine-generation tells: a lexicon of phrase *families*, each family a signal ``kind``.

A signal is evidence, never a verdict. The lexicon deliberately holds only strong tells —
phrases that chatbots emit and human news copy does not (an "In conclusion," or "delve" fires on
plenty of human prose, so such weak tells are excluded). ``tests/test_signals.py`` runs the
lexicon over human news text and requires zero hits.

Spans: families marked ``sentence`` report the whole sentence containing the match (a
disclaimer is evidence as a whole); the others report the match itself (e.g. ``[Your Name]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossread.records import Signal

__all__ = ["find_signals", "FAMILIES", "Family"]


@dataclass(frozen=True)
class Family:
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    span: str  # "sentence" or "match"


def _family(kind: str, span: str, *patterns: str) -> Family:
    return Family(kind, tuple(re.compile(p, re.IGNORECASE) for p in patterns), span)


_AI = r"(?:an? )?(?:AI|A\.I\.|artificial intelligence|(?:large )?language model|LLM|chatbot|ChatGPT|GPT-?\d?|Claude|Gemini|Bard|Copilot)"
_DOC = r"(?:article|text|content|story|piece|report|summary|post|news(?: article| story)?)"

FAMILIES: list[Family] = [
    _family(
        "chatbot_disclaimer",
        "sentence",
        r"\bbased (?:solely |only |entirely )?on the information (?:provided|given|supplied|shared) by the user\b",
        r"\b(?:above|this|following|preceding) " + _DOC + r" (?:is|was|has been) (?:based|written|generated|created) (?:solely |only |entirely )?(?:on|from|using) the (?:information|details|text|prompt) (?:provided|given|supplied|above)\b",
        r"\bdoes not include any (?:additional|further|external) (?:research|information|sources|fact-checking)\b",
        r"\b(?:this|the above|the following) " + _DOC + r" (?:was|has been|is) (?:generated|written|created|produced|drafted) (?:with the (?:help|assistance|aid) of|using|by) " + _AI + r"\b",
        r"\b(?:generated|written) (?:entirely |partly |in part )?by " + _AI + r" (?:and|based on)\b",
    ),
    _family(
        "ai_self_reference",
        "sentence",
        r"\bas an? (?:AI|A\.I\.|artificial intelligence)(?: language model| model| assistant| chatbot)?\b,? I\b",
        r"\bas an? (?:AI|large) language model\b",
        # "I am an AI" only as a self-description ("I am an AI optimist" is a human quote).
        r"\bI(?: am|'m) (?:just |only )?an? (?:AI|A\.I\.|artificial intelligence)(?: language model| model| assistant| chatbot)?(?=\s*[,.;:!]|\s+(?:and|so|I|developed|created|trained|designed|built|made|with|without|that|which)\b)",
        r"\bI(?: am|'m) (?:a )?(?:large )?language model\b",
        r"\bI (?:do not|don't) have (?:personal )?(?:opinions|feelings|beliefs|emotions) (?:or|as an)\b",
    ),
    _family(
        "refusal",
        "sentence",
        r"\bI(?:'m| am) sorry,? but I (?:can(?:'|no)t|cannot|am unable to|am not able to|won't) (?:assist|help|fulfill|fulfil|comply|provide|create|generate|write|complete|produce|rewrite|continue)\b",
        r"\bI (?:cannot|can't|can not|am unable to|won't be able to) (?:fulfill|fulfil|comply with|complete|assist with|help with) (?:this|that|your) (?:request|task|prompt)\b",
        r"\bI(?:'m| am) (?:not able|unable) to (?:assist|help) with (?:this|that|your) (?:request|task)\b",
        r"\bI apologi[sz]e,? but I (?:can(?:'|no)t|cannot|am unable to)\b",
    ),
    _family(
        "knowledge_cutoff",
        "sentence",
        r"\bas of my (?:last |latest |most recent )?(?:knowledge |training )?(?:update|cut-?off|training)\b",
        r"\bmy (?:training data|training|knowledge)(?: base)? (?:only )?(?:goes|extends|is current|runs|is limited) (?:up )?(?:to|until|through)\b",
        r"\bmy knowledge cut-?off\b",
        r"\bI (?:do not|don't) have (?:access to )?(?:real-time|current|live|up-to-date) (?:information|data|news|updates)\b",
    ),
    _family(
        "prompt_echo",
        "sentence",
        r"(?:^|(?<=[\n.!?] ))(?:Sure|Certainly|Absolutely|Of course|Okay|OK)[!,.]\s+(?:here(?:'s| is| are)|below is|I(?:'ve| have))\b",
        r"\bhere(?:'s| is) (?:a|an|the|your) (?:re-?written|revised|paraphrased|rephrased|reworded|summari[sz]ed|updated|new|shorter|longer|edited|polished|improved|expanded) (?:version of (?:the|your) )?" + _DOC + r"\b",
        r"\b(?:I(?:'ve| have)|I will|I'll|let me) (?:re-?written|rewrit(?:e|ten)|paraphrased?|rephrased?|revised?|reworded?) (?:the|your|this) " + _DOC + r"\b",
        r"\bre-?write(?:d)? the " + _DOC + r" (?:as requested|for you|in a|to be|with)\b",
    ),
    _family(
        "placeholder",
        "match",
        r"\[(?:Insert|Your|Add|Enter|Include|Name of|Link to)\b[^\]\n]{0,60}\]",
        r"\[(?:Name|Date|Company(?: Name)?|Location|City|Country|Source|Link|URL|Author|Title|Organization|Reporter)\]",
    ),
    _family(
        "meta_commentary",
        "sentence",
        r"\b(?:I hope (?:this|that) (?:helps|article|rewrite|version|meets your)|let me know if you (?:need|would like|want|have) (?:any )?(?:further |more |additional |other )?(?:changes|modifications|edits|revisions|assistance|adjustments|help))\b",
        r"\b(?:please )?note(?: that)?:? (?:this|the) " + _DOC + r" is (?:a )?(?:fictional|hypothetical|fabricated|generated)\b",
        r"\bfeel free to (?:modify|adjust|edit|customi[sz]e) (?:this|the|it)\b",
    ),
]

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace,
# or at a paragraph break.
_SENT_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)|\n")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Col|Lt|Sgt|Rep|Sen|Gov|No|vs|etc|U\.S|U\.K|U\.N|Oct|Nov|Dec|Jan|Feb|Aug|Sept?)\.|\b[A-Z]\.)$")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence containing ``text[start:end]``."""
    s = 0
    for m in _SENT_END.finditer(text, 0, start):
        if m.group() == "\n" or not _ABBREV.search(text[max(0, m.start() - 6) : m.end()]):
            s = m.end()
    while s < start and text[s].isspace():
        s += 1
    e = len(text)
    pos = end
    while True:
        m = _SENT_END.search(text, pos)
        if not m:
            break
        if m.group() == "\n":
            e = m.start()
            break
        if not _ABBREV.search(text[max(0, m.start() - 6) : m.end()]):
            e = m.end()
            break
        pos = m.end()
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def find_signals(text: str) -> list[Signal]:
    """All machine-generation tells in ``text``, sorted by offset; one per (kind, span)."""
    found: dict[tuple[str, int, int], Signal] = {}
    for family in FAMILIES:
        for pattern in family.patterns:
            for match in pattern.finditer(text):
                start, end = match.start(), match.end()
                if family.span == "sentence":
                    start, end = _sentence_bounds(text, start, end)
                key = (family.kind, start, end)
                if key not in found:
                    found[key] = Signal(kind=family.kind, text=text[start:end], start=start, end=end)
    return _merge_adjacent(sorted(found.values(), key=lambda s: (s.start, s.end, s.kind)), text)


def _merge_adjacent(signals: list[Signal], text: str) -> list[Signal]:
    """One signal per run of same-kind spans that overlap or touch ("Sure! Here's the article.")."""
    merged: list[Signal] = []
    for sig in signals:
        prev = next((m for m in reversed(merged) if m.kind == sig.kind), None)
        if prev is not None and sig.start <= prev.end + 2 and not text[prev.end : sig.start].strip():
            prev.end = max(prev.end, sig.end)
            prev.text = text[prev.start : prev.end]
            continue
        merged.append(sig)
    return sorted(merged, key=lambda s: (s.start, s.end, s.kind))
