"""Is it an article? Garbage that decodes as text (mojibake, a log, a CSV, a navigation menu, a word)
must not be stored as one.

An article is running prose: words of one script each, mostly letters, some of them in sentences
(several words, not all capitalised like a menu, or ending like a sentence), and not the repeated
line shape of a table or a log. The rules are deliberately loose — a short wire item of two sentences
passes — and each rejection names what the text looks like instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["not_prose"]

_SAMPLE = 20_000  # characters looked at: enough to tell, and bounded for huge inputs
_MIN_WORDS = 4  # fewer words than a headline is no article
_SENTENCE_WORDS = 5  # words of the shortest unpunctuated run that counts as running prose
_SHORT_SENTENCE_WORDS = 3  # words of the shortest sentence ending like one ("Talks resumed today.")
_MIN_PROSE_SHARE = 0.2  # of the words, in sentences (a page of links with one sentence is no article)
_MIN_LETTERS = 0.5  # of the non-space characters
_MAX_GARBLED = 0.4  # of the non-space characters, in non-ASCII tokens that are no plausible words
_MAX_WORD = 30  # characters of a plausible word ("Donaudampfschifffahrt" fits; mojibake runs do not)

_SEGMENT = re.compile(r"[^.!?…\n]+[.!?…]*[\"'”’)\]]*")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_LOG_LINE = re.compile(
    r"^\s*(?:\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\s"  # an IPv4 or IPv6 address
    r"|\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"  # an ISO time
    r"|\[?\d{1,2}/\w{3}/\d{4}:\d{2}:\d{2}"  # a web server's time
    r"|\[?[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}"  # a syslog time
    r"|\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b)")
# not "|": that is how a page's tables come out of the HTML extraction, inside real articles
_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
# letters of scripts written without spaces between words: word rules do not apply to them
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


def not_prose(text: str) -> str | None:
    """Why ``text`` (an article's cleaned text) is not an article, or None when it reads as one."""
    sample = text[:_SAMPLE]
    lines = [line.strip() for line in sample.split("\n") if line.strip()]
    shaped = _table_or_log(lines)
    if shaped:
        return shaped
    visible = [c for c in sample if not c.isspace()]
    if not visible:
        return "no article text found"
    letters = [c for c in visible if c.isalpha()]
    if len(letters) < _MIN_LETTERS * len(visible):
        return f"mostly digits and symbols ({100 * len(letters) // len(visible)}% letters): not prose"
    unspaced = sum(1 for c in letters if _script(c) in _UNSPACED)
    if unspaced > len(letters) / 2:
        return None if len(letters) >= 2 * _MIN_WORDS else "too short to be an article"
    tokens = sample.split()
    # only non-ASCII tokens: ASCII junk (code, URLs) in a scraped page is not a wrong encoding
    garbled = sum(len(t) for t in tokens if not t.isascii() and not _plausible_word(t))
    if garbled > _MAX_GARBLED * len(visible):
        return "unreadable text (mixed scripts and symbols: a wrong encoding, or binary data?)"
    words = [t for t in tokens if any(c.isalpha() for c in t)]
    if len(words) < _MIN_WORDS:
        return f"too short to be an article ({len(words)} word{'s' if len(words) != 1 else ''})"
    in_sentences = sum(n for n in map(_sentence_words, _SEGMENT.findall(sample)) if n)
    if in_sentences < max(_MIN_WORDS, _MIN_PROSE_SHARE * len(words)):
        return "no running prose (a menu, a list of links or headings, not an article)"
    return None


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def _plausible_word(token: str) -> bool:
    """A token that reads as a word (or a number): letters of one script, digits and the punctuation
    words carry, at most :data:`_MAX_WORD` characters."""
    core = token.strip("\"'“”‘’«»()[]{}<>.,;:!?…-–—*/#@%&+=~|")
    if not core:
        return True  # punctuation alone: a dash, an ellipsis
    if len(core) > _MAX_WORD:
        return False
    scripts = set()
    for c in core:
        if c.isalpha():
            scripts.add(_script(c))
        elif not (c.isdigit() or c in "'’.-–,:/&%$€£+@_"):
            return False
    return len(scripts) <= 1 or scripts <= {"LATIN", "DIGIT"}


def _sentence_words(segment: str) -> int:
    """Words of ``segment`` when it reads as a sentence: enough words, and either ending like one or not
    capitalised word by word like a menu or a heading; 0 otherwise."""
    words = [w for w in segment.split() if any(c.isalpha() for c in w)]
    if _TERMINAL.search(segment.strip()):
        return len(words) if len(words) >= _SHORT_SENTENCE_WORDS else 0
    if len(words) < _SENTENCE_WORDS:
        return 0
    # a menu or a heading is capitalised word by word; prose (and an all-caps wire flash) is not
    lower = sum(1 for w in words if not w.lstrip("\"'“‘(").istitle())
    return len(words) if lower >= 2 else 0


def _table_or_log(lines: list[str]) -> str | None:
    """What ``lines`` are when they have the repeated shape of a table or a log."""
    if len(lines) < 5:
        return None
    logged = sum(1 for line in lines if _LOG_LINE.match(line))
    if logged >= 0.6 * len(lines):
        return "a log (its lines start with a time, an address or a level), not prose"
    ends_open = sum(1 for line in lines if not _TERMINAL.search(line))
    if ends_open < 0.8 * len(lines):
        return None  # lines that end like sentences: paragraphs
    for sep, name in _SEPARATORS.items():
        counts = Counter(line.count(sep) for line in lines)
        fields, n = counts.most_common(1)[0]
        if fields >= (2 if sep != "\t" else 1) and n >= 0.8 * len(lines):
            return f"a table (lines of {fields + 1} {name}-separated fields), not prose"
    return None
