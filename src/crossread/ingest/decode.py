"""Bytes -> text, robust to the encodings real scraped corpora contain.

Order of attempts (why: cheapest and least ambiguous first):
1. A BOM decides (UTF-8-sig, UTF-16, UTF-32).
2. BOM-less UTF-16 is recognised by its NUL-byte pattern before the binary check.
3. NUL bytes / control characters / known binary magic -> :class:`DecodeError` "binary file (not text)".
4. Strict UTF-8.
5. Mixed files (valid UTF-8 multibyte sequences *and* invalid bytes): UTF-8 with every
   invalid byte decoded as cp1252, so the good text survives byte for byte.
6. Otherwise a legacy single-byte file: an encoding declared in the document (HTML/XML
   ``charset``) if it decodes cleanly, else charset-normalizer for non-Latin legacy
   encodings (cp1251, Shift-JIS, ...), else cp1252 (a superset of latin-1's printable range).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["DecodeError", "decode_bytes", "is_binary", "human_size"]


class DecodeError(ValueError):
    """The bytes are not usable text; ``str(exc)`` is the short human reason."""


_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# Magic numbers of common binary formats that may carry a text-like extension.
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"PK\x03\x04",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"Rar!",
    b"OggS",
    b"ID3",
    b"RIFF",
    b"SQLite format 3",
)

# Single-byte Latin encodings charset-normalizer may propose for what is really cp1252;
# for these we use cp1252 (same letters for the bytes that matter, smart quotes included).
_LATIN_LIKE = {
    "ascii", "cp1252", "windows-1252", "latin_1", "latin-1", "iso8859_1", "iso-8859-1",
    "iso8859_15", "iso8859_2", "iso8859_9", "iso8859_3", "iso8859_4", "iso8859_10", "iso8859_13",
    "iso8859_14", "iso8859_16", "cp1250", "cp1254", "cp1257", "cp1258", "mac_roman", "mac_latin2",
    "mac_iceland", "mac_turkish", "cp850", "cp437", "cp858", "cp775", "cp852", "cp857", "cp860",
    "cp861", "cp863", "cp865", "utf_8", "utf-8",
}

_CHARSET_DECL = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)


def human_size(n: int) -> str:
    """Short size for error messages (MB as in the brief, smaller units for tiny limits)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """codecs error handler: decode each invalid byte as cp1252 (latin-1 for its 5 holes)."""
    assert isinstance(err, UnicodeDecodeError)
    chunk = err.object[err.start : err.end]
    out = []
    for b in chunk:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(bytes([b]).decode("latin-1"))
    return "".join(out), err.end


codecs.register_error("crossread_cp1252", _cp1252_fallback)


def _looks_utf16(data: bytes) -> str | None:
    """BOM-less UTF-16: mostly-ASCII text leaves NULs in every other byte."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def is_binary(data: bytes) -> bool:
    """Heuristic: magic number, NUL bytes, or many control characters."""
    sample = data[:8192]
    if any(sample.startswith(m) for m in _BINARY_MAGIC):
        return True
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(sample) and controls / len(sample) > 0.05


def _normalise_newlines(text: str) -> str:
    # Why: later stages work line-wise; stray C0 controls (except tab/newline) are noise.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def _declared_charset(data: bytes) -> str | None:
    match = _CHARSET_DECL.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").strip().lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, declared: str | None = None) -> str:
    """Decode ``data`` to text (newlines normalised to ``\\n``).

    ``declared`` is an encoding named by a container (HTTP header, JSON record); it is
    honoured only when strict UTF-8 fails and it decodes cleanly.
    Raises :class:`DecodeError` with a short reason for binary or empty input.
    """
    if not data.strip():
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = data.decode(encoding, errors="replace")
            return _checked(_normalise_newlines(text))
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return _checked(_normalise_newlines(data.decode(utf16)))
        except UnicodeDecodeError:
            pass
    if is_binary(data):
        raise DecodeError("binary file (not text)")
    try:
        return _checked(_normalise_newlines(data.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    # Mixed file: some genuine UTF-8 multibyte sequences -> keep them, patch the rest.
    if re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}", data):
        return _checked(_normalise_newlines(data.decode("utf-8", errors="crossread_cp1252")))
    for name in (declared, _declared_charset(data)):
        if not name:
            continue
        try:
            name = codecs.lookup(name).name
            if name in ("utf-8", "utf_8"):
                continue
            return _checked(_normalise_newlines(data.decode(name)))
        except (LookupError, UnicodeDecodeError):
            continue
    guess = _guess_legacy(data)
    if guess:
        try:
            return _checked(_normalise_newlines(data.decode(guess)))
        except (LookupError, UnicodeDecodeError):
            pass
    return _checked(_normalise_newlines(data.decode("cp1252", errors="crossread_cp1252")))


def _guess_legacy(data: bytes) -> str | None:
    """charset-normalizer's guess when it is a non-Latin legacy encoding, else None (-> cp1252)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    encoding = best.encoding.lower()
    if encoding in _LATIN_LIKE:
        return None
    return encoding


def _checked(text: str) -> str:
    if not text.strip():
        raise DecodeError("empty file")
    return text
