"""Train the reader (`assistant/answer/reader.py`) on dev and the corpus's structure, then refit the answer models.

    python -m evals.train_reader [--questions evals/dev.jsonl] [--epochs 3] [--budget-min 60]

1. Pairs. For every dev question, the engine's own candidate units (as answering sees them): positives
   are units that hold an expected fact from an expected source; negatives are the unit scorer's best
   other units (the hub sentences that are near every question are exactly these), and every candidate
   of a question that must be refused. From the corpus's structure: a section heading with the first
   units of its section (positive) and units of the document's other sections (negative).
2. The frozen part (embeddings and the first layers) runs once over every pair; only the last layer and
   the head are trained on its cached output (AdamW, binary cross-entropy), seeded.
3. Cross-fitting: the dev questions are split in two folds; a reader trained on one fold reads the other
   fold's candidates. These out-of-fold logits are what `evals.train` fits the unit scorer and the
   answerability model on (a reader's logits on its own training questions would look better than on
   any new question, and the fitted models would trust them too much). They are committed
   (`weights/reader_oof.json`) so `python -m evals.train` alone reproduces the fitted models.
4. The final reader is trained on all pairs and written to `weights/reader.pt`; `make reader` exports it.
5. Models 3 and 4 are refitted here on dev alone, to report what the out-of-fold logits give. Their committed
   versions also fit on the uploads-dev questions, whose logits the exported reader reads live: after
   `make reader`, run `python -m evals.train`.

Only dev is read. Fixed seeds; the time budget stops an epoch loop early and says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from assistant.answer.evidence import Unit
from assistant.answer.reader import READ_UNITS, encode_pairs
from assistant.config import Settings
from assistant.engine import Engine
from assistant.search.embeddings import bundled_model_dir, load_tokenizer
from evals.questions import load_questions
from evals.train import DEV, OOF_FILE, QuestionEvidence, collect, describe, train_base, train_with_reader, unit_key, unit_label
from setup.reader_build import WEIGHTS_FILE, ReaderNet, load_base

SEED = 20
HARD_NEGATIVES = 8
"""Negatives per answerable question: the unit scorer's best non-answering units (READ_UNITS plus a margin)."""
REFUSAL_NEGATIVES = 8
"""Candidates per must-refuse question, all negatives: near-miss questions whose best units must read low."""
STRUCTURE_NEGATIVES = 3
FOLDS = 2
BATCH = 32
LEARNING_RATE = 1e-4
HEAD_LEARNING_RATE = 1e-3
"""A new head starts from zero knowledge; the layer starts from e5's weights and must not drift far."""


@dataclass
class Pair:
    group: str
    """The question (or heading) the pair belongs to: folds split by group, never inside one."""
    question: str
    unit: str
    label: int


def question_pairs(evidence: list[QuestionEvidence]) -> list[Pair]:
    pairs: list[Pair] = []
    for item in evidence:
        question = item.result.analysis.question
        labels = [unit_label(u, item.question) if item.question.answerable else 0 for u in item.units]
        ranked = sorted(range(len(item.units)), key=lambda i: -item.units[i].score)
        positives = [i for i in ranked if labels[i]]
        negatives = [i for i in ranked if not labels[i]]
        limit = HARD_NEGATIVES if item.question.answerable else REFUSAL_NEGATIVES
        if item.question.answerable and not positives:
            continue  # no candidate holds the fact: nothing here tells the reader what answers
        for i in positives + negatives[:limit]:
            pairs.append(Pair(item.question.id, question, item.units[i].text, labels[i]))
    return pairs


def structure_pairs(engine: Engine, rng: random.Random) -> list[Pair]:
    """Heading -> the first units of its section; units of the document's other sections as negatives."""
    snapshot = engine.search("OOGO").snapshot
    by_doc: dict[str, list[tuple[str, list[str]]]] = {}
    for passage in snapshot.passages:
        sentences = [s for s in snapshot.sentences.get(passage.id, []) if s.rstrip().endswith((".", "!", "?", ";"))]
        if passage.heading and sentences and not passage.article:
            by_doc.setdefault(passage.doc_id, []).append((passage.heading, sentences))
    pairs: list[Pair] = []
    for doc_id, sections in by_doc.items():
        for index, (heading, sentences) in enumerate(sections):
            others = [s for j, (h, texts) in enumerate(sections) if j != index and h != heading for s in texts]
            group = f"kop:{doc_id}:{index}"
            pairs += [Pair(group, heading, s, 1) for s in sentences[:2]]
            pairs += [Pair(group, heading, s, 0) for s in rng.sample(others, min(STRUCTURE_NEGATIVES, len(others)))]
    return pairs


