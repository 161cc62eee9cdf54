# The two set-up commands: `make run` and `make test`. Both create .venv when missing and
# install once (a stamp file records the install; a second run does not reinstall).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test install browser index serve eval eval-milvus bench lint clean-index local-llm test-llm run-llm

run: $(STAMP) ## install, index seeds/ when no index exists, then start the HTTP API
	$(VENV)/bin/rag ingest --rebuild-if-stale
	$(VENV)/bin/rag ask "广东对芯片进口的依赖程度如何？"
	$(VENV)/bin/rag ask "What were global semiconductor sales in 2021, according to SIA?"
	$(VENV)/bin/rag serve

test: $(STAMP) browser ## install, then the whole test suite (browser tests included) and the evaluation gate
	$(VENV)/bin/ruff check rag api eval tests bench
	$(VENV)/bin/pytest -q
	$(VENV)/bin/rag eval --split test --rebuild-index --out eval/reports/test
	$(VENV)/bin/rag eval --set blind --split test --out eval/reports/blind/test
	$(MAKE) --no-print-directory eval-milvus

install: $(STAMP)

# The web page's tests drive the system Chromium through Playwright (Playwright's own browser
# download is never used); a CJK font makes their screenshots readable. apt runs only when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser: ## Chromium and a CJK font for the browser tests (apt-get, only when missing)
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

index: $(STAMP)
	$(VENV)/bin/rag ingest

serve: $(STAMP)
	$(VENV)/bin/rag serve

eval: $(STAMP)
	$(VENV)/bin/rag eval --split dev --rebuild-index --out eval/reports/dev
	$(VENV)/bin/rag eval --set blind --split dev --split test

# The same test split with the Milvus store (embedded Milvus Lite under .rag/): the FAISS index the
# step above built is copied with its vectors (no re-embedding), evaluated for retrieval under the
# gate, and compared with the FAISS report: every overall retrieval metric within 0.02.
eval-milvus: $(STAMP)
	RAG_STORE=milvus $(VENV)/bin/rag migrate --to milvus --replace
	RAG_STORE=milvus $(VENV)/bin/rag eval --split test --retrieval-only --out eval/reports/test-milvus
	$(PY) -m eval.parity eval/reports/test/report.json eval/reports/test-milvus/report.json --tolerance 0.02

bench: $(STAMP) ## ingest + query latency, then HTTP load (reports in bench/reports/)
	$(PY) bench/ingest_and_search.py
	$(PY) bench/load_api.py

lint: $(STAMP)
	$(VENV)/bin/ruff check rag api eval tests bench
	$(VENV)/bin/ruff format --check rag api eval tests bench

clean-index:
	rm -rf .rag .rag-test

-include mk/llm.mk
