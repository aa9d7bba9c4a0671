"""Personal names compared the way news writes them.

One person is named "Donald J. Trump", "Donald John Trump", "Donald Trump" and "Trump"; "Enrique Peña
Nieto" and "Pena Nieto"; "Robert S. Mueller III" and "Robert Mueller". Namesakes are kept apart by
their first names ("Melania Trump") and by "Jr."/"Sr." ("Donald Trump Jr." is the son), which
writers keep because it tells two living people apart; a numeral suffix ("III") is part of the
formal name that later mentions drop.

:func:`name_words` folds a name (accents, case, dots) into words and its suffix;
:func:`compatible_names` says whether two names can name one person.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

FAMILY_SUFFIXES = {"jr", "sr"}  # a son or father of the same name: never dropped
NUMERAL_SUFFIXES = {"ii", "iii", "iv"}  # part of the formal name: often dropped
SUFFIXES = FAMILY_SUFFIXES | NUMERAL_SUFFIXES


def fold(text: str) -> str:
    """Lower case without accents ("Peña" -> "pena")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class NameWords:
    words: tuple[str, ...]  # folded, without dots or the suffix
    suffix: str | None  # "jr", "sr", "ii", "iii", "iv"

    @property
    def last(self) -> str | None:
        return self.words[-1] if self.words else None


def name_words(name: str) -> NameWords:
    """ "Raúl R. Labrador" -> (raul, r, labrador); "Donald Trump Jr." -> (donald, trump) + jr."""
    words = [w for w in (fold(t).strip(".,") for t in name.replace("\u2019", "'").split()) if w]
    suffix = None
    while len(words) > 1 and words[-1] in SUFFIXES:
        suffix = suffix or words[-1]
        words.pop()
    return NameWords(tuple(words), suffix)


def _word_match(a: str, b: str) -> bool:
    """Same word, or one is the other's initial ("J" and "John")."""
    if a == b:
        return True
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    k = 0
    for w in short:
        while k < len(long) and not _word_match(w, long[k]):
            k += 1
        if k == len(long):
            return False
        k += 1
    return True


def compatible_names(a: str | NameWords, b: str | NameWords) -> bool:
    """Can ``a`` and ``b`` name one person? Same surname (accents aside), every word of the shorter
    name in the longer one in order (a middle initial matches the middle name), the same first name
    when both give one (or the shorter is the end of the longer: "Pena Nieto"), and no "Jr."/"Sr."
    on one side only."""
    x = name_words(a) if isinstance(a, str) else a
    y = name_words(b) if isinstance(b, str) else b
    if not x.words or not y.words or x.last != y.last:
        return False
    if (x.suffix in FAMILY_SUFFIXES or y.suffix in FAMILY_SUFFIXES) and x.suffix != y.suffix:
        return False
    if x.suffix and y.suffix and x.suffix != y.suffix:
        return False
    short, long = sorted((x.words, y.words), key=len)
    if not _subsequence(short, long):
        return False
    if len(short) >= 2 and not _word_match(short[0], long[0]):
        return short == long[len(long) - len(short):]  # a compound surname alone: "Pena Nieto"
    return True
