"""The answer room: from a `SearchResult` to an `Answer`. Candidate units and their features
(`evidence`), the fitted scorers (`scoring`, the `reader`), the answer-or-refuse decision
(`answerability`, `answer_types`), composition (`answering`), citations, rendering, streaming, the
refusal that says what the index holds, and the follow-up questions an answer suggests."""
