"""Cut source texts into passages that stand alone and can be cited precisely.

Law is cut per article, and per lid when an article is long, because users ask for
"artikel 18a, negende lid" and the answering sentence usually sits in one lid. Prose is cut
per section and paragraph, below e5's 512-token window, with a sentence of overlap.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from assistant.config import Settings
from assistant.ingest.loaders import SourceText
from assistant.models import Passage
from assistant.search.corpus_facts import CorpusFacts
from assistant.textutils import is_list_item, split_sentences, word_count

_ARTICLE = re.compile(r"^(?:#+\s*)?Artikel\s+(\d+(?:\.\d+)*[a-z]?)\.?(?:\s+(.*))?$")
_SECTION_ARTICLE = re.compile(
    r"^#+\s*(?P<law>.+?)\s+artikel\s+(?P<article>\d+(?:\.\d+)*[a-z]?)(?:\s+lid\s+(?P<lid>\d+[a-z]?))?\b.*$",
    re.IGNORECASE,
)
_LID = re.compile(r"^(\d+[a-z]?)\.\s+\S")
_STRUCTURE = re.compile(r"^(?:#+\s*)?(?:§|Hoofdstuk\s|Paragraaf\s|Afdeling\s|Titel\s)")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_NOISE = re.compile(r"^(?:geen alternatieve tekst opgegeven voor deze afbeelding|dit artikel is ook gepubliceerd op \w+)$", re.I)
_SENTENCE_FINAL = (".", ",", ";", ":", "!")


@dataclass
class _Article:
    heading: str
    article: str
    short: str | None
    preamble: list[str] = field(default_factory=list)
    lids: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class _Section:
    heading: str | None
    blocks: list[str] = field(default_factory=list)


_DEFAULTS = Settings.model_fields
CHUNK_WORDS: int = _DEFAULTS["chunk_words"].default
MAX_CHARS_PER_WORD = 10
"""A passage holds at most `chunk_words` words and `chunk_words * 10` characters, so a text of very long
"words" (a URL list, a base64 blob, text without spaces) is bounded too. The corpus's longest passage
has 2,135 characters for 297 words (7.2 per word): the character bound never cuts ordinary prose."""
OVERLAP_WORDS: int = _DEFAULTS["chunk_overlap_words"].default
ARTICLE_MAX_WORDS: int = _DEFAULTS["law_article_max_words"].default


def chunk(
    source: SourceText,
    chunk_words: int = CHUNK_WORDS,
    overlap_words: int = OVERLAP_WORDS,
    article_max_words: int = ARTICLE_MAX_WORDS,
    facts: CorpusFacts | None = None,
) -> list[Passage]:
    """Passages for one source text; law and prose are cut differently (see module docstring).

    `facts` names the laws of collected texts ("Wet op het primair onderwijs artikel 18a" -> WPO)."""
    metadata = source.metadata
    if metadata.get("type", "").startswith("wetgeving"):
        pieces = list(_law_pieces(source.text, metadata.get("short"), chunk_words, article_max_words, facts or CorpusFacts()))
    else:
        pieces = [
            (None, None, None, heading, text)
            for heading, text in _prose_pieces(source.text, chunk_words, overlap_words, source.marked_headings)
        ]
    pieces = [
        (article, lid, short, heading, bounded)
        for article, lid, short, heading, text in pieces
        for bounded in _bounded(text, chunk_words)
    ]
    passages = []
    for position, (article, lid, short, heading, text) in enumerate(pieces):
        passages.append(
            make_passage(source, position, text, article=article, lid=lid, short=short or metadata.get("short"), heading=heading)
        )
    return passages


def make_passage(
    source: SourceText,
    position: int,
    text: str,
    *,
    article: str | None = None,
    lid: str | None = None,
    short: str | None = None,
    heading: str | None = None,
) -> Passage:
    metadata = source.metadata
    fields = {
        "doc_id": source.doc_id,
        "title": metadata.get("title", source.doc_id),
        "type": metadata.get("type", "handreiking"),
        "position": position if source.page is None else source.page * 1000 + position,
        "article": article,
        "lid": lid,
        "page": source.page,
        "heading": heading,
        "source_url": metadata.get("source_url"),
        "short": short,
        "date": metadata.get("date"),
        "publisher": metadata.get("publisher"),
        "licence": metadata.get("licence"),
        "place": metadata.get("place"),
        "bwb_id": metadata.get("bwb_id"),
    }
    digest = hashlib.sha256((text + json.dumps(fields, sort_keys=True)).encode("utf-8")).hexdigest()[:16]
    return Passage(id=f"{source.doc_id}::{fields['position']:05d}::{digest}", text=text, **fields)


def embedding_text(passage: Passage) -> str:
    """What the model embeds: the title gives a short passage its context (which law, which town)."""
    return f"{passage.title}\n{passage.text}"


def content_hash(text: str, model_name: str) -> str:
    """Key for reusing a vector: same embedded text under the same model means the same vector."""
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()


# --- law -------------------------------------------------------------------------------------------


def _law_articles(text: str, default_short: str | None, facts: CorpusFacts) -> list[_Article]:
    articles: list[_Article] = []
    current: _Article | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if section := _SECTION_ARTICLE.match(line):
            law = section.group("law").strip()
            short = facts.short_for_name(law) or law
            current = _Article(heading=line.lstrip("#").strip(), article=section.group("article"), short=short)
            articles.append(current)
        elif article := _ARTICLE.match(line):
            current = _Article(heading=line.lstrip("#").strip(), article=article.group(1), short=default_short)
            articles.append(current)
        elif current is None or _STRUCTURE.match(line):
            continue
        elif lid := _LID.match(line):
            current.lids.append((lid.group(1), [re.sub(r"^(\d+[a-z]?)\.\s+", r"\1. ", line)]))
        elif current.lids:
            current.lids[-1][1].append(line)
        else:
            current.preamble.append(line)
    return [a for a in articles if not _is_repealed(a)]


def _is_repealed(article: _Article) -> bool:
    body = " ".join(article.preamble + [line for _, lines in article.lids for line in lines])
    return body.strip().rstrip(".").lower() in ("vervallen", "")


def _law_pieces(text: str, default_short: str | None, chunk_words: int, article_max_words: int, facts: CorpusFacts):
    """Yield (article, lid, short, heading, text): whole short articles, else one piece per lid."""
    for article in _law_articles(text, default_short, facts):
        all_lines = article.preamble + [line for _, lines in article.lids for line in lines]
        per_lid = len(article.lids) > 1 and word_count(" ".join(all_lines)) > article_max_words
        budget = _body_budget(article.heading, chunk_words)
        if not per_lid:
            lid = article.lids[0][0] if len(article.lids) == 1 and not article.preamble else None
            for body in _pack(all_lines, budget, overlap_words=0):
                yield article.article, lid, article.short, article.heading, f"{article.heading}\n{body}"
            continue
        if article.preamble:
            yield article.article, None, article.short, article.heading, f"{article.heading}\n" + "\n".join(article.preamble)
        for lid, lines in article.lids:
            for body in _pack(lines, budget, overlap_words=0):
                yield article.article, lid, article.short, article.heading, f"{article.heading}\n{body}"


# --- prose -----------------------------------------------------------------------------------------


def _blocks(text: str) -> list[str]:
    """Paragraph-like blocks: one per line, except wrapped lines, which are joined back together."""
    blocks: list[str] = []
    joinable = False
    for raw in text.replace("\u00a0", " ").splitlines():
        line = raw.strip()
        if not line or _NOISE.match(line):
            joinable = False
            continue
        if joinable and blocks and line[0].islower() and not is_list_item(line):
            blocks[-1] = f"{blocks[-1]} {line}"
        else:
            blocks.append(line)
        joinable = not line.endswith((".", "!", "?", ":", ";")) and not _MD_HEADING.match(line)
    return blocks


def _heading_text(block: str, is_last: bool, marked_headings: bool) -> str | None:
    if match := _MD_HEADING.match(block):
        heading = match.group(1).strip()
        # Repeated atop every piece of its section: a "heading" of a whole paragraph is body text.
        return heading if word_count(heading) <= _HEADING_MAX_WORDS and len(heading) <= _HEADING_MAX_CHARS else None
    if marked_headings or is_last or is_list_item(block) or block.startswith(("“", '"', "‘", "'")):
        return None
    if word_count(block) <= 12 and not block.endswith(_SENTENCE_FINAL):
        return block
    return None


_HEADING_MAX_WORDS = 30
_HEADING_MAX_CHARS = 300
"""The corpus's longest "#" heading has 14 words; a longer "#" line is a paragraph marked as a heading."""


