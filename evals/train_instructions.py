"""Fit the instruction screen (`assistant.ingest.instructions`) and report how well it generalises.

    PYTHONPATH=$PWD .venv/bin/python -m evals.train_instructions [--seed 0] [--dry-run]

Training data: the written examples in `evals/instructions/train_*.txt` (instructions to the assistant
in many phrasings; ordinary policy sentences that use "moet", "zeg", "verwijs", "toon" normally) and
every answer unit of the corpus (negatives: the corpus holds no instruction). Measured on what the
fit never saw: the held-back phrasings in `evals/instructions/heldout*_*.txt` (`HELD_BACK`), and the
corpus's units out of fold (five folds by document, so no document's sentences are scored by a model
that saw them).

The decision threshold is chosen out of fold on the training data (`MAX_CORPUS_FLAGS`); the fitted
screen must flag no corpus unit (the issue's bar: 0 ordinary corpus sentences flagged), neither by the
sentence nor by one of its clauses (`clause_row`: the screen as ingest applies it), or the script
fails. Writes `assistant/weights/instruction_screen.json`.
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

from assistant.answer.scoring import WEIGHTS_DIR, LogisticModel
from assistant.config import BUNDLED_MODEL, get_settings
from assistant.ingest.chunking import answer_units
from assistant.ingest.indexer import read_corpus
from assistant.ingest.instructions import (
    EMBEDDING_DIMENSIONS,
    FEATURES,
    MODEL_NAME,
    clauses,
    feature_matrix,
    instruction_probabilities,
)
from assistant.ingest.progress import NullProgress
from assistant.search.corpus_facts import load_facts
from assistant.search.embeddings import load_embeddings

DATA = Path(__file__).parent / "instructions"
C = 0.02
"""Inverse L2 strength, chosen on the training set's folds only: recall of the written instructions out of
fold at the threshold `choose_threshold` picks was 0.830 / 0.856 / 0.869 / 0.865 / 0.853 / 0.843 / 0.837 at
C = 0.005 / 0.01 / 0.02 / 0.05 / 0.1 / 0.3 / 1 (vector + form, 312 + 319 written examples; with the first
252 + 259 it was 0.859 / 0.863 / 0.867 / 0.863 / 0.855 at C = 0.02 ... 1, and C was 0.1)."""
MAX_CORPUS_FLAGS = 1
MAX_WRITTEN_FALSE_SHARE = 0.01
"""The threshold is the lowest (in steps of 0.01 from 0.5) at which, out of fold, at most one corpus unit
and at most 1 % of the written ordinary sentences are flagged. "No corpus unit out of fold" made one
sentence ("Zulke cijfers vind je alleen in de monitor zelf.", p = 0.97) set a threshold above 0.95 and
cost a quarter of the recall; the fitted screen itself flags no corpus unit (checked and printed)."""
MAX_DOCUMENT_FALSE_SHARE = 0.05
"""The document threshold (for the other sentences of a document with one flagged sentence) is the lowest,
from 0.5, at which at most 5 % of the written ordinary sentences are flagged out of fold: a suspect
document may lose an ordinary sentence now and then, which the administrator sees named."""
FOLDS = 5

# Three features of form the screen once read beside the sentence vector, kept here only for their ablation
# row: is someone addressed as "je"/"you", does the sentence open by naming its addressee, chat markup.
_SECOND_PERSON = re.compile(r"\b(je|jij|jou|jouw|jullie|you|your)\b", re.IGNORECASE)
_VOCATIVE = re.compile(r"^\W*(?:[\w'-]+\s+){0,2}[\w'-]+\s*[,:]")
_MARKUP = re.compile(r"<\|[^|]*\|>|\[/?INST\]|^\W*(?:system|user|assistant|developer)\s*:", re.IGNORECASE)
FORM_FEATURES = ("second_person", "vocative_start", "chat_markup")
ABLATION_FEATURES = FEATURES + FORM_FEATURES


def with_form(sentences: list[str], x: np.ndarray) -> np.ndarray:
    """`x` (the screen's features) with the three form features appended, for the ablation row."""
    form = [[float(bool(_SECOND_PERSON.search(s))), float(bool(_VOCATIVE.match(s))), float(bool(_MARKUP.search(s)))]
            for s in sentences]
    return np.hstack([x, np.asarray(form).reshape(len(sentences), len(FORM_FEATURES))])


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


def fit(x: np.ndarray, y: np.ndarray, seed: int, columns: slice) -> LogisticModel:
    x = x[:, columns]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    model.fit((x - mean) / scale, y)
    return LogisticModel(features=tuple(np.asarray(ABLATION_FEATURES)[columns]), mean=mean, scale=scale,
                         coef=model.coef_[0], intercept=float(model.intercept_[0]))


def out_of_fold(x: np.ndarray, data: Sentences, seed: int, columns: slice) -> np.ndarray:
    probabilities = np.zeros(len(data.texts))
    for train, held in GroupKFold(n_splits=FOLDS).split(x, data.labels, data.groups):
        probabilities[held] = fit(x[train], data.labels[train], seed, columns).probabilities(x[held][:, columns])
    return probabilities


def choose_threshold(oof: np.ndarray, train: Sentences, in_corpus: np.ndarray) -> float:
    written_ordinary = np.setdiff1d(np.where(train.labels == 0)[0], in_corpus)
    for threshold in np.arange(0.50, 1.0, 0.01):
        if ((oof[in_corpus] >= threshold).sum() <= MAX_CORPUS_FLAGS
                and (oof[written_ordinary] >= threshold).mean() <= MAX_WRITTEN_FALSE_SHARE):
            return round(float(threshold), 2)
    return 1.0


def choose_document_threshold(oof: np.ndarray, train: Sentences, in_corpus: np.ndarray) -> float:
    written_ordinary = np.setdiff1d(np.where(train.labels == 0)[0], in_corpus)
    for threshold in np.arange(0.50, 1.0, 0.01):
        if (oof[written_ordinary] >= threshold).mean() <= MAX_DOCUMENT_FALSE_SHARE:
            return round(float(threshold), 2)
    return 1.0


def precision_recall(flags: np.ndarray, labels: np.ndarray) -> tuple[float, float, int, int]:
    tp = int((flags & (labels == 1)).sum())
    fp = int((flags & (labels == 0)).sum())
    return tp / max(1, tp + fp), tp / max(1, int((labels == 1).sum())), tp, fp


HELD_BACK = ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7")
"""Seven held-back sets: the first written with the training data, the second after the first fit, the
third after the second was measured and before the training data grew. The first two were seen when
examples were added, so only the third is a clean measure of the sentence threshold. The fourth (instructions
only) was written before the document threshold was built: the clean measure of that. The fifth (26 + 26,
styles none of the others uses) was written and measured on the committed screen before the second round of
training examples and features. The sixth (36 + 36) was written by an independent writer who read only the
corpus and the issue, and measured once on the committed screen, with no change to the screen after it. The
seventh (30 + 30), by another such writer, likewise: measured once, on the screen of the sixth."""


def held_back(name: str) -> Sentences:
    parts = [read_examples(f"{name}_instructions.txt", 1)]
    if (DATA / f"{name}_ordinary.txt").exists():
        parts.append(read_examples(f"{name}_ordinary.txt", 0))
    return join(*parts)


def clause_row(model: LogisticModel, document_threshold: float, sets: dict[str, Sentences],
               x_sets: dict[str, np.ndarray], corpus: Sentences, x_corpus: np.ndarray,
               clause_vectors: dict[str, list[float]]) -> str:
    """The table row of the screen as ingest applies it: a sentence counts with its likeliest clause
    (`assistant.ingest.instructions.clauses`). Fails if that flags a corpus sentence."""
    cells = []
    for name, data in sets.items():
        vectors = x_sets[name][:, :EMBEDDING_DIMENSIONS]
        probabilities = instruction_probabilities(model, data.texts, vectors, clause_vectors)
        p, r, tp, fp = precision_recall(probabilities >= model.threshold, data.labels)
        p_doc, r_doc, tp_doc, fp_doc = precision_recall(probabilities >= document_threshold, data.labels)
        cells.append(f"{p:.3f} / {r:.3f} ({tp}, {fp}); in a suspect document {p_doc:.3f} / {r_doc:.3f} ({tp_doc}, {fp_doc})")
        rows = list(zip(data.texts, probabilities >= model.threshold, data.labels, strict=True))
        print(f"  {name} missed with clauses: {json.dumps([t for t, f, y in rows if y and not f], ensure_ascii=False)}")
    corpus_probabilities = instruction_probabilities(model, corpus.texts, x_corpus[:, :EMBEDDING_DIMENSIONS], clause_vectors)
    flagged = int((corpus_probabilities >= model.threshold).sum())
    assert flagged == 0, "the fitted screen flags corpus sentences by a clause"
    above_document = int((corpus_probabilities >= document_threshold).sum())
    return (f"| vector, sentence or clause | {model.threshold:.2f} / {document_threshold:.2f} | " + " | ".join(cells)
            + f" | – | – / {flagged} of {len(corpus.texts)} ({above_document} at the document threshold) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the weights")
    args = parser.parse_args()
    np.random.seed(args.seed)

    written = join(read_examples("train_instructions.txt", 1), read_examples("train_ordinary.txt", 0))
    corpus = corpus_units()
    train = join(written, corpus)
    sets = {name: held_back(name) for name in HELD_BACK}
    for name, data in sets.items():
        overlap = set(data.texts) & set(train.texts)
        assert not overlap, f"{name} sentences in the training data: {overlap}"

    settings = get_settings().model_copy(update={"embedding_model": BUNDLED_MODEL, "embedding_precision": "fp32"})
    encoder = load_embeddings(settings)
    x_train = with_form(train.texts, feature_matrix(train.texts, encoder.embed_documents(train.texts)))
    x_sets = {name: with_form(data.texts, feature_matrix(data.texts, encoder.embed_documents(data.texts)))
              for name, data in sets.items()}
    in_corpus = np.arange(len(written.texts), len(train.texts))
    clause_texts = sorted({c for text in [*corpus.texts, *(t for d in sets.values() for t in d.texts)] for c in clauses(text)})
    clause_vectors = dict(zip(clause_texts, encoder.embed_documents(clause_texts), strict=True))

    print(f"training: {int(written.labels.sum())} instructions, {int((written.labels == 0).sum())} ordinary written "
          f"sentences, {len(corpus.texts)} corpus units; held back: "
          + ", ".join(f"{name} {int(d.labels.sum())} + {int((d.labels == 0).sum())}" for name, d in sets.items()))
    print("| screen | threshold: sentence / document | " + " | ".join(f"{name} P / R (tp, fp)" for name in sets)
          + " | CV on training P / R | corpus flagged (out of fold / fitted) |")
    print("|---" * (len(sets) + 4) + "|")
    chosen: LogisticModel | None = None
    chosen_document_threshold = 1.0
    vector = slice(0, len(FEATURES))
    for label, columns in (("vector", vector), ("vector + form (ablation)", slice(None))):
        oof = out_of_fold(x_train, train, args.seed, columns)
        threshold = choose_threshold(oof, train, in_corpus)
        document_threshold = choose_document_threshold(oof, train, in_corpus)
        model = fit(x_train, train.labels, args.seed, columns)
        model = LogisticModel(model.features, model.mean, model.scale, model.coef, model.intercept, threshold)
        cells = []
        for name, data in sets.items():
            probabilities = model.probabilities(x_sets[name][:, columns])
            flags = probabilities >= threshold
            p, r, tp, fp = precision_recall(flags, data.labels)
            p_doc, r_doc, tp_doc, fp_doc = precision_recall(probabilities >= document_threshold, data.labels)
            cells.append(f"{p:.3f} / {r:.3f} ({tp}, {fp}); in a suspect document {p_doc:.3f} / {r_doc:.3f} ({tp_doc}, {fp_doc})")
            if chosen is None:
                rows = list(zip(data.texts, flags, data.labels, strict=True))
                print(f"  {name} missed: {json.dumps([t for t, f, y in rows if y and not f], ensure_ascii=False)}")
                print(f"  {name} wrongly flagged: {json.dumps([t for t, f, y in rows if not y and f], ensure_ascii=False)}")
        cv_p, cv_r, _, _ = precision_recall(oof >= threshold, train.labels)
        corpus_fit = int((model.probabilities(x_train[in_corpus][:, columns]) >= threshold).sum())
        print(f"| {label} | {threshold:.2f} / {document_threshold:.2f} | " + " | ".join(cells) + f" | {cv_p:.3f} / {cv_r:.3f} | "
              f"{int((oof[in_corpus] >= threshold).sum())} / {corpus_fit} of {len(corpus.texts)} |")
        if chosen is None:
            chosen, chosen_document_threshold = model, document_threshold
            assert corpus_fit == 0, "the fitted screen flags corpus sentences"
            print(clause_row(model, document_threshold, sets, x_sets, corpus, x_train[in_corpus][:, vector], clause_vectors))
            every = train.texts + [t for d in sets.values() for t in d.texts]
            flags_all = chosen.probabilities(np.vstack([x_train, *x_sets.values()])[:, vector]) >= threshold
            old_only = [t for t, flag in zip(every, flags_all, strict=True) if OLD_REGEX.search(t) and not flag]
    cells = []
    for data in sets.values():
        p, r, tp, fp = precision_recall(np.array([bool(OLD_REGEX.search(t)) for t in data.texts]), data.labels)
        cells.append(f"{p:.3f} / {r:.3f} ({tp}, {fp})")
    regex_p, regex_r, _, _ = precision_recall(np.array([bool(OLD_REGEX.search(t)) for t in train.texts]), train.labels)
    print("| old regex (textutils._ADDRESSES_ASSISTANT) | – | " + " | ".join(cells)
          + f" | {regex_p:.3f} / {regex_r:.3f} | {sum(bool(OLD_REGEX.search(t)) for t in corpus.texts)} of {len(corpus.texts)} |")
    print(f"sentences the old regex flags and the screen does not: {json.dumps(old_only, ensure_ascii=False)}")
    if not args.dry_run and chosen is not None:
        path = WEIGHTS_DIR / f"{MODEL_NAME}.json"
        path.write_text(json.dumps(chosen.to_dict(document_threshold=chosen_document_threshold, seed=args.seed, c=C,
                                                  decision="sentence or its likeliest clause",
                                                  embedding_model=BUNDLED_MODEL, trained_on=len(train.texts))) + "\n",
                        encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
