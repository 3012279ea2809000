"""The reader: a small cross-encoder that reads a question and one answer unit together.

Closeness features (cosine, word overlap, rank) say how near a unit is to a question, not whether it
answers it: a summary sentence that mentions OOGO is near every OOGO question. The reader is the
bundled multilingual-e5-small's first `READER_LAYERS` layers over the pair "query: <question>" /
"passage: <unit>" (one sequence, so every question token attends to every unit token), with its last
layer and a one-logit head fine-tuned in this project (`python -m evals.train_reader`). Only the
fine-tuned layer and the head are committed (`weights/reader.pt`, a few MB); `make reader` rebuilds the
ONNX graph from the bundled model plus those weights (`setup/reader_build.py`), so the runtime
needs onnxruntime and tokenizers only, like the embedder.

Its logit is one feature among the unit scorer's (`assistant/answer/evidence.py`) and the answerability
model's: which unit answers, which passage leads and whether to answer at all are still decided by the
small fitted models, now with a signal that read both texts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

READER_LAYERS = 4
"""Transformer layers of the reader: e5-small's first four (three frozen, the fourth fine-tuned).
Cost is linear in layers; on 2 cores six pairs through four layers take about 40-80 ms (measured in
the README's Evaluatie section), which is the answer's latency budget (`make bench`: p95 <= 150 ms)."""
TRAINED_LAYERS = 2
"""Of those, the last ones that training changes (with the head); the others stay e5's own."""
READ_UNITS = 6
"""Candidate units the reader reads per question: the unit scorer's six best. On dev the unit that
answers is among them for nearly every answerable question (`evals/train_reader.py` prints the share)."""
MAX_PAIR_TOKENS = 96
"""Question and unit together; a unit longer than what is left is cut (the answering words of a lid
or sentence come early; 96 covers 90 % of the corpus's units whole, see train_reader's report)."""
QUERY_PREFIX = "query: "
UNIT_PREFIX = "passage: "
"""e5's own prefixes: the layers were trained with them, and the reader starts from those layers."""

READER_DIRNAME = "reader"
READER_FILE = "reader.onnx"
ONNX_INPUTS = ("input_ids", "attention_mask")
ONNX_OUTPUT = "logit"
MARKER_NAME = ".verified"


def reader_dir(models_dir: Path) -> Path:
    return models_dir / READER_DIRNAME


class Reader:
    """The exported reader: `logits(question, units)` -> one answer logit per unit."""

    def __init__(self, model_dir: Path, tokenizer_dir: Path) -> None:
        import onnxruntime

        from assistant.search.embeddings import load_tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model_dir / READER_FILE), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer, self.pad_id = load_tokenizer(tokenizer_dir)  # the embedder's: one copy per process

    def encode(self, question: str, units: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and mask of every (question, unit) pair, padded to the longest."""
        return encode_pairs(self.tokenizer, self.pad_id, question, units)

    def logits(self, question: str, units: Sequence[str]) -> np.ndarray:
        if not units:
            return np.zeros(0)
        ids, mask = self.encode(question, units)
        (logit,) = self.session.run([ONNX_OUTPUT], {ONNX_INPUTS[0]: ids, ONNX_INPUTS[1]: mask})
        return np.asarray(logit, dtype=np.float64).reshape(-1)


def encode_pairs(tokenizer: Tokenizer, pad_id: int, question: str, units: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Pairs as XLM-R reads them, "<s> query: Q </s></s> passage: U </s>", with e5's prefixes; at most
    `MAX_PAIR_TOKENS`, cutting the unit (then the question). Built from the pieces' tokens rather than by
    the tokenizer's own pair truncation, so the embedder's tokenizer (configured for single texts) serves
    both; the training script encodes through this too."""
    bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    pieces = tokenizer.encode_batch([QUERY_PREFIX + question, *(UNIT_PREFIX + unit for unit in units)],
                                    add_special_tokens=False)
    asked = pieces[0].ids[: MAX_PAIR_TOKENS - 4]  # room for <s>, </s></s> and </s>
    rows = [[bos, *asked, eos, eos, *piece.ids[: MAX_PAIR_TOKENS - 4 - len(asked)], eos] for piece in pieces[1:]]
    width = max(len(row) for row in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for index, row in enumerate(rows):
        ids[index, : len(row)] = row
        mask[index, : len(row)] = 1
    return ids, mask


@functools.lru_cache(maxsize=2)
def load_reader(models_dir: Path) -> Reader:
    """The built reader, tokenised like the bundled embedder; a clear Dutch error when it is not built.
    One per process and models folder: every extractive backend of an engine (the answering one, and the
    one that quotes the law under a refused judgement, `assistant/answer/refusal_help.py`) reads with the same."""
    from assistant.errors import ConfigError
    from assistant.search.embeddings import bundled_model_dir

    target = reader_dir(models_dir.resolve())
    if not (target / MARKER_NAME).exists():
        raise ConfigError(
            f"de lezer (het model dat vraag en zin samen leest) is niet gebouwd in {target}: "
            "voer `make reader` uit, of zet ASSISTENT_READER=false",
            source="ASSISTENT_READER",
        )
    return Reader(target, bundled_model_dir(models_dir.resolve()))
