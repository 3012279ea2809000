"""Turn the text layer of a PDF into clean blocks: whole sentences and list items, real headings.

pypdf hands over text as the PDF draws it: line by line, with running headers and footers, page
numbers, end-of-line hyphens and footnote marks in a smaller font glued to the words. Passages cut
from that read badly and cite badly (a Kamerbrief titled "P agina 1 van 7", a list item cut where
the line ended). This module reads pypdf's text fragments with their position, font size and font
name (the `visitor_text` hook of `extract_text`), and repairs the layout in a few small steps:

1. fragments -> lines (pypdf's own line breaks), with size, boldness and footnote marks set apart;
2. running headers/footers and page numbers are recognised across pages and dropped;
3. footnotes at the foot of a page are set apart as units of their own;
4. lines -> blocks: wrapped lines are joined, hyphenation undone, list items kept as items,
   headings recognised from font size, boldness or section numbering;
5. a sentence cut by a page break is joined and stays on the page where it starts.

Reading order is the order of the content stream, which is the reading order for what Word,
LibreOffice, InDesign and fpdf2 write (also for two columns: a column is drawn after the other).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.textutils import normalize_spaces, split_sentences

# A footnote mark or superscript is drawn smaller than its line: about two thirds of the size in Word
# and LibreOffice, 0.7 in fpdf2 (`sup_scale`). 0.8 leaves room for those and keeps small-caps or a
# slightly smaller inline font from counting as a mark.
MARK_SIZE_RATIO = 0.8
# Word's default Kop 1 and Kop 2 are 16 and 13 pt on 11 pt body text (1.45 and 1.18 times); report
# templates go larger. Smaller headings are caught when they are bold; 1.15 keeps a body set in two
# nearby sizes (10.5 and 11 pt) from turning into headings.
HEADING_SIZE_RATIO = 1.15
# Footnote text is set smaller than the body (9-10 pt on 11-12 pt in Word's and fpdf2's defaults).
FOOTNOTE_SIZE_RATIO = 0.92
# A running header or footer repeats on most pages; odd and even pages may alternate two of them
# ("PBL | 4" / "Titel | 5"), so each is seen on about half of the pages: 0.4 leaves room for a cover.
RUNNING_SHARE = 0.4
# Running lines sit at the same height on every page; 4 pt absorbs rounding in the producer.
RUNNING_Y_TOLERANCE = 4.0
# A short line at the very top or bottom that recurs at the same height on this many pages is a
# running header even when it is not on most pages: chapter headers of reports, a chapter being 3+ pages.
EDGE_RUNNING_PAGES = 3
# Lines longer than this are body text, even when repeated: a header or footer is a few words, the
# lines of a letter's margin column ("Kenmerk", "IENW/BSK-2023/297705") fewer still. Away from the
# edges only such short lines count, so a repeated body line in a form-like report stays.
RUNNING_MAX_WORDS = 12
RUNNING_MAX_WORDS_INSIDE = 6
# Average glyph width of proportional Latin fonts is about half the font size: enough to compare
# line lengths on a page, which is all it is used for (telling a full line from a short last line).
GLYPH_WIDTH_EM = 0.5
# A line ends "short" (the last line of a paragraph) below this share of its column's width.
FULL_LINE_SHARE = 0.8
# Between the lines of a paragraph the baseline moves by one line spacing; a paragraph gap adds at
# least a third of one (Word's 8 pt after on 11 pt at 1.08 spacing gives 1.6 times).
PARAGRAPH_GAP_RATIO = 1.35
HEADING_MAX_WORDS = 20

_TERMINAL_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# Bullet glyphs seen in Office and InDesign output, incl. Symbol/Wingdings private-use code points.
# A glyph bullet may touch its text (pypdf adds no space when the gap is a tab stop); a dash needs one.
_BULLET = re.compile(
    r"^(?:[\u2022\u25cf\u25aa\u25a0\u25e6\u25cb\u2043\u2219\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8]\s*|[\u2013\u2014*-]\s+)(?=\S)"
)
_ITEM = re.compile(r"^(?:- |\d{1,2}[.)]\s|[a-z][.)]\s|\([a-z0-9]{1,3}\)\s|[ivx]{1,4}[.)]\s)")
_NUMBERED_SECTION = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÀ-Ý]")
# "Pagina 3 van 7", "P agina 3 van 7" (broken spacing), "blz. 4", "3/7", "- 3 -", "PBL | 4", "4 | PBL":
# matched on the line without white space, lowercased.
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|pag\.?|blz\.?|p\.)?[-–]?\d{1,4}[-–]?(?:(?:van|of|/)\d{1,4})?"
    r"|[^|·•]{1,40}[|·•]\d{1,4}|\d{1,4}[|·•][^|·•]{1,40})$"
)
# A person's name alone ("Frans Schilder", "J.A. de Vries"): a signature, never a heading.
_LONE_NAME = re.compile(
    r"^(?:(?:[A-Z]\.){1,4}\s*|[A-Z][a-zà-ÿ]+\s+)(?:(?:van|de|der|den|ter|ten|te|het|in\s+'t)\s+){0,3}[A-Z][a-zà-ÿ'’-]+$"
)
# The subject line of a Dutch letter, its real title: "Onderwerp Registratiekosten ...", "Betreft: ...".
_SUBJECT = re.compile(r"^(?:Onderwerp|Betreft)\s*:?\s+(\S.{3,})$")
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use: never in real text
_MARK = re.compile(f"{_MARK_OPEN}(\\d{{1,3}}){_MARK_CLOSE}")
_FOOTNOTE_START = re.compile(r"^(\d{1,3})\s*(\S.*)$")
# Dutch words that follow a kept hyphen: "jeugd- en gezinsbeleid", "onderwijs- of zorgaanbod".
_HYPHEN_KEEPERS = frozenset({"en", "of", "tot", "noch", "dan"})

FOOTNOTE_LABEL = "Voetnoot {number}: {text}"


@dataclass
class Line:
    """One line as drawn: text (footnote marks fenced by private-use characters) and its look."""

    text: str
    x: float
    y: float
    size: float
    bold: bool
    upright: bool = True

    @property
    def right(self) -> float:
        return self.x + len(self.text) * self.size * GLYPH_WIDTH_EM


@dataclass
class Block:
    """A paragraph, list item or heading after repair; `full_end` tells whether its last line ran
    to the column edge, i.e. whether the text probably goes on after a page break."""

    kind: str  # "title", "heading", "item" or "text"
    text: str
    full_end: bool = False
    x: float = 0.0


@dataclass
class Page:
    number: int
    blocks: list[Block] = field(default_factory=list)
    footnotes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Layout:
    """The repaired document: pages of blocks and the best title found in the text itself."""

    pages: list[Page]
    title: str | None


# --- 1. fragments -> lines -------------------------------------------------------------------------


def _matrix_mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _is_bold(font: Any) -> bool:
    name = str(font.get("/BaseFont", "")) if font else ""
    return any(word in name.lower() for word in _BOLD_NAMES)


class _LineCollector:
    """Receives pypdf's text fragments and cuts them into lines where pypdf puts a line break.

    A fragment of 1-3 digits set clearly smaller than the text it follows is a footnote mark; it is
    kept fenced off so the footnote pass can remove it (or restore it, e.g. the 2 of "m2")."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._parts: list[tuple[str, float, float, float, bool]] = []
        self._upright = True

    def visit(self, text: str, cm: list[float], tm: list[float], font: Any, font_size: float) -> None:
        matrix = _matrix_mult(tm, cm)
        size = abs(font_size) * (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5
        bold = _is_bold(font)
        for index, piece in enumerate(text.split("\n")):
            if index:
                self._end_line()
            if piece and not self._parts:
                self._upright = matrix[0] > 0 and abs(matrix[1]) < matrix[0]
            if piece:
                self._add(piece, matrix[4], matrix[5], size, bold)

    def _add(self, piece: str, x: float, y: float, size: float, bold: bool) -> None:
        previous = next((part for part in reversed(self._parts) if part[0].strip()), None)
        stripped = piece.strip()
        if (
            previous is not None
            and stripped.isdigit()
            and len(stripped) <= 3
            and size <= previous[3] * MARK_SIZE_RATIO
            and not previous[0].endswith(" ")
        ):
            piece = f"{_MARK_OPEN}{stripped}{_MARK_CLOSE}"
            size = previous[3]  # the mark must not pull the line's size down
        if self._parts and not stripped and not self._parts[-1][0].strip():
            return
        self._parts.append((piece, x, y, size, bold))

    def _end_line(self) -> None:
        parts = [part for part in self._parts if part[0]]
        self._parts = []
        text = normalize_spaces("".join(part[0] for part in parts))
        if not text:
            return
        first = next(part for part in parts if part[0].strip())
        weights: Counter[float] = Counter()
        bold_chars = 0
        for piece, _, _, size, bold in parts:
            weights[round(size, 1)] += len(piece.strip())
            bold_chars += len(piece.strip()) if bold else 0
        size = weights.most_common(1)[0][0]
        total = sum(weights.values()) or 1
        self.lines.append(Line(text, first[1], first[2], size, bold_chars / total >= 0.9, self._upright))

    def finish(self) -> list[Line]:
        self._end_line()
        return self.lines


def page_lines(page: Any) -> list[Line]:
    """The lines of one pypdf page, in drawing order, with position, size and boldness.

    Turned text on a page of upright text is a margin label ("Concept", a document number running
    up the edge) and is left out; a page drawn turned as a whole keeps all of its text."""
    collector = _LineCollector()
    page.extract_text(visitor_text=collector.visit)
    lines = collector.finish()
    upright = sum(len(line.text) for line in lines if line.upright)
    if upright * 2 >= sum(len(line.text) for line in lines):
        lines = [line for line in lines if line.upright]
    return lines


# --- 2. running headers, footers and page numbers --------------------------------------------------


def _pattern(text: str) -> str:
    """A line's shape across pages: digits and spacing do not count ("P agina 3 van 7" = "Pagina 4 van 7")."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", _MARK.sub("", text).lower()))


def is_page_number(text: str) -> bool:
    """Page numbers in the shapes Dutch government and research PDFs use, spacing ignored."""
    return bool(_PAGE_NUMBER.match(re.sub(r"\s+", "", _MARK.sub(r"\1", text).lower())))


def _edge_lines(lines: list[Line]) -> set[int]:
    """Indexes of the two highest and two lowest lines: where page numbers and running lines sit."""
    by_height = sorted(range(len(lines)), key=lambda index: lines[index].y)
    return set(by_height[:2] + by_height[-2:])


def running_patterns(pages: list[list[Line]]) -> set[str]:
    """Line shapes that recur at the same height on many pages: headers, footers, and the margin
    column of a letter ("Kenmerk IENW/BSK-2023/297705"). For a short line at the top or bottom edge
    a few pages suffice, so a chapter's own running header ("Hoofdstuk 2 | Toezicht") goes too.
    One-page documents have none."""
    if len(pages) < 2:
        return set()
    needed = max(2, round(RUNNING_SHARE * len(pages) + 0.49))
    needed_at_edge = min(needed, EDGE_RUNNING_PAGES)
    heights: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
    for number, lines in enumerate(pages):
        edges = _edge_lines(lines)
        for index, line in enumerate(lines):
            words = len(line.text.split())
            if words <= RUNNING_MAX_WORDS_INSIDE or index in edges and words <= RUNNING_MAX_WORDS:
                heights[_pattern(line.text)].append((number, line.y, index in edges and words <= RUNNING_MAX_WORDS_INSIDE))
    running = set()
    for pattern, seen in heights.items():
        if len({number for number, _, _ in seen}) < needed_at_edge:
            continue
        usual = statistics.median(y for _, y, _ in seen)
        there = [(number, short_at_edge) for number, y, short_at_edge in seen if abs(y - usual) <= RUNNING_Y_TOLERANCE]
        if len({number for number, _ in there}) >= needed or len({n for n, edge in there if edge}) >= needed_at_edge:
            running.add(pattern)
    return running


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without running headers/footers and without page numbers at the top or bottom.

    Text set larger than the body is never furniture: a report whose running header repeats its
    title keeps that title where page 1 shows it in large type."""
    running = running_patterns(pages)
    large = body_size(pages) * HEADING_SIZE_RATIO
    cleaned = []
    for lines in pages:
        edges = _edge_lines(lines)
        cleaned.append(
            [
                line
                for index, line in enumerate(lines)
                if line.size >= large
                or (_pattern(line.text) not in running and not (index in edges and is_page_number(line.text)))
            ]
        )
    return cleaned


# --- 3. footnotes ------------------------------------------------------------------------------------


def split_footnotes(lines: list[Line], body_size: float) -> tuple[list[Line], list[tuple[str, str]]]:
    """Body lines and the page's footnotes (number, text).

    Footnotes are the run of smaller lines at the end of a page that starts with a number; a small
    caption or source line without a number stays body text. A footnote ends where the next number
    (one higher) starts a line."""
    start = len(lines)
    while start > 0 and lines[start - 1].size <= body_size * FOOTNOTE_SIZE_RATIO:
        start -= 1
    while start < len(lines) and not _FOOTNOTE_START.match(_MARK.sub(r"\1", lines[start].text)):
        start += 1
    if start == len(lines):
        return lines, []
    notes: list[tuple[str, str]] = []
    for line in lines[start:]:
        text = _MARK.sub(r"\1", line.text)
        match = _FOOTNOTE_START.match(text)
        if match and (not notes or int(match.group(1)) == int(notes[-1][0]) + 1):
            notes.append((match.group(1), match.group(2)))
        else:
            notes[-1] = (notes[-1][0], join_lines(notes[-1][1], text))
    return lines[:start], notes


def resolve_marks(text: str, footnote_numbers: set[str]) -> str:
    """Drop marks that have a footnote (the note is kept as its own unit); restore any other small
    digits where they stood, since they were a superscript that belongs to the word ("m2")."""
    return _MARK.sub(lambda m: "" if m.group(1) in footnote_numbers else m.group(1), text)


# --- 4. lines -> blocks ------------------------------------------------------------------------------


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines, undoing end-of-line hyphenation.

    "ver-" + "huizing" -> "verhuizing"; a hyphen that belongs to the text stays: "EU-" + "landen",
    "Noord-" + "Brabant", "2023-" + "2024", and "jeugd-" + "en gezinsbeleid" keeps its space."""
    if not left:
        return right
    if left.endswith("\u00ad"):  # a soft hyphen is a hyphenation point by definition
        return left[:-1] + right
    left = re.sub("\u2010$", "-", left)  # U+2010 HYPHEN, used by InDesign
    hyphenated = re.search(r"(\w)-$", left)
    if hyphenated:
        next_word = re.split(r"[\s,.;:]", right, maxsplit=1)[0]
        if next_word in _HYPHEN_KEEPERS:
            return f"{left} {right}"
        if hyphenated.group(1).islower() and right[:1].islower():
            return left[:-1] + right
        return left + right
    return f"{left} {right}"


def normalise_bullet(text: str) -> str:
    """Bullets of every font become "- ", the list marker the chunker and answerer know."""
    return _BULLET.sub("- ", text, count=1)


def body_size(pages: Iterable[list[Line]]) -> float:
    """The font size of most characters in the document: the yardstick for headings and notes."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _line_spacing(lines: list[Line]) -> float | None:
    steps = [
        previous.y - line.y
        for previous, line in zip(lines, lines[1:], strict=False)
        if abs(previous.size - line.size) < 0.5 and 0 < previous.y - line.y < 3 * line.size
    ]
    return statistics.median(steps) if steps else None


def is_lone_name(text: str) -> bool:
    return len(text.split()) <= 5 and bool(_LONE_NAME.match(text))


def _heading_worthy(text: str) -> bool:
    """What may be a heading at all: a few words with letters, no page number, no person's name,
    not a sentence fragment (lowercase start, trailing comma)."""
    return (
        any(ch.isalpha() for ch in text)
        and len(text.split()) <= HEADING_MAX_WORDS
        and not text[:1].islower()
        and not text.endswith((",", ";"))
        and not is_page_number(text)
        and not is_lone_name(text)
    )


def _styled_heading(line: Line, size: float, bold_body: bool) -> bool:
    if not _heading_worthy(line.text) or line.text.endswith("."):
        return False
    return line.size >= size * HEADING_SIZE_RATIO or (line.bold and not bold_body and line.size >= size * 0.95)


def _column_right(lines: list[Line], line: Line, page_width: float) -> float:
    """The right edge of the column the line sits in: the longest line starting near the same x."""
    near = [other.right for other in lines if abs(other.x - line.x) < page_width * 0.25]
    return max(near) if near else line.right


def build_blocks(lines: list[Line], size: float, page_width: float, bold_body: bool) -> list[Block]:
    """Join wrapped lines into paragraphs and list items; set headings apart."""
    spacing = _line_spacing(lines)
    blocks: list[Block] = []
    previous: Line | None = None
    for line in lines:
        text = normalise_bullet(line.text)
        full = (line.right - line.x) >= FULL_LINE_SHARE * (_column_right(lines, line, page_width) - line.x)
        heading = _styled_heading(line, size, bold_body)
        current = blocks[-1] if blocks else None
        if heading:
            if current is not None and current.kind == "heading" and previous is not None and _same_style(previous, line):
                current.text = join_lines(current.text, text)
            else:
                blocks.append(Block("heading", text))
        elif (
            current is None
            or current.kind == "heading"
            or _ITEM.match(text)
            or _starts_new_block(previous, line, current, spacing)
        ):
            blocks.append(Block("item" if _ITEM.match(text) else "text", text, full, line.x))
        else:
            current.text = join_lines(current.text, text)
            current.full_end = full
        previous = line
    return _numbered_headings(blocks)


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.5 and a.bold == b.bold and 0 < a.y - b.y < 2 * a.size


def _starts_new_block(previous: Line | None, line: Line, current: Block, spacing: float | None) -> bool:
    """A new paragraph starts after a vertical gap, at the list's margin after a finished item, or
    after a short line that ends a sentence or is followed by a capital (an address, a signature)."""
    if previous is None:
        return True
    step = previous.y - line.y
    if spacing and step > spacing * PARAGRAPH_GAP_RATIO and abs(previous.size - line.size) < 0.5:
        return True
    if abs(previous.size - line.size) >= 1.0:
        return True
    if current.kind == "item" and line.x <= current.x + 1 and _TERMINAL_END.search(current.text):
        return True  # back at the bullet's margin after a finished item: the list is over
    if current.full_end:
        return False
    return bool(_TERMINAL_END.search(current.text)) or not line.text[:1].islower()


def _numbered_headings(blocks: list[Block]) -> list[Block]:
    """A short numbered line between paragraphs ("2. Registratiekosten voor ouders") is a section
    heading; the same line between other numbered lines is a list item."""
    for index, block in enumerate(blocks):
        if block.kind != "item" or not _NUMBERED_SECTION.match(block.text):
            continue
        before = blocks[index - 1].kind if index else None
        after = blocks[index + 1].kind if index + 1 < len(blocks) else None
        if (
            before != "item"
            and after not in ("item", None)
            and len(block.text.split()) <= 12
            and not _TERMINAL_END.search(block.text)
            and _heading_worthy(block.text)
        ):
            block.kind = "heading"
    return blocks


# --- 5. the whole document ----------------------------------------------------------------------------


def _title_from_first_page(lines: list[Line], size: float) -> str | None:
    """A letter's subject ("Onderwerp ..."); else the largest text on the first page with text when it
    stands out from the body; else its first line, unless that starts a paragraph or is small print."""
    for line in lines:
        if subject := _SUBJECT.match(_MARK.sub("", line.text)):
            return subject.group(1)[:200]
    candidates = [line for line in lines if _heading_worthy(_MARK.sub("", line.text))]
    largest = max((line.size for line in candidates), default=0.0)
    if largest >= size * HEADING_SIZE_RATIO:
        start = next(index for index, line in enumerate(lines) if line.size == largest)
        parts = [lines[start].text]
        for line in lines[start + 1 : start + 3]:
            if line.size != largest:
                break
            parts.append(line.text)
        return _MARK.sub("", " ".join(parts))[:200]
    if not candidates or candidates[0] is not lines[0] or candidates[0].text.endswith("."):
        return None
    if lines[0].size < size * FOOTNOTE_SIZE_RATIO:
        return None  # small print ("> Retouradres Postbus ...") names no document
    if len(lines) > 1 and lines[1].text[:1].islower():
        return None  # the first line of a paragraph that goes on is no title
    return _MARK.sub("", lines[0].text)[:200]


def _join_across_pages(pages: list[Page]) -> None:
    """Move the tail of a sentence (or list item) that runs over a page break back to the page where
    it starts, so it is one unit and cites that page."""
    for page, following in zip(pages, pages[1:], strict=False):
        if not page.blocks or not following.blocks:
            continue
        last, first = page.blocks[-1], following.blocks[0]
        if last.kind not in ("text", "item") or first.kind != "text" or _TERMINAL_END.search(last.text):
            continue
        if not (last.full_end or first.text[:1].islower()):
            continue
        sentences = split_sentences(first.text)
        tail = sentences[0] if sentences else first.text
        last.text = join_lines(last.text, tail)
        last.full_end = False
        rest = first.text[len(tail):].strip() if first.text.startswith(tail) else " ".join(sentences[1:])
        if rest:
            first.text = rest
        else:
            following.blocks.pop(0)


def analyse(pages: list[list[Line]], page_width: float) -> Layout:
    """Repair the layout of a whole document (see the module docstring for the steps)."""
    pages = drop_furniture(pages)
    size = body_size(pages)
    all_lines = [line for lines in pages for line in lines]
    bold_chars = sum(len(line.text) for line in all_lines if line.bold)
    bold_body = bold_chars > 0.5 * sum(len(line.text) for line in all_lines)
    result: list[Page] = []
    for number, lines in enumerate(pages, start=1):
        body, notes = split_footnotes(lines, size)
        result.append(Page(number, build_blocks(body, size, page_width, bold_body), notes))
    first = next((index for index, lines in enumerate(pages) if lines), None)  # a cover may be an image only
    title = _title_from_first_page(pages[first], size) if first is not None else None
    if first is not None and title:
        for block in result[first].blocks[:3]:
            if block.kind == "heading" and _MARK.sub("", block.text).startswith(title[:40]):
                block.kind = "title"
                break
    numbers = {number for page in result for number, _ in page.footnotes}
    for page in result:
        for block in page.blocks:
            block.text = resolve_marks(block.text, numbers)
        page.footnotes = [(number, resolve_marks(text, numbers)) for number, text in page.footnotes]
    _join_across_pages(result)  # after the marks are gone: "meldingen.³ Blinde" must split after "."
    return Layout(result, title)


def render_pages(layout: Layout) -> list[str]:
    """Page texts for the chunker: "# " title, "## " headings (carried onto the next page when it
    starts inside a section, so its passages still name the section), one line per paragraph or
    list item, and the page's footnotes last, each on its own line."""
    texts: list[str] = []
    section: str | None = None
    for page in layout.pages:
        lines: list[str] = []
        if section and (not page.blocks or page.blocks[0].kind not in ("heading", "title")):
            lines.append(f"## {section}")
        for block in page.blocks:
            if block.kind == "title":
                lines.append(f"# {block.text}")
            elif block.kind == "heading":
                section = block.text
                lines.append(f"## {block.text}")
            else:
                lines.append(block.text)
        lines.extend(FOOTNOTE_LABEL.format(number=number, text=text) for number, text in page.footnotes)
        texts.append("\n".join(lines))
    return texts
