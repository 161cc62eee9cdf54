"""The bilingual gold set: loading and validation.

Gold items live in ``eval/gold/*.jsonl`` (one JSON object per line). Every item
names its split so that thresholds are tuned on ``dev`` and reported on ``test``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "gold"
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

LANGS = {"zh", "en"}
SCRIPTS = {"simplified", "traditional", "english"}
TYPES = {"fact", "number", "list", "why", "multi-document", "unanswerable"}
SPLITS = {"dev", "test"}
REQUIRED = ("id", "question", "lang", "script", "answer", "sources", "evidence", "type", "split")


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    lang: str
    script: str
    answer: str
    sources: list[str]
    evidence: list[str]
    type: str
    split: str
    extra: dict = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


class GoldError(ValueError):
    """A gold file breaks the schema; the message names file, line and problem."""


def _parse(path: Path) -> Iterable[tuple[int, dict]]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path.name}:{lineno}: not JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise GoldError(f"{path.name}:{lineno}: not an object")
        yield lineno, obj


def validate_item(obj: dict, where: str, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Return every problem with one raw gold object (empty when it is valid)."""
    problems: list[str] = []
    for key in REQUIRED:
        if key not in obj:
            problems.append(f"{where}: missing field {key!r}")
    if problems:
        return problems
    if not isinstance(obj["question"], str) or not obj["question"].strip():
        problems.append(f"{where}: empty question")
    if obj["lang"] not in LANGS:
        problems.append(f"{where}: lang {obj['lang']!r} not in {sorted(LANGS)}")
    if obj["script"] not in SCRIPTS:
        problems.append(f"{where}: script {obj['script']!r} not in {sorted(SCRIPTS)}")
    if (obj["lang"] == "en") != (obj["script"] == "english"):
        problems.append(f"{where}: lang {obj['lang']!r} does not fit script {obj['script']!r}")
    if obj["type"] not in TYPES:
        problems.append(f"{where}: type {obj['type']!r} not in {sorted(TYPES)}")
    if obj["split"] not in SPLITS:
        problems.append(f"{where}: split {obj['split']!r} not in {sorted(SPLITS)}")
    sources, evidence = obj["sources"], obj["evidence"]
    if not isinstance(sources, list) or not isinstance(evidence, list):
        problems.append(f"{where}: sources and evidence must be lists")
        return problems
    if obj["type"] == "unanswerable":
        if sources or evidence:
            problems.append(f"{where}: an unanswerable item has no sources or evidence")
        return problems
    if not sources:
        problems.append(f"{where}: an answerable item needs sources")
    if not 1 <= len(evidence) <= 3:
        problems.append(f"{where}: needs 1-3 evidence strings, has {len(evidence)}")
    texts = {}
    for src in sources:
        path = seeds_dir / src
        if not path.is_file():
            problems.append(f"{where}: source {src!r} is not a seed file")
            continue
        texts[src] = path.read_text(encoding="utf-8")
    for ev in evidence:
        if not isinstance(ev, str) or len(ev.strip()) < 2:
            problems.append(f"{where}: evidence {ev!r} is too short")
        elif texts and not any(ev in t for t in texts.values()):
            problems.append(f"{where}: evidence {ev!r} does not occur verbatim in {sources}")
    return problems


def validate_gold(gold_dir: Path = GOLD_DIR, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Check every gold file: schema, unique ids, verbatim evidence."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(gold_dir.glob("*.jsonl")):
        try:
            rows = list(_parse(path))
        except GoldError as exc:
            problems.append(str(exc))
            continue
        for lineno, obj in rows:
            where = f"{path.name}:{lineno}"
            problems.extend(validate_item(obj, where, seeds_dir))
            item_id = obj.get("id")
            if item_id in seen:
                problems.append(f"{where}: duplicate id {item_id!r} (first at {seen[item_id]})")
            else:
                seen[str(item_id)] = where
    return problems


def load_gold(split: str | None = None, gold_dir: Path = GOLD_DIR) -> list[GoldItem]:
    """Load the gold items, optionally one split; raises GoldError on a broken file."""
    items: list[GoldItem] = []
    for path in sorted(gold_dir.glob("*.jsonl")):
        for _lineno, obj in _parse(path):
            if split and obj.get("split") != split:
                continue
            known = {k: obj[k] for k in REQUIRED}
            extra = {k: v for k, v in obj.items() if k not in REQUIRED}
            items.append(GoldItem(**known, extra=extra))
    return items