def encode(tokenizer: Tokenizer, pad_id: int, pairs: list[Pair]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [tuple(row[0] for row in encode_pairs(tokenizer, pad_id, p.question, [p.unit])) for p in pairs]


def cache_frozen(net: ReaderNet, encoded: list[tuple[np.ndarray, np.ndarray]]) -> list[torch.Tensor]:
    """The frozen part's output for every pair, float16 (computed once: most of the training cost)."""
    out: list[torch.Tensor | None] = [None] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            rows = order[start:start + 64]
            ids, mask = _pad([encoded[i] for i in rows])
            hidden = net.frozen(ids, mask)
            for k, i in enumerate(rows):
                out[i] = hidden[k, : len(encoded[i][0])].to(torch.float16)
    return out  # type: ignore[return-value]


def _pad(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(ids) for ids, _ in rows)
    ids = torch.ones((len(rows), width), dtype=torch.long)  # 1 = XLM-R's pad id
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for k, (row_ids, row_mask) in enumerate(rows):
        ids[k, : len(row_ids)] = torch.from_numpy(row_ids)
        mask[k, : len(row_mask)] = torch.from_numpy(row_mask)
    return ids, mask


def _pad_hidden(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in states)
    hidden = torch.zeros((len(states), width, states[0].shape[-1]))
    mask = torch.zeros((len(states), width), dtype=torch.long)
    for k, state in enumerate(states):
        hidden[k, : len(state)] = state.float()
        mask[k, : len(state)] = 1
    return hidden, mask


def train_net(base_state: dict[str, torch.Tensor], net: ReaderNet, states: list[torch.Tensor], labels: np.ndarray,
              epochs: int, seed: int, deadline: float) -> int:
    """Train the last layer and head from e5's weights; returns the epochs completed within the deadline."""
    torch.manual_seed(seed)
    net.load_state_dict(base_state)
    torch.nn.init.zeros_(net.head.weight)
    torch.nn.init.zeros_(net.head.bias)
    net.train()
    optimiser = torch.optim.AdamW([
        {"params": net.trained_layers.parameters(), "lr": LEARNING_RATE},
        {"params": net.head.parameters(), "lr": HEAD_LEARNING_RATE},
    ], weight_decay=0.01)
    positives = max(1, int(labels.sum()))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(labels) - positives) / positives))
    rng = np.random.default_rng(seed)
    done = 0
    for _ in range(epochs):
        if time.monotonic() > deadline:
            break
        order = rng.permutation(len(states))
        for start in range(0, len(order), BATCH):
            rows = order[start:start + BATCH]
            hidden, mask = _pad_hidden([states[i] for i in rows])
            logits = net.trained(hidden, mask)
            loss = loss_fn(logits, torch.from_numpy(labels[rows]).float())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        done += 1
    net.eval()
    return done


def read(net: ReaderNet, states: list[torch.Tensor]) -> np.ndarray:
    out = []
    with torch.no_grad():
        for start in range(0, len(states), 64):
            hidden, mask = _pad_hidden(states[start:start + 64])
            out.append(net.trained(hidden, mask).numpy())
    return np.concatenate(out) if out else np.zeros(0)


def fold_of(group: str) -> int:
    return int(hashlib.sha256(f"{SEED}:{group}".encode()).hexdigest(), 16) % FOLDS


