"""Gold questions through the configured real LLM backend (`make test-llm`, marker `llm`).

Slow and dependent on a model, so outside the default run. It needs the index (`make index`) and
a backend: `ASSISTENT_BACKEND=local` (after `make local-llm`), `openai` or `ollama` with their
settings. What must hold whatever the model's quality: every answer's citations are valid, the
questions the sources cannot answer are refused, and the model itself (not only the extractive
fallback) produced some of the answers.
"""

from __future__ import annotations

import pytest

from assistant.answer.citations import cited_numbers
from assistant.config import Settings
from assistant.engine import engine_for
from assistant.llm.guard import NOTE_FALLBACK, NOTE_NOT_ASKED
from assistant.models import Answer
from evals.metrics import source_matches
from evals.questions import GoldQuestion, load_questions
from tests.paths import EVALS

pytestmark = pytest.mark.llm

GOLD = EVALS / "questions.jsonl"
ANSWERABLE = ["oogo-po-wetsartikel", "ondersteuningsplan-frequentie", "opp-termijn", "dronten-uitgangspunt",
              "werkzame-principes", "vervolg-oogo-vo"]
UNANSWERABLE = ["weiger-hoofdstad-frankrijk", "weiger-geld-per-leerling", "weiger-wethouder-dronten",
                "weiger-negeer-instructies", "weiger-norm-basisondersteuning"]


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings = Settings()
    if settings.backend == "extractive":
        pytest.skip("geen LLM-backend ingesteld: zet ASSISTENT_BACKEND op local, openai of ollama")
    return settings


@pytest.fixture(scope="module")
def answers(settings: Settings) -> dict[str, tuple[GoldQuestion, Answer]]:
    """Each gold question answered once; the backend is probed first so an unreachable one fails loudly."""
    engine = engine_for(settings)
    backend = engine.backend(settings.backend)
    try:
        backend.chat_model.invoke("Antwoord alleen met: OK")
    except Exception as exc:
        pytest.fail(f"backend {settings.backend} geeft geen antwoord: {exc.__class__.__name__}: {exc}")
    gold = {q.id: q for q in load_questions(GOLD)}
    results = {}
    for question_id in ANSWERABLE + UNANSWERABLE:
        question = gold[question_id]
        answer = engine.ask(question.question, list(question.history), backend=settings.backend)
        print(f"\n[{question_id}] {answer.text}\n  notes: {answer.guard_notes}")
        results[question_id] = (question, answer)
    return results


def by_model(answer: Answer) -> bool:
    """The model's own guarded text, not a fallback or a refusal made before asking it."""
    return not answer.refused and not any(
        note in (NOTE_FALLBACK, NOTE_NOT_ASKED) or note.startswith("Het taalmodel gaf geen antwoord")
        for note in answer.guard_notes
    )


def cites_expected_source(question: GoldQuestion, answer: Answer) -> bool:
    return any(source_matches(ref, c.doc_id, c.article) for ref in question.expected_sources for c in answer.citations)


@pytest.mark.parametrize("question_id", ANSWERABLE)
def test_answers_have_valid_citations(answers, settings, question_id):
    _, answer = answers[question_id]
    assert not answer.refused, answer.text
    assert answer.backend == settings.backend
    numbers = [c.number for c in answer.citations]
    assert numbers and numbers == list(range(1, len(numbers) + 1))
    assert set(cited_numbers(answer.text)) == set(numbers), answer.text
    assert all(c.quote for c in answer.citations)


def test_most_answers_cite_the_expected_source(answers):
    """A quality bar rather than a rule: the passage that answers may rank below a summary saying the same."""
    hits = [question_id for question_id in ANSWERABLE if cites_expected_source(*answers[question_id])]
    print(f"\nexpected source cited: {len(hits)}/{len(ANSWERABLE)}: {hits}")
    assert len(hits) * 2 >= len(ANSWERABLE)


@pytest.mark.parametrize("question_id", UNANSWERABLE)
def test_questions_the_sources_cannot_answer_are_refused(answers, question_id):
    _, answer = answers[question_id]
    assert answer.refused, answer.text
    assert not cited_numbers(answer.text) or answer.refusal_reason == "missing_value"


def test_the_model_itself_answers_some_questions(answers):
    own = [question_id for question_id in ANSWERABLE if by_model(answers[question_id][1])]
    print(f"\nanswered by the model itself: {len(own)}/{len(ANSWERABLE)}: {own}")
    assert own
