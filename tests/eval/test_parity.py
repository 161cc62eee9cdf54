"""eval.parity: the Milvus gate compares two reports' overall retrieval metrics."""

import json

from eval.parity import main


def _report(tmp_path, name: str, metrics: dict) -> str:
    d = tmp_path / name
    d.mkdir()
    (d / "report.json").write_text(json.dumps({"meta": {"split": "test"}, "metrics": metrics}))
    return str(d / "report.json")


def test_parity_passes_within_tolerance_and_ignores_subsets(tmp_path, capsys):
    a = _report(
        tmp_path, "faiss", {"hybrid_recall_at_5": 0.875, "keyword_en_recall_at_1": 0.486, "answer_x": 1}
    )
    b = _report(
        tmp_path, "milvus", {"hybrid_recall_at_5": 0.861, "keyword_en_recall_at_1": 0.541, "answer_x": 0}
    )
    assert main([a, b, "--tolerance", "0.02"]) == 0
    assert "1 of 1 overall retrieval metrics within 0.02" in capsys.readouterr().out


def test_parity_fails_on_a_drop(tmp_path, capsys):
    a = _report(tmp_path, "faiss", {"hybrid_recall_at_5": 0.875, "dense_mrr_at_10": 0.56})
    b = _report(tmp_path, "milvus", {"hybrid_recall_at_5": 0.850, "dense_mrr_at_10": 0.56})
    assert main([a, b]) == 1
    assert "BAD hybrid_recall_at_5" in capsys.readouterr().out
