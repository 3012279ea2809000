"""Check gold files against the corpus: every fact is in its source, every refusal's answer is not.

A fact that its expected source does not contain can never be found in an answer that quotes
that source, so the metric would blame the engine for a gold-file error; a refusal whose answer
is in the corpus after all should not be refused. Both are checked mechanically here, over any
file in the gold format:

- each expected fact has at least one alternative that occurs verbatim (case-insensitive,
  whitespace-normalised) in one of the question's expected sources; for `doc#article` only in
  that law article, from its "Artikel <article>" line up to the next article line;
- each `absent_terms` entry (except those starting with "__") occurs in no corpus file.

Usage: `python -m evals.check_facts FILE... [--corpus corpus]`; exits 1 when a question fails.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from evals.questions import GoldQuestion, QuestionFileError, SourceRef, load_questions

SKIPPED_TERM_PREFIX = "__"
"""absent_terms starting with this are notes for people, not terms to look up."""

_ARTICLE_LINE = re.compile(r"^(?:#+\s*)?Artikel\s+(\d+(?:\.\d+)*[a-z]?)\b")
"""A law article's first line: "Artikel 18a. Samenwerkingsverbanden", "Artikel 2.1", "Artikel 40a (…)"."""
_ARTICLE_HEADING = re.compile(r"^#+\s*.+?\s+artikel\s+(\d+(?:\.\d+)*[a-z]?)\b", re.IGNORECASE)
"""A heading that names law and article, as in the historical texts: "## Jeugdwet artikel 2.2 (…)"."""


def normalise(text: str) -> str:
    """Case and runs of whitespace (line breaks included) do not count; everything else does."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Corpus:
    """The corpus as the check needs it: normalised text per document id, and per law article."""

    documents: dict[str, str]
    articles: dict[tuple[str, str], str]

    @classmethod
    def load(cls, corpus_dir: Path) -> Corpus:
        """Every Markdown document under `corpus_dir` (hidden files and README.md skipped, as ingest does)."""
        documents: dict[str, str] = {}
        articles: dict[tuple[str, str], str] = {}
        for path in sorted(corpus_dir.rglob("*.md")):
            relative = path.relative_to(corpus_dir)
            if path.name.lower() == "readme.md" or any(part.startswith(".") for part in relative.parts):
                continue
            doc_id = relative.with_suffix("").as_posix()
            text = path.read_text(encoding="utf-8")
            documents[doc_id] = normalise(text)
            for article, section in split_articles(text).items():
                articles[(doc_id, article)] = normalise(section)
        return cls(documents, articles)

    def text_of(self, ref: SourceRef) -> str | None:
        """The text a fact must occur in; None when the document or article does not exist."""
        if ref.article is None:
            return self.documents.get(ref.doc_id)
        return self.articles.get((ref.doc_id, ref.article.casefold()))


def split_articles(text: str) -> dict[str, str]:
    """Article number (casefolded) -> its text, from its first line up to the next article's."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if match := _ARTICLE_LINE.match(stripped) or _ARTICLE_HEADING.match(stripped):
            current = sections.setdefault(match.group(1).casefold(), [])
        if current is not None:
            current.append(line)
    return {article: "\n".join(lines) for article, lines in sections.items()}


def check_question(question: GoldQuestion, corpus: Corpus) -> list[str]:
    """The problems of one question, in Dutch; empty when it passes."""
    problems: list[str] = []
    texts: list[str] = []
    for ref in question.expected_sources:
        text = corpus.text_of(ref)
        if text is None:
            what = f"artikel {ref.article} in {ref.doc_id}" if ref.article else f"document {ref.doc_id}"
            problems.append(f"bron {ref} bestaat niet ({what} niet gevonden)")
        else:
            texts.append(text)
    if texts:
        sources = ", ".join(str(ref) for ref in question.expected_sources)
        for fact in question.expected_facts:
            if not any(normalise(alternative) in text for alternative in fact for text in texts):
                problems.append(f"feit {' / '.join(repr(a) for a in fact)} staat niet letterlijk in {sources}")
    for term in question.absent_terms:
        if term.startswith(SKIPPED_TERM_PREFIX):
            continue
        found = [doc_id for doc_id, text in corpus.documents.items() if normalise(term) in text]
        if found:
            problems.append(f"afwezige term {term!r} staat wel in {', '.join(found)}")
    return problems


def check_file(path: Path, corpus: Corpus) -> tuple[int, dict[str, list[str]]]:
    """Number of questions in `path`, and the problems per question id (only ids with problems)."""
    questions = load_questions(path)
    failures = {question.id: problems for question in questions if (problems := check_question(question, corpus))}
    return len(questions), failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.check_facts",
        description="Controleer goudvragen tegen het corpus: feiten letterlijk in de bron, afwezige termen nergens.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="vragenbestanden (JSONL)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="map met brondocumenten (standaard: corpus)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpusmap {args.corpus} niet gevonden", file=sys.stderr)
        return 2
    corpus = Corpus.load(args.corpus)
    failed = 0
    for path in args.files:
        try:
            count, failures = check_file(path, corpus)
        except QuestionFileError as error:
            print(f"{error}", file=sys.stderr)
            return 2
        for question_id, problems in failures.items():
            print(f"{path}: {question_id}")
            for problem in problems:
                print(f"  - {problem}")
        print(f"{path}: {count} vragen, {len(failures)} met problemen")
        failed += len(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
