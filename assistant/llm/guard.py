"""Citation guard for LLM answers: keep only sentences that the passage they cite supports.

Why: a language model's `[n]` markers are claims, not facts. Users of RAG tools complain most about
citations that point to the wrong or a non-existent source and about answers from outside the
sources, so every LLM answer passes this check before anyone sees it as final:

- markers pointing to no passage are removed;
- each sentence is checked against each passage it cites: enough of its content words (stems and
  every number, law references included) must occur in the passage, and the passage must hold a
  sentence close to it in meaning (embedding cosine). Citations of passages that do not support
  the sentence are removed; a sentence no cited passage supports is dropped;
- a sentence without any marker is kept only if some passage supports it, and then gets that
  passage's marker (small models often forget one);
- the model's fixed refusal sentence is recognised, so the caller can refuse in our own words.

What the guard did is reported as Dutch notes for `Answer.guard_notes`; the citation quotes are the
passage sentences that support the kept answer sentences best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz

from assistant import messages
from assistant.answer.answering import lid_in_words
from assistant.answer.citations import MARKER, renumber
from assistant.config import Settings
from assistant.models import Citation, Passage
from assistant.search.lexical import analyse
from assistant.textutils import is_list_item, normalize, split_sentences

REFUSAL_SENTENCE = messages.REFUSALS_NL["not_found"]
"""The exact sentence the prompt asks for when the passages do not answer; the guard recognises it."""

# Notes for users, in Dutch, about what the guard changed.
NOTE_REFUSED = "Het taalmodel vond het antwoord niet in de bronnen."
NOTE_FALLBACK = (
    "Het antwoord van het taalmodel hield geen zin met een geldige bronvermelding over; "
    "dit antwoord is samengesteld uit de bronnen zelf."
)
NOTE_NOT_ASKED = (
    "De vraag is niet aan het taalmodel voorgelegd: de bronnen gaan er niet over, of het is geen vraag over de bronnen."
)


def note_model_failed(error: Exception) -> str:
    return f"Het taalmodel gaf geen antwoord ({error.__class__.__name__}); dit antwoord is samengesteld uit de bronnen zelf."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


_ALT_MARKERS = re.compile(r"\[(?:bron\s*)?(\d{1,3}(?:\s*[,;]\s*(?:bron\s*)?\d{1,3})*)\]", re.IGNORECASE)
_TAGS = re.compile(r"</?bron\b[^>]*>", re.IGNORECASE)
_REFUSAL_CORE = re.compile(r"\bniet in de (bronnen|passages)\b")
_REFUSAL_NORMALIZED = normalize(REFUSAL_SENTENCE)


class SentenceSource(Protocol):
    """The index snapshot the answer's passages came from: their indexed sentences, scored against a vector."""

    def sentence_scores(self, passage_id: str, query_vector: np.ndarray) -> list[tuple[str, float]]: ...


class Encoder(Protocol):
    """The embedding model's batch encoder (`TextEmbeddings.encode`)."""

    def encode(self, texts: list[str], kind: str) -> np.ndarray: ...


@dataclass
class Statement:
    """One sentence (or list item) of an answer, its markers taken out; `kept` is filled by the guard."""

    line: int
    text: str
    markers: list[int]
    kept: list[int] = field(default_factory=list)

    @property
    def checkable(self) -> bool:
        """False for lines like 'De taken zijn:' and 'Ja.': they introduce or connect, and state nothing to check."""
        return bool(analyse(self.text)) and not self.text.rstrip().endswith(":")


@dataclass
class GuardResult:
    text: str
    citations: list[Citation]
    notes: list[str]
    refused: bool


@dataclass
class _Support:
    supported: bool
    cosine: float
    quote: str


def is_refusal(text: str) -> bool:
    """True when the model said (a close variant of) the refusal sentence anywhere in its answer."""
    plain = normalize(MARKER.sub(" ", text))
    if _REFUSAL_NORMALIZED in plain or _REFUSAL_CORE.search(plain):
        return True
    return any(fuzz.ratio(normalize(sentence), _REFUSAL_NORMALIZED) >= 80 for sentence in split_sentences(text))


