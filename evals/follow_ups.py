"""How well the suggested follow-up questions work, on the dev split: `python -m evals.follow_ups`.

For every dev question the engine answers, the suggestions the app would show (`Engine.follow_ups`,
with the question's history as the conversation), and then each suggestion asked as a user would
ask it (the configured backend, the conversation so far as history). Prints how many answered
questions get at least two suggestions and what share of the suggestions is answered, not refused.
Only the dev split: the test split is never read question by question.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.engine import Engine
from evals.harness import SPLITS
from evals.questions import load_questions

MIN_USEFUL = 2
"""The issue asks for two or three suggestions after an answer."""


@dataclass
class FollowUpStats:
    questions: int = 0
    answered: int = 0
    with_enough: int = 0
    suggestions: int = 0
    suggestions_answered: int = 0
    seconds: list[float] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"dev-vragen: {self.questions}, beantwoord: {self.answered}",
            f"beantwoord met >= {MIN_USEFUL} suggesties: {self.with_enough} "
            f"({self.with_enough / max(self.answered, 1):.1%})",
            f"suggesties: {self.suggestions}, waarvan beantwoord (niet geweigerd): {self.suggestions_answered} "
            f"({self.suggestions_answered / max(self.suggestions, 1):.1%})",
            f"tijd voor de suggesties per antwoord: mediaan {statistics.median(self.seconds or [0]) * 1000:.0f} ms, "
            f"max {max(self.seconds or [0]) * 1000:.0f} ms",
        ]


def measure(engine: Engine, path: Path = SPLITS["dev"]) -> FollowUpStats:
    stats = FollowUpStats()
    for gold in load_questions(path):
        stats.questions += 1
        history = list(gold.history)
        answer = engine.ask(gold.question, history=history)
        if answer.refused:
            continue
        stats.answered += 1
        conversation = [*history, {"role": "user", "content": gold.question}, {"role": "assistant", "content": answer.text}]
        started = time.perf_counter()
        suggestions = engine.follow_ups(answer, conversation)
        stats.seconds.append(time.perf_counter() - started)
        stats.with_enough += len(suggestions) >= MIN_USEFUL
        for suggestion in suggestions:
            stats.suggestions += 1
            stats.suggestions_answered += not engine.ask(suggestion, history=conversation).refused
    return stats


def main() -> None:
    engine = Engine()
    engine.warm_up()
    for line in measure(engine).lines():
        print(line)


if __name__ == "__main__":
    main()
