"""`[n]` markers: build citations from passages, and check markers against the passages given.

The rule users rely on: `[n]` in the text and source n in the list are always the same passage,
numbers run 1..N without gaps, and only sources that are actually cited are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote as url_quote

from assistant.models import OUTDATED_TYPE, Citation, Passage

MARKER = re.compile(r"\[(\d{1,3})\]")
_BWB_ID = re.compile(r"\bBWBR\d{7}\b")
JURICONNECT = "https://wetten.overheid.nl/jci1.3:c:{bwb_id}"


def juriconnect_url(bwb_id: str, article: str | None = None, lid: str | None = None) -> str:
    """A link to the article and lid itself (Juriconnect standaard BWB 1.3.1), not to the whole act:
    `https://wetten.overheid.nl/jci1.3:c:BWBR0003420&artikel=18a&lid=9`."""
    url = JURICONNECT.format(bwb_id=bwb_id)
    if article:
        url += f"&artikel={url_quote(article, safe='.')}"
        if lid:
            url += f"&lid={url_quote(lid, safe='')}"
    return url


def source_link(citation: Citation) -> str | None:
    """Where a reader checks the source: a law article on wetten.overheid.nl, else the document's
    `source_url`. Indexes built before passages carried `bwb_id` still have it in the law's `source_url`."""
    bwb = citation.bwb_id
    if bwb is None and citation.source_url and (found := _BWB_ID.search(citation.source_url)):
        bwb = found.group(0)
    if bwb and citation.article:
        return juriconnect_url(bwb, citation.article, citation.lid)
    return citation.source_url


def make_citation(number: int, passage: Passage, quote: str) -> Citation:
    return Citation(
        number=number,
        doc_id=passage.doc_id,
        title=passage.title,
        type=passage.type,
        article=passage.article,
        lid=passage.lid,
        page=passage.page,
        quote=quote,
        source_url=passage.source_url,
        passage_id=passage.id,
        reference=passage.reference,
        outdated=passage.type == OUTDATED_TYPE,
        bwb_id=passage.bwb_id,
    )


@dataclass
class CheckedText:
    text: str
    citations: list[Citation]
    invalid_markers: int


def renumber(text: str, passages: list[Passage], quotes: dict[int, list[str]] | None = None) -> CheckedText:
    """Validate `[n]` markers that refer to `passages` (1-based) and renumber them by first use.

    Markers pointing to no passage are removed and counted; passages never cited are dropped.
    `quotes` optionally gives, per original number, the sentences quoted from that passage."""
    mapping: dict[int, int] = {}
    invalid = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal invalid
        original = int(match.group(1))
        if not 1 <= original <= len(passages):
            invalid += 1
            return ""
        mapping.setdefault(original, len(mapping) + 1)
        return f"[{mapping[original]}]"

    new_text = MARKER.sub(replace, text)
    new_text = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", new_text)  # "[1] [1]" -> "[1]"
    new_text = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", new_text)).strip()
    citations = []
    for original, number in sorted(mapping.items(), key=lambda item: item[1]):
        passage = passages[original - 1]
        quote = " ".join((quotes or {}).get(original, [])) or passage.text
        citations.append(make_citation(number, passage, quote))
    return CheckedText(new_text, citations, invalid)


def cited_numbers(text: str) -> list[int]:
    return [int(number) for number in MARKER.findall(text)]