def _log(message: str, started: float) -> None:
    print(f"[reader {time.monotonic() - started:6.0f} s] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEV)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--budget-min", type=float, default=60.0)
    args = parser.parse_args()
    started = time.monotonic()
    deadline = started + args.budget_min * 60
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, torch.get_num_threads()))

    settings = Settings()
    engine = Engine(settings)
    questions = load_questions(args.questions)
    evidence = collect(engine, questions)
    source = describe(args.questions)
    _, base_report = train_base(evidence, source)  # the unit scorer that picks what the reader reads, as answering does
    _log(f"{len(evidence)} questions searched; unit scorer and answerability (no reader) refitted", started)
    pairs = question_pairs(evidence) + structure_pairs(engine, random.Random(SEED))
    recall = _read_units_recall(evidence)

    tokenizer, pad_id = load_tokenizer(bundled_model_dir(settings.models_dir))
    # Reading targets: every question's READ_UNITS best candidates, as answering reads them.
    targets = [(item, unit) for item in evidence for unit in item.units[:READ_UNITS]]
    scorer_scores = np.asarray([unit.score for _, unit in targets])  # the unit scorer's (in-sample) view, to compare
    target_pairs = [Pair(item.question.id, item.result.analysis.question, unit.text, 0) for item, unit in targets]

    net = ReaderNet(load_base(settings.models_dir))
    base_state = {k: v.clone() for k, v in net.state_dict().items()}
    t0 = time.monotonic()
    states = cache_frozen(net, encode(tokenizer, pad_id, pairs))
    target_states = cache_frozen(net, encode(tokenizer, pad_id, target_pairs))
    cache_s = time.monotonic() - t0
    _log(f"{len(pairs)} training pairs and {len(target_pairs)} read units through the frozen layers", started)
    labels = np.asarray([p.label for p in pairs], dtype=np.float32)
    folds = np.asarray([fold_of(p.group) for p in pairs])
    target_folds = np.asarray([fold_of(p.group) for p in target_pairs])

    out_of_fold = np.zeros(len(target_pairs))
    epochs_done = []
    for fold in range(FOLDS):
        train_rows = np.flatnonzero(folds != fold)
        epochs_done.append(train_net(base_state, net, [states[i] for i in train_rows], labels[train_rows],
                                     args.epochs, SEED + fold, deadline))
        rows = np.flatnonzero(target_folds == fold)
        out_of_fold[rows] = read(net, [target_states[i] for i in rows])
        _log(f"fold {fold + 1}/{FOLDS} trained ({epochs_done[-1]} epochs) and read", started)
    epochs_done.append(train_net(base_state, net, states, labels, args.epochs, SEED, deadline))
    torch.save(net.trained_state(base_state), WEIGHTS_FILE)

    oof: dict[str, dict[str, float]] = {}
    for (item, unit), logit in zip(targets, out_of_fold, strict=True):
        oof.setdefault(item.question.id, {})[unit_key(unit)] = round(float(logit), 5)
    OOF_FILE.write_text(json.dumps({"questions_sha256": source["questions_sha256"], "logits": oof}, indent=0) + "\n",
                        encoding="utf-8")
    reader_report = train_with_reader(evidence, source, oof)
    report = {
        "pairs": len(pairs), "positives": int(labels.sum()), "structure_pairs": sum(p.group.startswith("kop:") for p in pairs),
        "answerable_with_answer_in_read_units": recall, "epochs_done": epochs_done,
        "oof_pairwise_auc": _auc(out_of_fold, targets),
        "unit_scorer_pairwise_auc_same_units": _auc(scorer_scores, targets), "cache_s": round(cache_s, 1),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "weights_mb": round(WEIGHTS_FILE.stat().st_size / 2**20, 1),
        "without_reader": base_report, "with_reader": reader_report,
    }
    print(json.dumps(report, indent=1))
    print("next: `make reader && python -m evals.train` (models 3 and 4 with the uploads-dev rows)", file=sys.stderr)


def _read_units_recall(evidence: list[QuestionEvidence]) -> float:
    """Share of answerable questions with an answering unit among the READ_UNITS the reader gets."""
    answerable = [item for item in evidence if item.question.answerable]
    hits = sum(any(unit_label(u, item.question) for u in item.units[:READ_UNITS]) for item in answerable)
    return round(hits / len(answerable), 3) if answerable else 0.0


def _auc(logits: np.ndarray, targets: list[tuple[QuestionEvidence, Unit]]) -> float:
    """Out-of-fold AUC of answering vs non-answering read units (answerable questions' units only)."""
    labels = np.asarray([unit_label(unit, item.question) if item.question.answerable else 0 for item, unit in targets])
    pos, neg = logits[labels == 1], logits[labels == 0]
    if not len(pos) or not len(neg):
        return 0.0
    return round(float((pos[:, None] > neg[None, :]).mean()), 3)


if __name__ == "__main__":
    main()
