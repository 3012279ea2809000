"""Dutch lexical matching: an analyser (lowercase, no accents, stop words out, Snowball stems) and
Okapi BM25 over the indexed passages, plus typo repair against the corpus vocabulary."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.search.general_vocabulary import is_common, zipf
from assistant.textutils import WORD, normalize

DUTCH_STOP_WORDS = frozenset(
    """aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens
    en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon
    kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds te
    tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wil worden wordt zal ze
    zelf zich zij zijn zo zonder zou welke welk waar wanneer waarom hoeveel ik jij jullie wij zij elk ieder
    staat staan stond stonden gaat gaan ging geldt gelden gold krijgt krijgen kreeg mag mogen moest zegt zeggen
    doet deed hebt had heeft kunt zult weet weten vind vindt graag precies eigenlijk
    the of and a an to is are what which who how does do in on for""".split()
)

_stemmer = Stemmer.Stemmer("dutch")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Normalised words without stop words; kept unstemmed for typo repair and display."""
    return [w for w in WORD.findall(normalize(text)) if w not in DUTCH_STOP_WORDS and len(w) > 1 or w.isdigit()]


def analyse(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


@dataclass
class BM25:
    """Okapi BM25 over pre-analysed documents, its postings in flat arrays (one run of document numbers
    and counts per term, in document order).

    Why arrays: as a dict of Python tuples the postings took 88 MB at 30,000 passages, and a query walked
    tens of thousands of them in Python (60 of the 181 ms of an `ask` under cProfile at 100,000 passages).
    The arithmetic is the same, term by term and in the same order, so every score is the same float."""

    k1: float = 1.2
    b: float = 0.75
    idf: dict[str, float] = field(default_factory=dict)
    """term -> inverse document frequency; its keys are the index's vocabulary of stems."""
    rows: dict[str, int] = field(default_factory=dict)
    """term -> its run in `starts`."""
    starts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    documents: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    average: float = 1.0

    @classmethod
    def build(cls, documents: list[list[str]]) -> BM25:
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_number, terms in enumerate(documents):
            for term, count in Counter(terms).items():
                postings.setdefault(term, []).append((doc_number, count))
        total = len(documents)
        lengths = [len(doc) for doc in documents]
        flat = [hit for hits in postings.values() for hit in hits]
        return cls(
            idf={term: math.log(1 + (total - len(hits) + 0.5) / (len(hits) + 0.5)) for term, hits in postings.items()},
            rows={term: row for row, term in enumerate(postings)},
            starts=np.cumsum([0, *(len(hits) for hits in postings.values())], dtype=np.int64),
            documents=np.asarray([doc for doc, _ in flat], dtype=np.int32),
            counts=np.asarray([count for _, count in flat], dtype=np.int32),
            lengths=np.asarray(lengths, dtype=np.int64),
            average=(sum(lengths) / len(lengths) or 1.0) if lengths else 1.0,
        )

    def scores(self, query_terms: list[str]) -> dict[int, float]:
        """doc number -> score for every document holding a query term, in the order they are first met
        (term by term, then by document number)."""
        documents, scores, _ = self._accumulate(query_terms)
        return dict(zip(documents.tolist(), scores.tolist(), strict=True))

    def ranked(self, query_terms: list[str]) -> list[int]:
        """Documents holding a query term, best score first; equal scores in the order `scores` meets them."""
        documents, scores, first_term = self._accumulate(query_terms)
        return documents[np.lexsort((first_term, -scores))].tolist()

    def _accumulate(self, query_terms: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(documents in first-met order, their scores, the query term each was first met by)."""
        total = np.zeros(len(self.lengths), dtype=np.float64)
        first_term = np.full(len(self.lengths), -1, dtype=np.int64)
        met: list[np.ndarray] = []
        for number, term in enumerate(t for t in dict.fromkeys(query_terms) if t in self.rows):
            row = self.rows[term]
            documents = self.documents[self.starts[row]:self.starts[row + 1]]
            counts = self.counts[self.starts[row]:self.starts[row + 1]]
            norm = counts + self.k1 * (1 - self.b + self.b * self.lengths[documents] / self.average)
            total[documents] += self.idf[term] * counts * (self.k1 + 1) / norm
            new = documents[first_term[documents] < 0]
            first_term[new] = number
            met.append(new)
        if not met:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.int64)
        order = np.concatenate(met).astype(np.int64)
        return order, total[order], first_term[order]


def repair_typos(query_words: list[str], vocabulary: frozenset[str]) -> dict[str, str]:
    """Map words the corpus does not know to a close corpus word ("gemente" -> "gemeente").

    Only words of 5+ letters, and only at edit distance 1 (2 for words of 11+ letters), so that real
    but rare words ("hoofdstad") are not bent into common ones ("hoofdstuk"). The distance counts a
    swap of two neighbouring letters as one edit ("Dornten" -> "Dronten"), the commonest typing slip.
    A word that is ordinary Dutch is no typo, even when the sources do not use it ("dagen" stays,
    it does not become "dragen")."""
    fixes: dict[str, str] = {}
    for word in query_words:
        if word in vocabulary or len(word) < 5 or word.isdigit() or is_common(word):
            continue
        limit = 2 if len(word) >= 11 else 1
        # Typos rarely hit the first letter; requiring it keeps "geld" from becoming "meld".
        candidates = [known for known in vocabulary if known[0] == word[0]]
        matches = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if matches:
            # Of equally close words the commoner Dutch one, then the alphabetically first: the same
            # repair in every process (a set's order changes with Python's hash seed).
            nearest = min(distance for _, distance, _ in matches)
            fixes[word] = min((known for known, distance, _ in matches if distance == nearest),
                              key=lambda known: (-zipf(known), known))
    return fixes
