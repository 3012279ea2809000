"""assistant.llm.guard: how an LLM's answer is read before the citation guard checks it (refusals,
marker forms, statements with their markers)."""

from __future__ import annotations

import pytest

from assistant.llm.guard import REFUSAL_SENTENCE, is_refusal, normalise_markers, split_statements

pytestmark = pytest.mark.unit


def test_the_refusal_sentence_and_close_variants_are_refusals() -> None:
    assert is_refusal(REFUSAL_SENTENCE)
    assert is_refusal(f"Helaas. {REFUSAL_SENTENCE.rstrip('.')} [1].")
    assert is_refusal("Dat staat niet in de bronnen.")
    assert not is_refusal("Het samenwerkingsverband stelt het ondersteuningsplan vast. [1]")


@pytest.mark.parametrize(
    ("text", "normal"),
    [("Zo is het [1, 2].", "Zo is het [1][2]."), ("Zo is het [bron 3].", "Zo is het [3]."),
     ("<bron 1>Zo is het [1].</bron>", "Zo is het [1].")],
)
def test_other_marker_forms_become_plain_markers(text: str, normal: str) -> None:
    assert normalise_markers(text) == normal


def test_statements_keep_their_markers_and_a_leading_marker_belongs_to_the_sentence_before() -> None:
    statements = split_statements("Het plan wordt vastgesteld. [2] Het college overlegt [1].\nDe taken zijn:")
    assert [(s.line, s.text, s.markers) for s in statements] == [
        (0, "Het plan wordt vastgesteld.", [2]),
        (0, "Het college overlegt.", [1]),
        (1, "De taken zijn:", []),
    ]
    assert not statements[2].checkable
