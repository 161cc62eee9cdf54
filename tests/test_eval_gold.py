"""The gold set: the real files pass the validator and have the promised mix; the validator
catches each kind of broken item (hand-made files in tmp_path)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.gold import GOLD_DIR, SEEDS_DIR, GoldError, load_gold, validate_gold
from eval.metrics import normalize_for_match

# --- the real gold set -------------------------------------------------------------------


def test_real_gold_files_are_valid() -> None:
    assert list(GOLD_DIR.glob("*.jsonl")), "no gold files"
    assert validate_gold() == []


def test_real_gold_ids_unique_and_both_splits_present() -> None:
    items = load_gold()
    ids = [it.id for it in items]
    assert len(ids) == len(set(ids))
    dev, test = load_gold("dev"), load_gold("test")
    assert dev and test and len(dev) + len(test) == len(items)


def test_real_gold_mix() -> None:
    """The composition issue #3 asks for: size, languages, scripts, unanswerables, multi-doc, coverage."""
    items = load_gold()
    langs = Counter(it.lang for it in items)
    scripts = Counter(it.script for it in items)
    types = Counter(it.type for it in items)
    assert len(items) >= 150
    assert 0.35 <= langs["zh"] / len(items) <= 0.65
    assert scripts["simplified"] >= 10 and scripts["traditional"] >= 10
    assert types["unanswerable"] >= 15
    assert sum(it.type == "multi-document" or len(it.evidence) >= 2 for it in items) >= 10
    covered = {src for it in items for src in it.sources}
    assert covered == {p.name for p in SEEDS_DIR.glob("*.txt")}
    for split in ("dev", "test"):
        part = load_gold(split)
        assert any(not it.answerable for it in part), f"{split} has no unanswerable item"
        assert {it.lang for it in part} == {"zh", "en"}


def test_real_gold_evidence_survives_whitespace_folding() -> None:
    """Retrieval matches evidence with whitespace removed; a blank-only string would match anything."""
    for it in load_gold():
        for ev in it.evidence:
            assert len(normalize_for_match(ev)) >= 2, (it.id, ev)


# --- the validator on hand-made bad items -----------------------------------------------

SEED = "doc.txt"
SEED_TEXT = "2021 年中国市场集成电路销售额为 1925 亿美元。\n研发投入突破 2 万亿元。\n"


def _good(**over: object) -> dict:
    item = {
        "id": "x-1",
        "question": "2021年中国集成电路销售额是多少？",
        "lang": "zh",
        "script": "simplified",
        "answer": "1925亿美元",
        "sources": [SEED],
        "evidence": ["销售额为 1925 亿美元"],
        "type": "number",
        "split": "dev",
    }
    item.update(over)
    return item


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    gold, seeds = tmp_path / "gold", tmp_path / "seeds"
    gold.mkdir()
    seeds.mkdir()
    (seeds / SEED).write_text(SEED_TEXT, encoding="utf-8")
    return gold, seeds


def _write(gold: Path, *items: dict | str, name: str = "g.jsonl") -> None:
    lines = [i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items]
    (gold / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_hand_made_good_items_pass(dirs: tuple[Path, Path]) -> None:
    gold, seeds = dirs
    unanswerable = _good(id="x-2", type="unanswerable", sources=[], evidence=[], split="test")
    english = _good(id="x-3", lang="en", script="english", question="How much?", evidence=["突破 2 万亿元"])
    _write(gold, _good(), "", unanswerable, english)  # blank lines are allowed
    assert validate_gold(gold, seeds) == []
    assert [it.id for it in load_gold("dev", gold)] == ["x-1", "x-3"]
    assert not load_gold("test", gold)[0].answerable


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({k: v for k, v in _good().items() if k != "evidence"}, "missing field 'evidence'"),
        (_good(question="  "), "empty question"),
        (_good(lang="fr"), "lang 'fr' not in"),
        (_good(script="cantonese"), "script 'cantonese' not in"),
        (_good(lang="en"), "does not fit script"),
        (_good(type="opinion"), "type 'opinion' not in"),
        (_good(split="train"), "split 'train' not in"),
        (_good(evidence="销售额"), "must be lists"),
        (_good(type="unanswerable"), "unanswerable item has no sources or evidence"),
        (_good(sources=[]), "needs sources"),
        (_good(evidence=[]), "needs 1-3 evidence strings"),
        (_good(evidence=["销售额", "亿美元", "中国", "市场"]), "needs 1-3 evidence strings"),
        (_good(sources=["missing.txt"]), "is not a seed file"),
        (_good(evidence=["销售额为1925亿美元"]), "does not occur verbatim"),  # spaces matter here
        (_good(evidence=["銷售額為 1925 億美元"]), "does not occur verbatim"),  # so does the script
        (_good(evidence=[" "]), "too short"),
    ],
)
def test_validator_catches(dirs: tuple[Path, Path], item: dict, expected: str) -> None:
    gold, seeds = dirs
    _write(gold, item)
    problems = validate_gold(gold, seeds)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("g.jsonl:1:") for p in problems)


def test_validator_catches_duplicate_ids_across_files(dirs: tuple[Path, Path]) -> None:
    gold, seeds = dirs
    _write(gold, _good(), name="a.jsonl")
    _write(gold, _good(split="test"), name="b.jsonl")
    assert validate_gold(gold, seeds) == ["b.jsonl:1: duplicate id 'x-1' (first at a.jsonl:1)"]


def test_broken_json_is_reported_and_refused_by_the_loader(dirs: tuple[Path, Path]) -> None:
    gold, seeds = dirs
    _write(gold, _good(), '{"id": "x-2", ')
    problems = validate_gold(gold, seeds)
    assert len(problems) == 1 and problems[0].startswith("g.jsonl:2: not JSON")
    with pytest.raises(GoldError, match="g.jsonl:2"):
        load_gold(gold_dir=gold)
    _write(gold, "[1, 2]")
    assert validate_gold(gold, seeds) == ["g.jsonl:1: not an object"]
