"""Fit the instruction screen (`assistant.instructions`) and report how well it generalises.

    PYTHONPATH=$PWD .venv/bin/python -m evals.train_instructions [--seed 0] [--dry-run]

Training data: the written examples in `evals/instructions/train_*.txt` (instructions to the assistant
in many phrasings; ordinary policy sentences that use "moet", "zeg", "verwijs", "toon" normally) and
every answer unit of the corpus (negatives: the corpus holds no instruction). Measured on what the
fit never saw: the held-back phrasings in `evals/instructions/heldout_*.txt`, and the corpus's units
out of fold (five folds by document, so no document's sentences are scored by a model that saw them).

The decision threshold is the lowest that flags no corpus unit out of fold (the issue's bar: 0 ordinary
corpus sentences flagged), with a margin; never below 0.5. Writes `assistant/weights/instruction_screen.json`.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from assistant.config import BUNDLED_MODEL, get_settings
from assistant.corpus_facts import load_facts
from assistant.embeddings import load_embeddings
from assistant.instructions import FEATURES, MODEL_NAME, feature_matrix
from assistant.scoring import WEIGHTS_DIR, LogisticModel
from ingest.chunking import answer_units
from ingest.indexer import read_corpus
from ingest.progress import NullProgress

DATA = Path(__file__).parent / "instructions"
C = 0.1
"""Inverse L2 strength, chosen on the training set's folds only: recall of the written instructions out of fold
at a threshold that flags no corpus unit out of fold was 0.718 / 0.740 / 0.751 / 0.723 at C = 0.02 / 0.05 /
0.1 / 0.2 (vector + form); weighting the corpus units 3x lowered it at every C."""
THRESHOLD_MARGIN = 0.05
"""Added to the highest out-of-fold corpus probability: a new document's sentences vary more than the folds."""
FOLDS = 5

# The regex this screen replaced (assistant/textutils.py before issue 23), kept here only for the ablation.
OLD_REGEX = re.compile(
    r"^\W*(system|systeem|assistant|assistent|user|gebruiker|developer)\s*:"
    r"|<\|?\s*(system|im_start|im_end)"
    r"|\b(negeer|vergeet|ignore|disregard|forget)\b[^.!?\n]{0,60}\b(instructies?|opdrachten|aanwijzingen|regels"
    r"|instructions?|rules|prompts?)\b"
    r"|\b(jij bent|je bent|u bent|you are)\s+(nu\s+|now\s+)?(een\s+|an?\s+)?(ai|assistent|assistant|chatbot"
    r"|taalmodel|language model)\b"
    r"|\b(antwoord|beantwoord|answer|respond|reply)\b[^.!?\n]{0,30}\b(altijd|voortaan|always|from now on)\b"
    r"|\b(instructies|opdracht)\s+(voor|aan)\s+(de\s+|het\s+)?(assistent|ai|chatbot|taalmodel|model)\b",
    re.IGNORECASE,
)


@dataclass
class Sentences:
    texts: list[str]
    labels: np.ndarray
    groups: list[str]
    """Corpus units are grouped by document for the folds; each written example is its own group."""


