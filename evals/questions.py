"""The gold question file: one JSON object per line, validated strictly.

A gold set that silently accepts a typo in a field name measures nothing, so every line is
checked on load and the first problem is reported with its line number. Tags are free-form: the
harness must run on any gold file in this format (another team's tags, or none), so it attaches
no meaning to a tag beyond grouping, except for the few probe tags in `evals.metrics`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

_REQUIRED = {"id", "question", "expected_sources", "expected_facts", "answerable"}
_OPTIONAL = {"history", "tags", "absent_terms"}
_ROLES = {"user", "assistant"}
_SOURCE = re.compile(r"[\w.-]+(?:/[\w.-]+)*(?:#[\w.]+)?")
"""A doc id (path under corpus/ without extension), optionally `#article` such as `#18a` or `#2.47`."""


class QuestionFileError(AssistantError):
    """A gold question file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class SourceRef:
    """An expected source: a document id, optionally narrowed to one law article."""

    doc_id: str
    article: str | None = None

    @classmethod
    def parse(cls, text: str) -> SourceRef:
        doc_id, _, article = text.partition("#")
        return cls(doc_id=doc_id, article=article or None)

    def __str__(self) -> str:
        return f"{self.doc_id}#{self.article}" if self.article else self.doc_id


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    expected_sources: tuple[SourceRef, ...]
    expected_facts: tuple[tuple[str, ...], ...]
    answerable: bool
    tags: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    absent_terms: tuple[str, ...] = ()
    """For refusals: words a real answer would need and the corpus lacks (checked by `evals.check_facts`)."""

    def to_dict(self) -> dict[str, Any]:
        """The question as written in the gold file (used in results.json)."""
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "expected_sources": [str(source) for source in self.expected_sources],
            "expected_facts": [list(fact) for fact in self.expected_facts],
            "answerable": self.answerable,
            "tags": list(self.tags),
        }
        if self.history:
            data["history"] = [dict(turn) for turn in self.history]
        if self.absent_terms:
            data["absent_terms"] = list(self.absent_terms)
        return data


def load_questions(path: Path) -> list[GoldQuestion]:
    """All questions in `path`; raises `QuestionFileError` naming the file and the first bad line."""
    if not path.is_file():
        raise QuestionFileError(f"vragenbestand {path} niet gevonden", source=str(path))
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = parse_question(json.loads(line))
        except json.JSONDecodeError as error:
            raise _line_error(path, number, f"geen geldige JSON ({error.msg})") from error
        except ValueError as error:
            raise _line_error(path, number, str(error)) from error
        if question.id in seen:
            raise _line_error(path, number, f"id '{question.id}' komt vaker voor")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"vragenbestand {path} bevat geen vragen", source=str(path))
    return questions


def _line_error(path: Path, number: int, reason: str) -> QuestionFileError:
    return QuestionFileError(f"{path}:{number}: {reason}", source=f"{path}:{number}")


def parse_question(data: Any) -> GoldQuestion:
    """One validated question; raises ValueError with a Dutch message naming the bad field."""
    if not isinstance(data, dict):
        raise ValueError("elke regel moet één JSON-object zijn")
    missing = _REQUIRED - data.keys()
    unknown = data.keys() - _REQUIRED - _OPTIONAL
    if missing:
        raise ValueError(f"ontbrekende velden: {', '.join(sorted(missing))}")
    if unknown:
        raise ValueError(f"onbekende velden: {', '.join(sorted(unknown))}")
    answerable = data["answerable"]
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' moet true of false zijn")
    sources = _string_list(data["expected_sources"], "expected_sources")
    facts = _facts(data["expected_facts"])
    if answerable and not sources:
        raise ValueError("een beantwoordbare vraag heeft minstens één expected_source nodig")
    if not answerable and (sources or facts):
        raise ValueError("een vraag die geweigerd moet worden heeft geen expected_sources of expected_facts")
    absent_terms = _string_list(data.get("absent_terms", []), "absent_terms")
    if answerable and absent_terms:
        raise ValueError("'absent_terms' hoort alleen bij een vraag die geweigerd moet worden (answerable: false)")
    return GoldQuestion(
        id=_text(data["id"], "id"),
        question=_text(data["question"], "question"),
        expected_sources=tuple(_source(text) for text in sources),
        expected_facts=facts,
        answerable=answerable,
        tags=tuple(_string_list(data.get("tags", []), "tags")),
        history=_history(data.get("history", [])),
        absent_terms=tuple(absent_terms),
    )


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{name}' moet een niet-lege tekst zijn")
    return value


def _string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"'{name}' moet een lijst zijn")
    return [_text(item, name) for item in value]


def _source(text: str) -> SourceRef:
    if not _SOURCE.fullmatch(text) or text.partition("#")[0].endswith(".md"):
        raise ValueError(f"ongeldige bron '{text}': verwacht 'map/document' of 'map/document#artikel'")
    return SourceRef.parse(text)


def _facts(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise ValueError("'expected_facts' moet een lijst van lijsten met formuleringen zijn")
    facts = []
    for fact in value:
        alternatives = _string_list(fact, "expected_facts")
        if not alternatives:
            raise ValueError("elk feit in 'expected_facts' heeft minstens één formulering nodig")
        facts.append(tuple(alternatives))
    return tuple(facts)


def _history(value: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(value, list):
        raise ValueError("'history' moet een lijst van beurten zijn")
    turns = []
    for turn in value:
        if not isinstance(turn, dict) or set(turn) != {"role", "content"} or turn["role"] not in _ROLES:
            raise ValueError("elke beurt in 'history' is {\"role\": \"user\"|\"assistant\", \"content\": \"...\"}")
        turns.append({"role": turn["role"], "content": _text(turn["content"], "history.content")})
    return tuple(turns)
