"""Remove page chrome that survives extraction, keeping an audit trail of every removal.

Cleaning works paragraph-wise (a paragraph is one line after hard-wrapped blocks are
re-joined) against a lexicon of *whole-paragraph* patterns, each with a reason. Whole-paragraph
anchoring is the main guard against deleting real article sentences: a news sentence that
merely mentions a newsletter or a photo is never a match, only a paragraph that *is* chrome.

Three tiers:

* strong rules remove a paragraph on their own ("Donate to X", "Receive latest news & updates");
* list headers ("Popular Articles", "Read more") also take the short headline-like lines after them;
* weak rules ("Help us ...", a bare name-like line) only fire inside a chrome block, i.e. next
  to something a strong rule removed (a bare name line only in the trailing chrome block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossread.records import Removed

__all__ = ["clean_text", "normalise_paragraphs", "is_chrome_line", "CHROME_RULES"]


@dataclass(frozen=True)
class Rule:
    reason: str
    pattern: re.Pattern[str]
    max_words: int


def _r(reason: str, pattern: str, max_words: int, flags: int = re.IGNORECASE) -> Rule:
    return Rule(reason, re.compile(pattern, flags), max_words)


_SHARE_TOKEN = (
    r"(?:share(?: this(?: article| story| post| page)?)?(?: on (?:facebook|twitter|x|whatsapp|linkedin|e-?mail))?"
    r"|tweet(?: this)?|e-?mail|print|facebook|twitter|x|whatsapp|linkedin|telegram|reddit|pinterest"
    r"|messenger|copy(?: the)? link|copy url|sms|flipboard|pocket|bluesky|threads)"
)
_CREDIT_AGENCIES = (
    r"(?:Reuters|AP|AFP|Getty Images|Getty|EPA|Shutterstock|Flickr|Wikimedia Commons|Xinhua|Anadolu"
    r"|GPO|IDF Spokesperson|Bloomberg|Alamy|Pool|Handout|Screenshot|Courtesy)"
)

#: Strong rules, first match wins. Patterns are matched against the whole paragraph.
CHROME_RULES: list[Rule] = [
    # Newsletter / sign-up appeals.
    _r("newsletter appeal", r"^(?:receive|get) (?:the |our )?(?:latest|daily|weekly|breaking|top|free)\b.{0,40}\b(?:news|updates|headlines|stories|alerts|newsletters?)\b.{0,40}$", 15),
    _r("newsletter appeal", r"^(?:sign(?:ing)? up|subscribe|register|join)\b.{0,100}\b(?:newsletters?|updates|alerts|briefing|digest|inbox|e-?mails?)\b.*$", 30),
    _r("newsletter appeal", r"^(?=.*\bnewsletters?\b)(?=.*\b(?:sign(?:ing)? up|subscribe|subscribing)\b)(?=.*\b(?:you|your|our)\b).*$", 30),
    _r("newsletter appeal", r"^(?:enter your e-?mail|your e-?mail address|e-?mail address)\b.*$", 12),
    _r("newsletter appeal", r"^(?:thanks?|thank you) for (?:subscribing|signing up)\b.*$", 20),
    _r("newsletter appeal", r"^(?:don'?t|never) miss\b.{0,80}$", 15),
    # Donation appeals.
    _r("donation appeal", r"^donate\b.{0,80}$", 12),
    _r("donation appeal", r"^a (?:message|note|word) from (?:the )?[\w&'’ .-]{2,60}$", 8),
    _r("donation appeal", r"^(?:for as little as|with a (?:gift|donation) of|for just|just)\s*[$€£]\s?\d.*\b(?:support|help|donat|give|contribut)", 60),
    _r("donation appeal", r"^(?=.*\b(?:you|your|us|our)\b)(?=.*\b(?:donat\w*|contribut\w*|support\w*)\b).*\b(?:non-?profit|independent journalism|our journalism|our work|our mission|supported by readers|reader-supported|readers like you)\b.*$", 60),
    _r("donation appeal", r"^(?:please )?(?:consider )?(?:support(?:ing)? (?:us|our)|become a (?:member|supporter|patron|subscriber)|make a (?:donation|contribution)|give now|contribute now)\b.{0,200}$", 40),
    # Photo captions left without their image.
    _r("dangling photo caption", r"\((?:photos?|images?|pictures?|credit|photo credit|source)\s*:?\s*$", 60),
    _r("dangling photo caption", r"^(?:photos?|images?|pictures?|photo credit|credit|photograph|illustration|file photo)(?: credit)?\s*[:/©|]\s*.{0,100}$", 15),
    _r("dangling photo caption", r"^[^.!?]{0,200}\s/\s?" + _CREDIT_AGENCIES + r"\b.{0,40}$", 30, 0),
    _r("dangling photo caption", r"^(?:©\s*)?" + _CREDIT_AGENCIES + r"(?:\s*/\s*.{0,40})?$", 6, 0),
    _r("photo caption", r"^.{0,300}\((?:photos?|images?|pictures?|credit|photo credit)\s*:[^)]{0,80}\)\s*$", 60),
    # Paywall and subscription prompts (the article behind them is not in the text either).
    _r("paywall prompt", r"^(?:subscribe|sign in|log in|register|become a subscriber)(?: now)? to (?:continue|keep) reading\b.{0,80}$", 15),
    _r("paywall prompt", r"^(?:continue|keep) reading (?:with|for) (?:a |your )?(?:subscription|free trial|\$|€|£)\S*.{0,60}$", 15),
    _r("paywall prompt", r"^you(?: have|'ve)(?: read)? (?:\d+|one|two|three|four|five|no|zero)(?: of (?:\d+|your))? (?:more |remaining )?free (?:articles?|stories|reads)\b.{0,60}$", 20),
    _r("paywall prompt", r"^(?:this (?:article|story|content) is (?:for|only available to) (?:subscribers|members)|already a subscriber\?).{0,80}$", 15),
    _r("paywall prompt", r"^this copy is for your personal,? non-commercial use only\b.*$", 80),
    _r("paywall prompt", r"^(?:order reprints|print article|reprints(?: & permissions)?)$", 3),
    # Agency trust statements and credit lines under the story.
    _r("trust principles", r"^(?:our standards:\s*)?the thomson reuters trust principles\.?$", 8),
    _r("reporting credits", r"^\(?(?:additional )?(?:reporting|writing) by\b.{0,300}\b(?:editing|edited) by\b.{0,150}$", 60),
    _r("author blurb", r"^write to [\w .'’-]{2,60} at \S+@\S+\.\w+\.?$", 12),
    _r("reading time", r"^(?:\d+\s*min(?:ute)?s?\s+read|(?:estimated )?reading time:?\s*\d+\s*min(?:ute)?s?|tempo de leitura:?\s*\d+\s*minutos?|lesezeit:?\s*\d+\s*min(?:uten)?)\.?$", 6),
    # A caption paragraph ending in an agency credit "(AP Photo/Evan Vucci)".
    _r("photo caption", r"^.{0,300}\((?:AP|AFP|Reuters|EPA|Getty Images|UPI|CP|Xinhua) (?:Photo|Images?)(?:\s*/\s*[^)]{1,80})?\)\s*$", 60, 0),
    # Share bars and social prompts.
    _r("share bar", r"^" + _SHARE_TOKEN + r"(?:\s*[|,/·•:]?\s*" + _SHARE_TOKEN + r")*\s*:?$", 15),
    _r("social follow", r"^(?:follow|like|join) us on\b.{0,80}$", 15),
    _r("social follow", r"^(?:follow|subscribe to) [\w .'’&-]{2,60} on (?:youtube|facebook|twitter|instagram|tiktok|linkedin|threads|bluesky)\b.{0,80}$", 20),
    _r("share bar", r"^(?:like|enjoyed|enjoy) this (?:story|article|post)\?\s*share it\b.{0,40}$", 12),
    # Cookie / consent banners.
    _r("cookie notice", r"\b(?:we use cookies|this (?:web)?site uses cookies|uses cookies to|cookie (?:policy|settings|preferences|consent)|accept (?:all )?cookies|manage cookies)\b", 60),
    _r("cookie notice", r"^(?:by continuing to (?:use|browse)|by using (?:this|our) (?:site|website))\b.*\b(?:agree|accept|consent)\b.*$", 60),
    # Ads, navigation, copyright.
    _r("advertisement", r"^(?:advertisement|advertising|sponsored(?: content)?|ad|story continues below(?: advertisement)?|continue reading below|scroll to continue(?: with content)?)$", 6),
    _r("navigation", r"^(?:menu|search|close|log ?in|sign ?in|sign ?out|back to top|skip to (?:main )?content|home|subscribe|register|comments?|leave a comment|loading\.*)$", 4),
    _r("copyright notice", r"^(?:©|\(c\)|copyright\b).{0,150}$", 25),
    _r("copyright notice", r"^.{0,150}\ball rights reserved\.?$", 25),
    _r("call to action", r"^(?:click|tap) here\b.{0,120}$", 20),
    # Author blurbs of the "team" kind are chrome wherever they appear.
    # Case-sensitive: the subject must be a capitalised name ("The All Israel News Staff"), so a
    # sentence like "Reuters said the agency's staff is a team of journalists" is not a blurb.
    _r("author blurb", r"^(?:The )?(?:[A-Z0-9][\w&'’.-]*\s+){1,6}(?:Staff|Team|Desk|Editorial Board|Newsroom|Bureau|Editors|staff|team|desk)\s+(?:is|are)\s+(?:a|an|the)\s+(?:team|group|collective|staff)\s+of\s+(?:[\w-]+ ){0,3}(?:journalists|reporters|writers|editors|correspondents)\b.{0,200}$", 50, 0),
    _r("author blurb", r"^(?:contact|e-?mail|reach) (?:the )?(?:author|reporter|writer)\b.{0,100}$", 15),
]

# "Read more" style headers: they head a list of headlines, which goes with them.
_LIST_HEADER = re.compile(
    r"^(?:popular|latest|related|recommended|trending|top|more|most (?:read|popular|viewed|shared)|editor'?s picks?"
    r"|further reading|you (?:may|might) also (?:like|enjoy)|read (?:more|next|also)|see also|also read"
    r"|more (?:from|on|in) .{1,40}|popular on .{1,40}|recommended for you|what to read next|watch|videos?"
    r"|explore further)"
    r"(?: (?:articles?|stories|news|posts|reads|videos|content|headlines|links|coverage))?\s*(?:[:»>|-]|\.{3}|…)?$",
    re.IGNORECASE,
)
_INLINE_LIST = re.compile(r"^(?:read more|see also|see more|also read|related(?: post| story| article)?|read next|recommended|more)"
                          r"\s*[:»>|]\s*\S.*$", re.IGNORECASE)
# One linked headline after "Read more:" is a list of one: allowed a headline's length.
_INLINE_MAX_WORDS = 25

# Personal author blurbs look like a news sentence ("Jane Doe is a reporter ..."), so they are
# only removed when they are among the last paragraphs of the article.
_TRAILING_AUTHOR = re.compile(
    r"^(?:[A-Z][\w'’.-]+ ){1,3}[A-Z][\w'’.-]+ (?:is|was) (?:a|an|the) (?:[\w-]+ ){0,4}"
    r"(?:reporter|correspondent|journalist|writer|editor|columnist|contributor|producer|analyst)\b.{0,200}$"
)

_WEAK_APPEAL = re.compile(
    r"^help us\b.{0,300}$|\b(?:non-?profit|supported by readers|readers like you|reader-funded)\b", re.IGNORECASE
)
_APPEALS = {"donation appeal", "newsletter appeal"}
# Reported speech is article text even when it reads like an appeal ("Help us", the families urged).
_REPORTED = re.compile(r"\b(?:said|says|told|urged|asked|added|according to|wrote)\b|[\"“”]", re.IGNORECASE)
_NAME_LIKE = re.compile(r"^[A-Z0-9][\w&'’.-]*(?: (?:[A-Z0-9][\w&'’.-]*|of|the|and|de|la|&))*$")

_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
# A longer "Related: …" line ending like a sentence is prose; linked headlines end without a full stop.
_SENTENCE_END = re.compile(r"[.!][\"'”’)\]]*$")


def _words(line: str) -> int:
    return len(line.split())


def _normalise_line(line: str) -> str:
    return _HSPACE.sub(" ", _ZERO_WIDTH.sub("", line)).strip()


def _is_wrapped(lines: list[str]) -> bool:
    """A block of hard-wrapped prose (fixed width, sentences continuing on the next line)."""
    if len(lines) < 2:
        return False
    lengths = [len(line) for line in lines]
    longest = max(lengths)
    if longest > 100 or longest < 40:
        return False
    if any(n < 0.5 * longest for n in lengths[:-1]):
        return False
    continued = sum(1 for line in lines[1:] if line[:1].islower() or line[:1] in "(\"'“‘")
    return continued >= max(1, 0.3 * (len(lines) - 1))


def normalise_paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: one per line, hard-wrapped blocks re-joined, whitespace normalised."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [_normalise_line(line) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if _is_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


def is_chrome_line(line: str) -> str | None:
    """Reason if ``line`` on its own is page chrome by a strong rule or a list header, else None."""
    line = _normalise_line(line)
    if not line:
        return None
    n = _words(line)
    for rule in CHROME_RULES:
        if n <= rule.max_words and rule.pattern.search(line):
            return rule.reason
    if (n <= 8 and _LIST_HEADER.match(line)) or (_INLINE_LIST.match(line) and (
            n <= 8 or (n <= _INLINE_MAX_WORDS and not _SENTENCE_END.search(line)))):
        return "related-articles list"
    return None


def _is_site_name(line: str, outlet: str | None) -> bool:
    if not outlet:
        return False
    a, b = line.casefold().strip(" .|-"), outlet.casefold().strip()
    # "All Israel" is the site name of outlet "All Israel News" (logo text vs. full name).
    return a == b or (_words(line) >= 2 and b.startswith(a + " ")) or (_words(outlet) >= 2 and a.startswith(b + " ") and _words(line) <= _words(outlet) + 1)


def clean_text(text: str, *, outlet: str | None = None, title: str | None = None) -> tuple[str, list[Removed]]:
    """Cleaned text (paragraphs separated by a blank line) and the removed pieces with reasons.

    ``outlet``/``title`` are optional hints: a paragraph that is just the site name, or a first
    paragraph repeating the headline, is removed too.
    """
    paras = normalise_paragraphs(text)
    n = len(paras)
    reasons: list[str | None] = [None] * n

    for i, para in enumerate(paras):
        if i == 0 and title and para.casefold() == _normalise_line(title).casefold():
            reasons[i] = "repeated headline"
        elif _words(para) <= 8 and _is_site_name(para, outlet):
            reasons[i] = "site name"
        else:
            reasons[i] = is_chrome_line(para)

    # List headers take the headline-like lines that follow them.
    for i in range(n):
        if reasons[i] == "related-articles list" and _LIST_HEADER.match(paras[i]):
            j = i + 1
            while j < n and reasons[j] is None and _words(paras[j]) <= 20 and not re.search(r"[.!]$", paras[j]):
                reasons[j] = "related-articles list"
                j += 1

    # Trailing personal author blurb: only among the last two kept paragraphs.
    kept = [i for i in range(n) if reasons[i] is None]
    for i in kept[-2:]:
        if _words(paras[i]) <= 45 and _TRAILING_AUTHOR.match(paras[i]):
            reasons[i] = "author blurb"

    # Weak rules fire only inside a chrome block; iterate so that chains of them are caught.
    changed = True
    while changed:
        changed = False
        trailing_start = n
        while trailing_start > 0 and (reasons[trailing_start - 1] is not None or _weak_name(paras[trailing_start - 1])):
            trailing_start -= 1
        for i in range(n):
            if reasons[i] is not None:
                continue
            near = [reasons[j] for j in (i - 1, i + 1) if 0 <= j < n and reasons[j] is not None]
            if not near:
                continue
            # "Help us ..." is an appeal only inside an appeal block, never next to other chrome.
            if _words(paras[i]) <= 60 and _WEAK_APPEAL.search(paras[i]) and any(r in _APPEALS for r in near) and not _REPORTED.search(paras[i]):
                reasons[i] = "donation appeal"
                changed = True
            elif i >= trailing_start and _weak_name(paras[i]):
                reasons[i] = "site name"
                changed = True

    cleaned = [p for p, r in zip(paras, reasons) if r is None]
    removed = [Removed(text=p, reason=r) for p, r in zip(paras, reasons) if r is not None]
    return "\n\n".join(cleaned), removed


def _weak_name(para: str) -> bool:
    """A bare name-like line ("All Israel"): few capitalised words, no sentence punctuation."""
    return _words(para) <= 4 and bool(_NAME_LIKE.match(para)) and not _TERMINAL.search(para)