def read_examples(name: str, label: int) -> Sentences:
    lines = [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    texts = [line for line in lines if line and not line.startswith("#")]
    return Sentences(texts, np.full(len(texts), label), [f"{name}:{i}" for i in range(len(texts))])


def corpus_units() -> Sentences:
    """Every answer-unit candidate of the corpus, once, with its document."""
    settings = get_settings()
    passages, _, _ = read_corpus(settings, NullProgress(), load_facts(settings.corpus_dir))
    seen: dict[str, str] = {}
    for passage in passages:
        for unit in answer_units(passage):
            seen.setdefault(unit, passage.doc_id)
    return Sentences(list(seen), np.zeros(len(seen), dtype=int), list(seen.values()))


def join(*parts: Sentences) -> Sentences:
    return Sentences([t for p in parts for t in p.texts], np.concatenate([p.labels for p in parts]),
                     [g for p in parts for g in p.groups])


def fit(x: np.ndarray, y: np.ndarray, seed: int, columns: slice | None = None) -> LogisticModel:
    columns = columns or slice(None)
    x = x[:, columns]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    model.fit((x - mean) / scale, y)
    return LogisticModel(features=tuple(np.asarray(FEATURES)[columns]), mean=mean, scale=scale,
                         coef=model.coef_[0], intercept=float(model.intercept_[0]))


def out_of_fold(x: np.ndarray, data: Sentences, seed: int, columns: slice | None = None) -> np.ndarray:
    probabilities = np.zeros(len(data.texts))
    for train, held in GroupKFold(n_splits=FOLDS).split(x, data.labels, data.groups):
        probabilities[held] = fit(x[train], data.labels[train], seed, columns).probabilities(x[held][:, columns or slice(None)])
    return probabilities


def precision_recall(flags: np.ndarray, labels: np.ndarray) -> tuple[float, float, int, int]:
    tp = int((flags & (labels == 1)).sum())
    fp = int((flags & (labels == 0)).sum())
    return tp / max(1, tp + fp), tp / max(1, int((labels == 1).sum())), tp, fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the weights")
    args = parser.parse_args()
    np.random.seed(args.seed)

    written = join(read_examples("train_instructions.txt", 1), read_examples("train_ordinary.txt", 0))
    corpus = corpus_units()
    train = join(written, corpus)
    heldout = join(read_examples("heldout_instructions.txt", 1), read_examples("heldout_ordinary.txt", 0))
    overlap = set(heldout.texts) & set(train.texts)
    assert not overlap, f"held-back sentences in the training data: {overlap}"

    settings = get_settings().model_copy(update={"embedding_model": BUNDLED_MODEL, "embedding_precision": "fp32"})
    encoder = load_embeddings(settings)
    x_train = feature_matrix(train.texts, encoder.embed_documents(train.texts))
    x_held = feature_matrix(heldout.texts, encoder.embed_documents(heldout.texts))
    in_corpus = np.arange(len(written.texts), len(train.texts))

    rows = []
    for label, columns in (("vector + form", None), ("vector only", slice(0, len(FEATURES) - 3))):
        oof = out_of_fold(x_train, train, args.seed, columns)
        threshold = max(0.5, float(oof[in_corpus].max()) + THRESHOLD_MARGIN)
        model = fit(x_train, train.labels, args.seed, columns)
        model = LogisticModel(model.features, model.mean, model.scale, model.coef, model.intercept, threshold)
        held_flags = model.probabilities(x_held[:, columns or slice(None)]) >= threshold
        p, r, tp, fp = precision_recall(held_flags, heldout.labels)
        cv_p, cv_r, _, _ = precision_recall(oof >= threshold, train.labels)
        corpus_flags = int((model.probabilities(x_train[in_corpus][:, columns or slice(None)]) >= threshold).sum())
        rows.append((label, threshold, p, r, tp, fp, cv_p, cv_r, int((oof[in_corpus] >= threshold).sum()), corpus_flags))
        if label == "vector + form":
            chosen = model
            missed = [t for t, flag, y in zip(heldout.texts, held_flags, heldout.labels, strict=True) if y == 1 and not flag]
            wrong = [t for t, flag, y in zip(heldout.texts, held_flags, heldout.labels, strict=True) if y == 0 and flag]
            old_only = [t for t, flag in zip(train.texts + heldout.texts,
                                             np.concatenate([model.probabilities(x_train) >= threshold, held_flags]), strict=True)
                        if OLD_REGEX.search(t) and not flag]
    regex_held = np.array([bool(OLD_REGEX.search(t)) for t in heldout.texts])
    p, r, tp, fp = precision_recall(regex_held, heldout.labels)
    regex_corpus = sum(bool(OLD_REGEX.search(t)) for t in corpus.texts)
    regex_train_p, regex_train_r, _, _ = precision_recall(np.array([bool(OLD_REGEX.search(t)) for t in train.texts]), train.labels)

    print(f"training: {int(written.labels.sum())} instructions, {int((written.labels == 0).sum())} ordinary written sentences, "
          f"{len(corpus.texts)} corpus units; held back: {int(heldout.labels.sum())} instructions, "
          f"{int((heldout.labels == 0).sum())} ordinary")
    print("| screen | threshold | held back P / R (tp, fp) | CV on training P / R | corpus flagged (out of fold / fitted) |")
    print("|---|---|---|---|---|")
    for label, threshold, p_, r_, tp_, fp_, cv_p, cv_r, corpus_oof, corpus_fit in rows:
        print(f"| {label} | {threshold:.3f} | {p_:.3f} / {r_:.3f} ({tp_}, {fp_}) | {cv_p:.3f} / {cv_r:.3f} | "
              f"{corpus_oof} / {corpus_fit} of {len(corpus.texts)} |")
    print(f"| old regex (textutils._ADDRESSES_ASSISTANT) | – | {p:.3f} / {r:.3f} ({tp}, {fp}) | "
          f"{regex_train_p:.3f} / {regex_train_r:.3f} | {regex_corpus} of {len(corpus.texts)} |")
    print(f"held-back instructions missed: {json.dumps(missed, ensure_ascii=False)}")
    print(f"held-back ordinary sentences flagged: {json.dumps(wrong, ensure_ascii=False)}")
    print(f"sentences the old regex flags and the screen does not: {json.dumps(old_only, ensure_ascii=False)}")
    if not args.dry_run:
        path = WEIGHTS_DIR / f"{MODEL_NAME}.json"
        path.write_text(json.dumps(chosen.to_dict(seed=args.seed, c=C, embedding_model=BUNDLED_MODEL,
                                                  trained_on=len(train.texts))) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