def _sections(text: str, marked_headings: bool = False) -> list[_Section]:
    """Sections by heading; when the loader marked every heading ("#"), short lines are not guessed."""
    blocks = _blocks(text)
    sections = [_Section(heading=None)]
    for index, block in enumerate(blocks):
        heading = _heading_text(block, is_last=index == len(blocks) - 1, marked_headings=marked_headings)
        if heading is not None:
            sections.append(_Section(heading=heading))
        else:
            sections[-1].blocks.append(block)
    return [s for s in sections if s.blocks]


def _prose_pieces(text: str, chunk_words: int, overlap_words: int, marked_headings: bool = False):
    for section in _sections(text, marked_headings):
        for body in _pack(section.blocks, _body_budget(section.heading, chunk_words), overlap_words):
            yield section.heading, f"{section.heading}\n{body}" if section.heading else body


def _body_budget(heading: str | None, chunk_words: int) -> int:
    """Words left for the body once the heading line, repeated at the top of every piece, is counted."""
    return max(chunk_words - word_count(heading or ""), chunk_words // 2)


def _pack(blocks: list[str], chunk_words: int, overlap_words: int) -> list[str]:
    """Greedy packing of blocks into chunks of at most `chunk_words`, splitting oversize blocks by sentence."""
    units: list[str] = []
    for block in blocks:
        if _fits(block, chunk_words):
            units.append(block)
        else:
            units.extend(_split_long_block(block, chunk_words))
    chunks: list[list[str]] = []
    size = 0
    for unit in units:
        words = word_count(unit)
        if chunks and size + words <= chunk_words and _fits("\n".join([*chunks[-1], unit]), chunk_words):
            chunks[-1].append(unit)
            size += words
            continue
        carry = _overlap(chunks[-1], overlap_words) if chunks and overlap_words else []
        if carry and not _fits(f"{carry[0]}\n{unit}", chunk_words):
            carry = []  # the overlap must not push a chunk over the cap
        chunks.append([*carry, unit])
        size = sum(word_count(u) for u in chunks[-1])
    return ["\n".join(units) for units in chunks]


def _split_long_block(block: str, chunk_words: int) -> list[str]:
    """Pieces of a block over the limit: whole sentences where it has them, else cut on word boundaries
    (a long line without sentence ends, a list without punctuation, a table row)."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(block):
        for part in _bounded(sentence, chunk_words):
            if current and not _fits(" ".join(current + [part]), chunk_words):
                pieces.append(" ".join(current))
                current = []
            current.append(part)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _fits(text: str, chunk_words: int) -> bool:
    return word_count(text) <= chunk_words and len(text) <= chunk_words * MAX_CHARS_PER_WORD


def _bounded(text: str, chunk_words: int) -> list[str]:
    """`text` in pieces within the passage limit, cut on word boundaries (line breaks kept); a single
    "word" longer than the character limit is cut where it must be. Text within the limit comes back unchanged."""
    if _fits(text, chunk_words):
        return [text]
    max_chars = chunk_words * MAX_CHARS_PER_WORD
    pieces: list[str] = []
    current, count = "", 0
    for line in text.splitlines():
        separator = "\n"
        for token in line.split():
            for word in (token[start : start + max_chars] for start in range(0, len(token), max_chars)):
                if current and (count >= chunk_words or len(current) + 1 + len(word) > max_chars):
                    pieces.append(current)
                    current, count = "", 0
                current = f"{current}{separator}{word}" if current else word
                separator, count = " ", count + 1
    if current:
        pieces.append(current)
    return pieces


def _overlap(previous: list[str], overlap_words: int) -> list[str]:
    """The last sentence of the previous chunk, when short enough, so a thought cut in two is found whole."""
    sentences = split_sentences(previous[-1])
    if sentences and word_count(sentences[-1]) <= overlap_words:
        return [sentences[-1]]
    return []


def answer_units(passage: Passage) -> list[str]:
    """The sentences and list items of a passage that an extractive answer may quote.

    The heading line is context, not content, so it is left out; so are fragments of two words or less,
    except list items: "- pleegzorg;" is one item of a list that must be given complete. Sentences that
    address the assistant never get here: ingest screens the units and takes such sentences out of
    the passage (`assistant.ingest.screening`)."""
    lines = passage.text.splitlines()
    if passage.heading and lines and lines[0].strip() == passage.heading:
        lines = lines[1:]
    return [unit for unit in split_sentences("\n".join(lines)) if word_count(unit) > 2 or is_list_item(unit)]
