"""The bilingual gold set: loading and validation.

Gold items live in ``eval/gold/*.jsonl`` (one JSON object per line). Every item
names its split so that thresholds are tuned on ``dev`` and reported on ``test``.

The blind set lives in ``eval/gold/blind/*.jsonl`` (``BLIND_DIR``). Its questions were
written from section headings and summaries rather than from the documents' sentences,
and its items carry more fields: ``set`` ("blind"), ``section``, ``slot``; for
unanswerable items ``near_miss`` and ``missing``; for two-turn dialogues ``dialogue``,
``history``, ``history_evidence``, ``history_sources`` and ``standalone``; for multi-part
questions ``parts``. ``load_gold(gold_dir=BLIND_DIR)`` loads it (the extra fields end up in
``GoldItem.extra``); ``load_gold()`` keeps loading only the old set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.answer.question import SLOTS as QUESTION_SLOTS

GOLD_DIR = Path(__file__).resolve().parent / "gold"
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

LANGS = {"zh", "en"}
SCRIPTS = {"simplified", "traditional", "english"}
TYPES = {"fact", "number", "list", "why", "multi-document", "unanswerable"}
SPLITS = {"dev", "test"}
REQUIRED = ("id", "question", "lang", "script", "answer", "sources", "evidence", "type", "split")

BLIND_DIR = GOLD_DIR / "blind"
BLIND_TYPES = TYPES | {
    "multi-part",
    "date",
    "place",
    "organisation",
    "definition",
    "comparison",
    "yes-no",
}
SLOTS = set(QUESTION_SLOTS)  # the gold schema names the slots the question analyser knows
NEAR_MISS = {"absent-attribute", "other-entity", "other-year", "other-scope", "outside-corpus"}
BLIND_REQUIRED = ("set", "section", "slot")
MIN_BLIND_EVIDENCE = 6  # characters; a blind evidence string must identify its passage
MAX_MULTIPART_EVIDENCE = 6
MAX_PARTS = 3


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


def _seed_texts(sources: list, where: str, seeds_dir: Path, problems: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for src in sources:
        path = seeds_dir / str(src)
        if not isinstance(src, str) or not path.is_file():
            problems.append(f"{where}: source {src!r} is not a seed file")
            continue
        texts[src] = path.read_text(encoding="utf-8")
    return texts


def _check_evidence(
    evidence: list,
    sources: list,
    where: str,
    seeds_dir: Path,
    problems: list[str],
    *,
    min_chars: int = 2,
    max_count: int = 3,
    label: str = "evidence",
) -> None:
    """Sources are seed files; 1..max_count evidence strings, each verbatim in one of them."""
    if not sources:
        problems.append(
            f"{where}: an answerable item needs sources"
            if label == "evidence"
            else f"{where}: {label} needs sources"
        )
    if not 1 <= len(evidence) <= max_count:
        problems.append(f"{where}: needs 1-{max_count} {label} strings, has {len(evidence)}")
    texts = _seed_texts(sources, where, seeds_dir, problems)
    for ev in evidence:
        if not isinstance(ev, str) or len(ev.strip()) < min_chars:
            problems.append(f"{where}: {label} {ev!r} is too short")
        elif min_chars >= MIN_BLIND_EVIDENCE and "\n" in ev:
            problems.append(f"{where}: {label} {ev!r} spans a line break")
        elif texts and not any(ev in t for t in texts.values()):
            problems.append(f"{where}: {label} {ev!r} does not occur verbatim in {sources}")


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate_item(obj: dict, where: str, seeds_dir: Path = SEEDS_DIR, *, blind: bool = False) -> list[str]:
    """Return every problem with one raw gold object (empty when it is valid).

    ``blind`` applies the blind-set rules (see the module docstring) on top of the old ones.
    """
    problems: list[str] = []
    required = REQUIRED + (BLIND_REQUIRED if blind else ())
    for key in required:
        if key not in obj:
            problems.append(f"{where}: missing field {key!r}")
    if problems:
        return problems
    types = BLIND_TYPES if blind else TYPES
    if not isinstance(obj["question"], str) or not obj["question"].strip():
        problems.append(f"{where}: empty question")
    if obj["lang"] not in LANGS:
        problems.append(f"{where}: lang {obj['lang']!r} not in {sorted(LANGS)}")
    if obj["script"] not in SCRIPTS:
        problems.append(f"{where}: script {obj['script']!r} not in {sorted(SCRIPTS)}")
    if (obj["lang"] == "en") != (obj["script"] == "english"):
        problems.append(f"{where}: lang {obj['lang']!r} does not fit script {obj['script']!r}")
    if obj["type"] not in types:
        problems.append(f"{where}: type {obj['type']!r} not in {sorted(types)}")
    if obj["split"] not in SPLITS:
        problems.append(f"{where}: split {obj['split']!r} not in {sorted(SPLITS)}")
    if blind:
        problems.extend(_blind_fields(obj, where, seeds_dir))
    sources, evidence = obj["sources"], obj["evidence"]
    if not isinstance(sources, list) or not isinstance(evidence, list):
        problems.append(f"{where}: sources and evidence must be lists")
        return problems
    if obj["type"] == "unanswerable":
        if sources or evidence:
            problems.append(f"{where}: an unanswerable item has no sources or evidence")
        return problems
    if blind and obj["type"] == "multi-part":
        problems.extend(_blind_parts(obj, where, seeds_dir))
        return problems
    _check_evidence(
        evidence,
        sources,
        where,
        seeds_dir,
        problems,
        min_chars=MIN_BLIND_EVIDENCE if blind else 2,
    )
    return problems


def _blind_fields(obj: dict, where: str, seeds_dir: Path) -> list[str]:
    """The fields only blind items have: set, section, slot, near_miss/missing, dialogue."""
    problems: list[str] = []
    if obj["set"] != "blind":
        problems.append(f"{where}: set {obj['set']!r} must be 'blind' in a blind file")
    if obj["slot"] not in SLOTS:
        problems.append(f"{where}: slot {obj['slot']!r} not in {sorted(SLOTS)}")
    if not _nonempty_str(obj.get("answer")):
        problems.append(f"{where}: empty answer")
    unanswerable = obj["type"] == "unanswerable"
    near_miss = obj.get("near_miss")
    if not isinstance(obj["section"], str):
        problems.append(f"{where}: section must be a string")
    elif not obj["section"].strip() and near_miss != "outside-corpus":
        problems.append(f"{where}: empty section (only an outside-corpus item may have none)")
    if unanswerable:
        if near_miss not in NEAR_MISS:
            problems.append(f"{where}: near_miss {near_miss!r} not in {sorted(NEAR_MISS)}")
        if not _nonempty_str(obj.get("missing")):
            problems.append(f"{where}: an unanswerable item must say what is missing")
    elif "near_miss" in obj or "missing" in obj:
        problems.append(f"{where}: near_miss/missing belong to unanswerable items only")
    if ("parts" in obj) != (obj["type"] == "multi-part"):
        problems.append(f"{where}: parts go with type 'multi-part' and only with it")
    dialogue_keys = ("history", "history_evidence", "history_sources", "standalone")
    if obj.get("dialogue") or any(k in obj for k in dialogue_keys):
        if obj.get("dialogue") is not True:
            problems.append(f'{where}: a dialogue item needs "dialogue": true')
        history = obj.get("history")
        if not (isinstance(history, list) and len(history) == 1 and _nonempty_str(history[0])):
            problems.append(f"{where}: history must be a list of one first-turn question")
        if not _nonempty_str(obj.get("standalone")):
            problems.append(f"{where}: a dialogue item needs a standalone rewrite")
        h_sources, h_evidence = obj.get("history_sources"), obj.get("history_evidence")
        if not isinstance(h_sources, list) or not isinstance(h_evidence, list):
            problems.append(f"{where}: history_sources and history_evidence must be lists")
        else:
            _check_evidence(
                h_evidence,
                h_sources,
                where,
                seeds_dir,
                problems,
                min_chars=MIN_BLIND_EVIDENCE,
                label="history_evidence",
            )
    return problems


def _blind_parts(obj: dict, where: str, seeds_dir: Path) -> list[str]:
    """A multi-part item: 2-3 well-formed parts; the top level is the union of the parts."""
    problems: list[str] = []
    parts = obj.get("parts")
    if not isinstance(parts, list) or not 2 <= len(parts) <= MAX_PARTS:
        return [f"{where}: parts must be a list of 2-{MAX_PARTS} parts"]
    union_sources: set[str] = set()
    union_evidence: set[str] = set()
    answerable = 0
    for n, part in enumerate(parts, 1):
        at = f"{where}: part {n}"
        if not isinstance(part, dict):
            problems.append(f"{at} is not an object")
            continue
        if not _nonempty_str(part.get("question")):
            problems.append(f"{at} has no question")
        if part.get("unanswerable") is True:
            if not _nonempty_str(part.get("missing")):
                problems.append(f"{at} is unanswerable but does not say what is missing")
            if part.get("sources") or part.get("evidence"):
                problems.append(f"{at} is unanswerable and has no sources or evidence")
            continue
        answerable += 1
        if not _nonempty_str(part.get("answer")):
            problems.append(f"{at} has no answer")
        p_sources, p_evidence = part.get("sources"), part.get("evidence")
        if not isinstance(p_sources, list) or not isinstance(p_evidence, list):
            problems.append(f"{at}: sources and evidence must be lists")
            continue
        _check_evidence(p_evidence, p_sources, at, seeds_dir, problems, min_chars=MIN_BLIND_EVIDENCE)
        union_sources.update(s for s in p_sources if isinstance(s, str))
        union_evidence.update(e for e in p_evidence if isinstance(e, str))
    if not answerable:
        problems.append(f"{where}: a multi-part item needs an answerable part (else: unanswerable)")
    sources, evidence = obj["sources"], obj["evidence"]
    if len(evidence) > MAX_MULTIPART_EVIDENCE:
        problems.append(f"{where}: a multi-part item has at most {MAX_MULTIPART_EVIDENCE} evidence strings")
    if set(sources) != union_sources:
        problems.append(f"{where}: sources must be the union of the parts' sources")
    if set(evidence) != union_evidence:
        problems.append(f"{where}: evidence must be the union of the parts' evidence")
    return problems


def _gold_files(gold_dir: Path) -> list[tuple[Path, bool]]:
    """The files under ``gold_dir`` with whether each is blind (it sits in a ``blind`` dir).

    ``gold_dir`` itself may be the blind dir; a gold dir's ``blind/`` subdir is included.
    """
    files = [(p, gold_dir.name == "blind") for p in sorted(gold_dir.glob("*.jsonl"))]
    sub = gold_dir / "blind"
    if gold_dir.name != "blind" and sub.is_dir():
        files += [(p, True) for p in sorted(sub.glob("*.jsonl"))]
    return files


def validate_gold(gold_dir: Path = GOLD_DIR, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Check every gold file (old set and its ``blind/`` subdir): schema, unique ids, evidence."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, blind in _gold_files(gold_dir):
        name = f"blind/{path.name}" if blind and gold_dir.name != "blind" else path.name
        try:
            rows = list(_parse(path))
        except GoldError as exc:
            problems.append(str(exc).replace(path.name, name, 1))
            continue
        for lineno, obj in rows:
            where = f"{name}:{lineno}"
            problems.extend(validate_item(obj, where, seeds_dir, blind=blind))
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
