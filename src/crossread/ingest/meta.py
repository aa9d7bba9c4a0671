"""Metadata normalisation: dates (ISO 8601) and language (ISO 639-1), fully offline.

Language detection is a compact script + stopword-ratio detector: no model download,
deterministic, and good enough to tell the major news languages apart on article-length
text. It returns None rather than guess on short or ambiguous text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

__all__ = ["normalise_date", "normalise_language", "detect_language"]

_HAS_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_EPOCH = re.compile(r"\d{9,10}(?:\.\d+)?|\d{12,13}")  # Unix seconds (2001-2286) or milliseconds
_COMPACT = re.compile(r"((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")  # 20240325


def _from_epoch(value: float) -> str | None:
    """UTC ISO time of a Unix timestamp in seconds or milliseconds, None outside 1995-2100."""
    if value > 1e11:  # milliseconds: seconds would be past the year 5000
        value /= 1000
    if not 788_918_400 <= value < 4_102_444_800:
        return None
    return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()


def normalise_date(value: object) -> str | None:
    """ISO 8601 string for a date-ish value, or None when it is not a recognisable date.

    Date-only inputs stay date-only ("2024-03-26"): inventing midnight would be false precision.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)) and len(value) >= 6:  # time.struct_time from feedparser
        try:
            return datetime(*[int(v) for v in value[:6]]).isoformat()
        except (TypeError, ValueError):
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = str(value).strip()
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    if m := _COMPACT.fullmatch(text):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    # Why require a 4-digit year: dateutil happily turns "5" or "Monday" into today's date.
    if not text or len(text) > 100 or not _HAS_YEAR.search(text):
        return None
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.parse(text)
    except (ValueError, OverflowError, TypeError):
        try:
            parsed = dateparser.parse(text, fuzzy=True)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed is None:
        return None
    if not _HAS_TIME.search(text) and "T" not in text:
        return parsed.date().isoformat()
    return parsed.isoformat()


def normalise_language(value: object) -> str | None:
    """"en-US" / "EN" / "eng" -> "en"; None when not a plausible code."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    if re.fullmatch(r"[a-z]{2}", code):
        return code
    three = {"eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
             "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "ara": "ar",
             "heb": "he", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "tur": "tr",
             "pol": "pl", "fas": "fa", "per": "fa", "ukr": "uk"}
    return three.get(code)


# Function words only: frequent, topic-independent, and mostly language-specific.
_STOPWORDS: dict[str, set[str]] = {
    "en": set("the of and to in is that for it was on with as are be by at this have from not but "
              "they his her which has had were been their said would will an who its than also".split()),
    "de": set("der die das und ist nicht den von zu mit sich des auf für ein eine dem im auch es "
              "wird sind bei nach noch wie aus einer werden hat oder wurde über".split()),
    "fr": set("le la les et des est que une dans pour qui pas sur au du ne se plus par avec ce "
              "sont il elle ont été leur mais aux cette nous".split()),
    "es": set("el la los las de que y en un una es por con para del al se no su como más pero "
              "sus le ha fue este esta entre son también".split()),
    "it": set("il di che la è per un una non gli del della le con si sono da nel alla anche "
              "dei più ha come questo ma delle stato".split()),
    "pt": set("o a os as de que e do da em um uma para com não por se na no dos das mais foi "
              "ao pelo pela seu sua também são está".split()),
    "nl": set("de het een en van in is dat op te zijn voor met niet die er aan ook als bij "
              "door maar om werd heeft worden deze naar".split()),
    "sv": set("och att det som en på är av för med den till har inte de om ett var jag men "
              "från han hon sig kan vid också eller".split()),
    "da": set("og at det som en på er af for med den til har ikke de om et var men fra han "
              "hun sig kan ved også eller blev være".split()),
    "pl": set("i w na z że się nie do to jest o jak po co przez ale od za są dla tak jego "
              "oraz był może ich także".split()),
    "cs": set("a v na se je že s z do o to jako by k ve pro ale po jsou za od tak byl jeho "
              "také které který".split()),
    "ro": set("și de la în a cu pe că din nu un o este pentru care mai sau să fost au ce "
              "lui acest prin după".split()),
    "tr": set("ve bir bu da de için ile olarak çok daha gibi olan ama en kadar sonra her "
              "ne değil var ise ya göre".split()),
    "id": set("yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke karena "
              "ada oleh mereka bahwa sudah atau".split()),
    "fi": set("ja on ei se että oli hän ovat mutta kun myös joka tai sen ole ovat jo niin "
              "kuin mukaan vain".split()),
    "hu": set("a az és hogy nem is egy meg de van ez csak már el volt mint vagy még azt "
              "után kell".split()),
}

# (first, last code point) -> language, for scripts that (mostly) identify one language.
_SCRIPTS: list[tuple[int, int, str]] = [
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0E00, 0x0E7F, "th"),
    (0x10A0, 0x10FF, "ka"),
    (0x0530, 0x058F, "hy"),
    (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x4E00, 0x9FFF, "zh"),
]

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code for ``text`` or None when unsure."""
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < 20:
        return None
    counts: dict[str, int] = {}
    for ch in letters:
        cp = ord(ch)
        for lo, hi, lang in _SCRIPTS:
            if lo <= cp <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    non_latin = sum(counts.values())
    if non_latin / len(letters) > 0.5:
        # Kana beside Han means Japanese; Han alone means Chinese.
        if counts.get("ja", 0) > 0.05 * non_latin:
            return "ja"
        lang = max(counts, key=lambda k: counts[k])
        if lang == "ru" and re.search(r"[їєґі]", sample):
            return "uk"
        if lang == "ar" and len(re.findall(r"[پچژگ]", sample)) > 0.005 * non_latin:
            return "fa"
        return lang
    words = [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", sample))]
    if len(words) < 5:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    # Why both thresholds: news prose has ~25-45% function words; names/lists have few.
    if top < 2 or top / len(words) < 0.08 or top < second * 1.15:
        return None
    return best