def normalise_markers(text: str) -> str:
    """'[1, 2]' and '[bron 3]' become '[1][2]' and '[3]'; echoed <bron> tags are removed."""
    text = _TAGS.sub("", text)
    return _ALT_MARKERS.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)


def split_statements(text: str) -> list[Statement]:
    """Sentences per line with their markers; a marker opening a sentence belongs to the one before."""
    statements: list[Statement] = []
    for line_number, line in enumerate(text.splitlines()):
        previous: Statement | None = None
        for sentence in split_sentences(line):
            leading = re.match(r"^(\s*\[\d{1,3}\])+", sentence)
            if leading and previous is not None:
                previous.markers += [int(n) for n in MARKER.findall(leading.group(0))]
                sentence = sentence[leading.end():]
            body = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", sentence)).strip()
            if body:
                previous = Statement(line_number, body, [int(n) for n in MARKER.findall(sentence)])
                statements.append(previous)
    return statements


def _numbers(text: str) -> set[str]:
    return {word for word in normalize(text).split() if any(c.isdigit() for c in word)}


def _evidence(passage: Passage) -> str:
    """The passage text with what it vouches for by its place: title, heading, law reference, lid in words."""
    lid_words = lid_in_words(passage.lid) if passage.lid else None
    parts = (passage.title, passage.heading, passage.short, passage.reference, lid_words, passage.text)
    return " ".join(part for part in parts if part)


class CitationGuard:
    """Checks one answer against the passages that were numbered in its prompt."""

    def __init__(self, encoder: Encoder, settings: Settings) -> None:
        self.encoder = encoder
        self.min_overlap = settings.guard_min_overlap
        self.min_cosine = settings.guard_min_cosine

    def check(self, text: str, passages: list[Passage], question: str = "",
              sentences: SentenceSource | None = None) -> GuardResult:
        """Guard `text`, whose `[n]` refer to `passages` (1-based); `question` sharpens the support test;
        `sentences` (the search's snapshot) saves embedding the passages' sentences again."""
        if is_refusal(text):
            return GuardResult("", [], [NOTE_REFUSED], refused=True)
        text = normalise_markers(text)
        statements = split_statements(text)
        numbers = range(1, len(passages) + 1)
        invalid = sum(n not in numbers for s in statements for n in s.markers)
        claims = [s for s in statements if s.checkable]
        vectors = self.encoder.encode([s.text for s in claims], "query") if claims else []
        evidence = [(set(analyse(_evidence(p))), _numbers(_evidence(p))) for p in passages]
        asked = set(analyse(question))
        quotes: dict[int, list[str]] = {}
        seen: set[str] = set()
        unsupported = dropped = added = repeated = 0
        for statement in statements:
            statement.kept = [n for n in dict.fromkeys(statement.markers) if n in numbers]
        for statement, vector in zip(claims, vectors, strict=True):
            if normalize(statement.text) in seen:  # small models loop on a sentence
                statement.kept = []
                repeated += 1
                continue
            seen.add(normalize(statement.text))
            cited = statement.kept
            support = {n: self._support(statement.text, vector, passages[n - 1], evidence[n - 1], asked, sentences)
                       for n in cited or numbers}
            kept = [n for n, s in support.items() if s.supported]
            if not cited:  # no marker: cite the one passage that supports it best, if any does
                kept = sorted(kept, key=lambda n: support[n].cosine, reverse=True)[:1]
                added += bool(kept)
            elif kept:
                unsupported += len(cited) - len(kept)
            dropped += not kept
            statement.kept = kept
            for n in kept:
                quotes.setdefault(n, [])
                if support[n].quote not in quotes[n]:
                    quotes[n].append(support[n].quote)
        kept_text = _render(text, [s for s in statements if s.kept or not s.checkable])
        ordered = {n: _in_passage_order(q, passages[n - 1]) for n, q in quotes.items()}
        checked = renumber(kept_text, passages, ordered)
        notes = _notes(invalid, unsupported, dropped, added, repeated)
        return GuardResult(checked.text, checked.citations, notes, refused=False)

    def _support(self, sentence: str, vector: np.ndarray, passage: Passage,
                 evidence: tuple[set[str], set[str]], asked: set[str], sentences: SentenceSource | None) -> _Support:
        """Supported: enough shared content words, every number found, and a sentence close in meaning.

        The words a sentence shares with the question tie the passage to what was asked, so enough of
        those must be in the passage too: otherwise a copied passage about something else, framed as
        "De landelijke norm is dat ...", would pass on the copied words alone."""
        stems, numbers = evidence
        terms = set(analyse(sentence))
        tied = terms & asked
        overlap = min(_share(terms, stems), _share(tied, stems) if tied else 1.0)
        scored = self._scored(vector, passage, sentences)
        quote, cosine = max(scored, key=lambda item: item[1]) if scored else (passage.text, 0.0)
        supported = overlap >= self.min_overlap and cosine >= self.min_cosine and _numbers(sentence) <= numbers
        return _Support(supported, cosine, quote)

    def _scored(self, vector: np.ndarray, passage: Passage, indexed: SentenceSource | None) -> list[tuple[str, float]]:
        """The passage's indexed sentences with their cosine to `vector`; embedded here if not indexed."""
        scored = indexed.sentence_scores(passage.id, vector) if indexed else []
        if scored:
            return scored
        sentences = split_sentences(passage.text)
        matrix = self.encoder.encode(sentences, "passage") if sentences else np.zeros((0, len(vector)))
        return list(zip(sentences, (matrix @ vector).tolist(), strict=True))


