"""A cited passage as HTML with the quoted sentences marked, so users see the answer in its context.

Matching works on the engine's own sentence split and normalisation: a sentence is marked when its
normalised words occur, as a whole, in the normalised quote. Law lids and list items are quoted
without their "9." or "a." marker, so a sentence also matches without its first token.
"""

from __future__ import annotations

import html

from assistant.textutils import is_list_item, normalize, split_sentences, word_count


def _quoted(sentence: str, quote: str) -> bool:
    if word_count(sentence) <= 2:  # the engine never quotes fragments this short
        return False
    words = normalize(sentence)
    if is_list_item(sentence):
        words = words.split(" ", 1)[-1]
    return f" {words} " in quote


def highlight_passage(text: str, quote: str, heading: str | None = None) -> tuple[str, int]:
    """The passage as HTML paragraphs with quoted sentences in <mark>, and how many were marked."""
    normalized_quote = f" {normalize(quote)} "
    paragraphs: list[str] = []
    marked = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == heading or line.startswith("#"):
            paragraphs.append(f"<p class='bron-kop'>{html.escape(line.lstrip('#').strip())}</p>")
            continue
        runs: list[tuple[bool, list[str]]] = []  # consecutive quoted sentences share one <mark>
        for sentence in split_sentences(line):
            quoted = _quoted(sentence, normalized_quote)
            marked += quoted
            if runs and runs[-1][0] == quoted:
                runs[-1][1].append(html.escape(sentence))
            else:
                runs.append((quoted, [html.escape(sentence)]))
        pieces = [f"<mark>{' '.join(run)}</mark>" if quoted else " ".join(run) for quoted, run in runs]
        paragraphs.append(f"<p>{' '.join(pieces)}</p>")
    return f"<div class='bron-passage'>{''.join(paragraphs)}</div>", marked
