"""Dutch text helpers shared by chunking, retrieval and answering, so all three cut text alike."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations whose full stop does not end a sentence in Dutch policy and legal text.
_ABBREVIATIONS = (
    "o.a", "bijv", "bv", "b.v", "art", "artt", "jo", "e.d", "e.a", "enz", "etc", "m.b.t", "t.a.v", "i.p.v",
    "m.n", "d.w.z", "z.g.a", "zgn", "nr", "blz", "pp", "vgl", "jl", "stb", "stcrt", "kamerstukken",
    "ca", "incl", "excl", "mr", "dr", "drs", "ir", "prof", "mw", "dhr", "resp", "t.b.v", "i.v.m", "m.u.v",
    "a.d.h.v", "o.b.v", "v.d", "z.s.m", "e.v",
)
_ABBREV_PATTERN = "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
_PROTECT = re.compile(rf"\b({_ABBREV_PATTERN})\.(?=\s)", re.IGNORECASE)
# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before white space and a
# capital, digit, quote or bracket; list markers like "a." or "9." at line start are not sentence ends.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[A-ZÀ-Ý0-9“\"'‘(\[])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|[a-z]\.|[a-z]\)|\d+[a-z]?\.|\d+°\.?)\s+")
_PLACEHOLDER = "\u2024"  # one-dot leader: looks like a full stop, is not one

# "negende lid" is how Dutch law and its readers name lid 9.
DUTCH_ORDINALS = (
    "eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende", "tiende",
    "elfde", "twaalfde", "dertiende", "veertiende", "vijftiende", "zestiende", "zeventiende", "achttiende",
    "negentiende", "twintigste",
)

WORD = re.compile(r"\w+(?:[.'’-]\w+)*", re.UNICODE)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Lowercase, no diacritics, punctuation to spaces, single spaces: for matching, never for display."""
    text = strip_accents(text.lower())
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def word_count(text: str) -> int:
    return len(text.split())


def is_list_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping list items (one per line) as units of their own."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        protected = _PROTECT.sub(lambda m: m.group(1) + _PLACEHOLDER, line)
        marker = _LIST_ITEM.match(protected)
        prefix = ""
        if marker:
            prefix, protected = protected[: marker.end()], protected[marker.end():]
        parts = [part.strip() for part in _SENTENCE_END.split(protected) if part.strip()]
        if parts and prefix:
            parts[0] = prefix + parts[0]
        sentences.extend(part.replace(_PLACEHOLDER, ".") for part in parts)
    return sentences


def normalize_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