def _share(terms: set[str], stems: set[str]) -> float:
    return len(terms & stems) / len(terms)


def _in_passage_order(quotes: list[str], passage: Passage) -> list[str]:
    """Quotes read as in the source; a quote not found verbatim (an indexed unit) goes last."""
    return sorted(quotes, key=lambda quote: (quote not in passage.text, passage.text.find(quote)))


def _render(text: str, kept: list[Statement]) -> str:
    """The kept sentences with their kept markers on their original lines, so list items stay items."""
    out: list[str] = []
    for number, line in enumerate(text.splitlines()):
        parts = [s.text + "".join(f" [{n}]" for n in s.kept) for s in kept if s.line == number]
        if parts:
            out.append(" ".join(parts))
        elif not line.strip() and out and out[-1]:
            out.append("")
    return "\n".join(_drop_orphan_intros(out)).strip()


def _drop_orphan_intros(lines: list[str]) -> list[str]:
    """An intro line ('De taken zijn:') whose list items were all dropped has nothing left to introduce."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        following = next((later for later in lines[i + 1:] if later.strip()), "")
        if not (line.rstrip().endswith(":") and not is_list_item(following)):
            kept.append(line)
    return kept


def _notes(invalid: int, unsupported: int, dropped: int, added: int, repeated: int) -> list[str]:
    notes = []
    if invalid:
        notes.append(f"{_count(invalid, 'verwijzing', 'verwijzingen')} naar een niet-bestaande bron verwijderd")
    if unsupported:
        notes.append(f"{_count(unsupported, 'verwijzing', 'verwijzingen')} naar een bron die de zin niet steunt verwijderd")
    if dropped:
        notes.append(f"{_count(dropped, 'zin', 'zinnen')} zonder steun in de bronnen weggelaten")
    if repeated:
        notes.append(f"{_count(repeated, 'herhaalde zin', 'herhaalde zinnen')} weggelaten")
    if added:
        notes.append(f"bij {_count(added, 'zin', 'zinnen')} zonder bronvermelding de steunende bron toegevoegd")
    return notes
