"""How common a word is in Dutch in general, from the word lists that ship with wordfreq.

The corpus vocabulary tells which words the sources use. It cannot tell apart a real Dutch word the
sources happen not to use ("dagen", "voorspel"), a typo ("gemente"), and a specific term the sources
lack ("GGD", "Participatiewet"). Typo repair must leave the first alone, and the decision to answer
or refuse should weigh the last heavily: a question about something the sources never name cannot
be answered from them. wordfreq (a PyPI package with its lists inside, no download) gives each
word's Zipf frequency in general text: log10 of its occurrences per billion words, 0 when unknown.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

COMMON_ZIPF = 3.0
"""At or above this a word is ordinary Dutch (about once per million words: "dagen" 5.6, "voorspel"
3.5, "Stien" 2.6, typos 0). Chosen on dev with the typo-repair ablation (README, issue 12 note)."""


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """The word's Zipf frequency in general Dutch text (0 for words wordfreq does not know)."""
    return zipf_frequency(word, "nl")


def is_common(word: str) -> bool:
    return zipf(word) >= COMMON_ZIPF
