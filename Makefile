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

.PHONY: run test install index serve eval bench lint clean-index local-llm test-llm

run: $(STAMP) ## install, index seeds/ when no index exists, then start the HTTP API
	$(VENV)/bin/rag ingest --rebuild-if-stale
	$(VENV)/bin/rag ask "广东对芯片进口的依赖程度如何？"
	$(VENV)/bin/rag ask "What were global semiconductor sales in 2021, according to SIA?"
	$(VENV)/bin/rag serve

test: $(STAMP) ## install, then the whole test suite and the evaluation gate
	$(VENV)/bin/ruff check rag api eval tests bench
	$(VENV)/bin/pytest -q
	$(VENV)/bin/rag eval --split test --rebuild-index --out eval/reports/test
	$(VENV)/bin/rag eval --set blind --split test --out eval/reports/blind/test

install: $(STAMP)

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

bench: $(STAMP) ## ingest + query latency, then HTTP load (reports in bench/reports/)
	$(PY) bench/ingest_and_search.py
	$(PY) bench/load_api.py

lint: $(STAMP)
	$(VENV)/bin/ruff check rag api eval tests bench
	$(VENV)/bin/ruff format --check rag api eval tests bench

clean-index:
	rm -rf .rag .rag-test

-include mk/llm.mk
