"""Deterministic retrieval and answer metrics: pure functions over plain data.

Nothing here calls a model or the network, so the CI gate built on these numbers is
reproducible offline. Every function takes texts, flags or ``rag.types`` objects and
returns numbers; the harness (``eval.harness``) is what runs the system.

Definitions (also printed in every report):

* **Relevant chunk**: its text contains one of the item's evidence strings after both are
  NFKC-normalised, ``％`` folded to ``%`` and all whitespace removed (chunks are reflowed,
  the evidence is copied from the raw file). Nothing else is folded, so a cleaner that
  rewrites characters shows up as lost recall rather than being hidden.
* **Recall@k**: share of answerable items with at least one relevant chunk in the top k.
* **MRR@10**: mean of 1/rank of the first relevant chunk (0 when none in the top 10).
* **nDCG@10**: binary gain 1 per relevant chunk at rank i, discounted by 1/log2(i+1). The
  ideal list holds R relevant chunks at the top, R = min(10, max(#evidence, #relevant
  retrieved)); the second term only matters when overlapping chunks repeat one evidence
  string, and keeps the score within [0, 1].
* **Citation precision**: over all citations of answers to answerable items, the share
  whose cited passage is relevant (strict) or, combined, relevant *or* cited by a sentence
  the verifier marked supported.
* **Citation recall**: share of answerable items (refusals count as misses) where at least
  one citation points at a relevant passage.
* **Language match**: ``detect_language(answer text)`` equals the question's language; a
  short English framing around long Chinese quotes therefore counts as Chinese. The
  *declared* variant compares ``Answer.language`` instead, separating "chose the wrong
  language" from "quoted the sources".
* **Key-fact match** (``number`` items): the first figure of the reference answer (or the
  item's ``key_fact`` field) appears among the figures of the system answer, after number
  normalisation (see ``normalize_numbers``; Chinese numerals such as 八千八百万 count as
  8800万), compared by value, so 40億 matches "HK$4 billion" (an English answer may state
  the figure in English or quote it in Chinese).
* **Follow-up right** (two-turn dialogues, scored on turn 2 asked with turn 1 as history):
  answerable → not refused and a citation on gold evidence (and the key figure for number
  items); unanswerable → refused.
* **Multi-part**: each part of the question is right when an answerable part has a citation
  on its own evidence and an unanswerable part is named missing (or the whole answer refused);
  the item is right when every part is.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rag.answer.citations.figures import arabic_numerals
from rag.types import Answer

K_VALUES: tuple[int, ...] = (1, 5, 10)
MAX_K = 10

_WS = re.compile(r"\s+")
_CELL = re.compile(r"[\s|]+")


# --- relevance ---------------------------------------------------------------------------


def normalize_for_match(text: str) -> str:
    """NFKC, ``％``→``%``, no whitespace, no table-cell separator: the only folding allowed when
    matching evidence. The cleaner writes a tab-separated table row as cells joined by " | "
    (rag.ingest.cleaning), so a row quoted from the file with its tabs is the same row."""
    return _CELL.sub("", unicodedata.normalize("NFKC", text).replace("％", "%"))


def is_relevant(chunk_text: str, evidence: Iterable[str]) -> bool:
    """True when the chunk contains any evidence string (see ``normalize_for_match``)."""
    hay = normalize_for_match(chunk_text)
    return any((needle := normalize_for_match(ev)) and needle in hay for ev in evidence)


def relevance_flags(texts: Sequence[str], evidence: Sequence[str]) -> list[bool]:
    """One flag per ranked chunk text; empty evidence (unanswerable) gives all False."""
    needles = [n for n in (normalize_for_match(ev) for ev in evidence) if n]
    return [any(n in normalize_for_match(t) for n in needles) for t in texts]


# --- ranking metrics (one item) ----------------------------------------------------------


def recall_at_k(flags: Sequence[bool], k: int) -> float:
    """1.0 when a relevant chunk is within the top k, else 0.0 (averaged into a share)."""
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank(flags: Sequence[bool], k: int = MAX_K) -> float:
    for i, flag in enumerate(flags[:k]):
        if flag:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at_k(flags: Sequence[bool], n_evidence: int, k: int = MAX_K) -> float:
    """Binary-gain nDCG; the ideal holds min(k, max(#evidence, #relevant retrieved)) hits."""
    top = list(flags[:k])
    dcg = sum(1.0 / math.log2(i + 2) for i, flag in enumerate(top) if flag)
    ideal_n = min(k, max(n_evidence, sum(top)))
    if ideal_n == 0:
        return 0.0
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg


def ranking_scores(flags: Sequence[bool], n_evidence: int) -> dict[str, float]:
    """All per-item ranking numbers, plus the recall curve for k = 1..10 (for the plots)."""
    out = {f"recall@{k}": recall_at_k(flags, k) for k in K_VALUES}
    out["mrr@10"] = reciprocal_rank(flags, MAX_K)
    out["ndcg@10"] = ndcg_at_k(flags, n_evidence, MAX_K)
    return out


def mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def aggregate_ranking(rows: Sequence[tuple[Sequence[bool], int]]) -> dict[str, Any]:
    """Mean ranking metrics over ``(flags, n_evidence)`` rows of answerable items."""
    per = [ranking_scores(flags, n) for flags, n in rows]
    out: dict[str, Any] = {"n": len(rows)}
    for key in (*(f"recall@{k}" for k in K_VALUES), "mrr@10", "ndcg@10"):
        out[key] = mean(p[key] for p in per)
    out["recall_curve"] = [mean(recall_at_k(f, k) for f, _ in rows) for k in range(1, MAX_K + 1)]
    return out


def grouped(
    records: Sequence[Mapping[str, Any]],
    compute: Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]],
    keys: Sequence[str] = ("lang", "script"),
) -> dict[str, Any]:
    """``compute`` over all records and over each value of each grouping key."""
    out: dict[str, Any] = {"all": compute(records)}
    for key in keys:
        values = sorted({str(r[key]) for r in records})
        out[f"by_{key}"] = {v: compute([r for r in records if str(r[key]) == v]) for v in values}
    return out


# --- numbers -----------------------------------------------------------------------------

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．％萬億", "0123456789.%万亿")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# A space between digit groups is a thousands separator ("35 450 人") only when three digits follow
# and the number before it has no decimals: "84.04 80.80" is two cells of a table row, not 84.0480.
_DIGIT_GAP = re.compile(r"(\d+(?:\.\d+)?)[ \t\u00a0\u3000]+(?=\d{3}(?!\d))")
_FIGURE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)[ \t\u00a0\u3000]*(%|万亿|万|亿|trillion\b|billion\b|million\b|thousand\b"
    r"|[TGM]Wh?(?![A-Za-z]))?",
    re.I,
)
# Power and energy in SI prefixes count in the documents' base units, kW (千瓦) and kWh (千瓦时):
# 2.04亿千瓦 = 204 million kW = 204 GW.
_SI_POWER = {"mw": 1e3, "gw": 1e6, "tw": 1e9, "mwh": 1e3, "gwh": 1e6, "twh": 1e9}
_ENGLISH_MAGNITUDES = {"trillion", "billion", "million", "thousand", *_SI_POWER}
_DATE_UNIT = re.compile(r"[ \t\u3000]*[年月日号號]")


def normalize_numbers(text: str) -> str:
    """Full-width digits→ASCII, ``％``→``%``, 萬/億→万/亿, no thousands commas or digit gaps.

    万/亿 stay as units (5559亿 is not expanded), so reference and answer must agree on
    the magnitude word; the Traditional forms are folded because quotes keep the source
    script while the reference may be in the other one.
    """
    text = arabic_numerals(text.translate(_FULLWIDTH_DIGITS))
    text = _THOUSANDS.sub("", text)
    return _DIGIT_GAP.sub(lambda m: m.group(1) if "." not in m.group(1) else m.group(0), text)


def figures(text: str) -> list[tuple[float, str]]:
    """``(value, unit)`` for every figure; bare dates (2021年, 5月) are skipped."""
    norm = normalize_numbers(text)
    out: list[tuple[float, str]] = []
    for m in _FIGURE.finditer(norm):
        unit = (m.group(2) or "").lower()
        if not unit and _DATE_UNIT.match(norm, m.end()):
            continue
        out.append((float(m.group(1)), unit))
    return out


# From two: "one" is as often a pronoun ("one of the …") as a count.
_NUMBER_WORDS = {
    w: float(i)
    for i, w in enumerate(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split(),
        start=2,
    )
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def word_counts(text: str) -> list[tuple[float, str]]:
    """Small counts written as English words ("Five.", "five areas"), which ``figures`` skips."""
    return [(_NUMBER_WORDS[m.group(1).lower()], "") for m in _NUMBER_WORD.finditer(text)]


def key_figure(reference: str) -> tuple[float, str] | None:
    """The figure a ``number`` item is about: the first one in the reference answer, or the
    count it spells out in words when it has no digits ("Five.").

    English glosses ("HK$4 billion (40億元)") are passed over when a figure in the source's
    own units follows, since answers quote the Chinese passages.
    """
    found = figures(reference) or word_counts(reference)
    native = [f for f in found if f[1] not in _ENGLISH_MAGNITUDES]
    return (native or found or [None])[0]


_MAGNITUDE = {
    "万": 1e4,
    "亿": 1e8,
    "万亿": 1e12,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    **_SI_POWER,
}


def _absolute(fig: tuple[float, str]) -> tuple[float, bool]:
    value, unit = fig
    return value * _MAGNITUDE.get(unit, 1.0), unit == "%"


_QUOTE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_CJK_PARENS = re.compile(r"[(（][^()（）]*[\u3400-\u9fff][^()（）]*[)）]")


def english_part(answer: str) -> str:
    """An answer without its verbatim Chinese quotes and Chinese parentheses: what a reader
    without Chinese can read (US$24 billion counts, 240亿美元 does not)."""
    return _CJK_PARENS.sub(" ", _QUOTE.sub(" ", answer))


def key_fact_match(reference: str, system_answer: str) -> bool:
    """True when the reference's key figure appears in the system answer, by value: 5559亿 =
    555.9 billion, 8800万 = 八千八百万; a percentage only matches a percentage."""
    target = key_figure(reference)
    if target is None:
        return False
    want = _absolute(target)
    text = _MARKER.sub(" ", system_answer)  # [2] is a citation, not the count 2
    return any(
        f[1] == want[1] and math.isclose(f[0], want[0], rel_tol=1e-9)
        for f in map(_absolute, figures(text) + word_counts(text))
    )


_MARKER = re.compile(r"\[\d+(?:\s*[,，]\s*\d+)*\]")


# --- answers (one item) ------------------------------------------------------------------


@dataclass
class AnswerScore:
    """What one answer contributes to the aggregate answer metrics (JSON-friendly)."""

    refused: bool
    citations: int  # citations counted for precision (answerable items only)
    citations_gold: int  # ... whose cited passage holds gold evidence
    citations_combined: int  # ... gold evidence or cited by a supported sentence
    cites_gold: bool  # some citation hits gold evidence (citation recall)
    sentences: int
    sentences_supported: int | None  # None when the system has no verifier (the baseline)
    key_fact: bool | None  # None unless a `number` item
    lang_match: bool  # detected language of the answer text = question language
    declared_language_match: bool  # the language the system says it answered in
    script_match: bool | None  # None for English items
    key_fact_english: bool | None = None  # English number item: the key figure stated in English

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_answer(
    answer: Answer,
    *,
    evidence: Sequence[str],
    answerable: bool,
    item_type: str,
    lang: str,
    script: str,
    reference: str,
    detect_language: Callable[[str], str],
    detect_script: Callable[[str], str],
    key_fact: str | None = None,
    verified: bool = True,
) -> AnswerScore:
    """Score one ``Answer`` against one gold item (detectors passed in to keep this pure)."""
    passages = {h.chunk.chunk_id: h.chunk.text for h in answer.passages}
    supported_ns = {n for s in answer.sentences if s.supported for n in s.citations}
    gold = combined = 0
    counted = answer.citations if answerable and not answer.refused else []
    for c in counted:
        text = passages.get(c.chunk_id, c.quote)
        hit = is_relevant(text, evidence)
        gold += hit
        combined += hit or (verified and c.n in supported_ns)
    sentences = [] if answer.refused else answer.sentences
    key = None
    if item_type == "number":
        key = (not answer.refused) and (
            key_fact_match(key_fact, answer.answer) if key_fact else key_fact_match(reference, answer.answer)
        )
    key_en = None
    if item_type == "number" and lang == "en":
        target = key_fact or reference
        key_en = (not answer.refused) and key_fact_match(target, english_part(answer.answer))
    return AnswerScore(
        refused=answer.refused,
        citations=len(counted),
        citations_gold=gold,
        citations_combined=combined,
        cites_gold=gold > 0,
        sentences=len(sentences),
        sentences_supported=sum(s.supported for s in sentences) if verified else None,
        key_fact=key,
        key_fact_english=key_en,
        lang_match=detect_language(answer.answer) == lang,
        declared_language_match=answer.language == lang,
        script_match=None if lang != "zh" else detect_script(answer.answer) == script,
    )


def followup_right(score: Mapping[str, Any], *, answerable: bool, item_type: str) -> bool:
    """A second turn is right when it refuses an unanswerable follow-up, or answers an
    answerable one citing gold evidence (with the key figure for a number item)."""
    if not answerable:
        return bool(score["refused"])
    return (not score["refused"]) and bool(score["cites_gold"]) and score["key_fact"] is not False


def _bigrams(text: str) -> set[str]:
    t = normalize_for_match(text).lower()
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _match_parts(gold: Sequence[Mapping[str, Any]], system: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """For each gold part, the index of the system part answering it (same order when the counts
    agree, else the lexically closest question), or None."""
    if not system:
        return [None] * len(gold)
    if len(system) == len(gold):
        return list(range(len(gold)))
    out: list[int | None] = []
    for g in gold:
        gb = _bigrams(str(g.get("question", "")))
        sims = [len(gb & _bigrams(str(s.get("question", "")))) / (len(gb) or 1) for s in system]
        best = max(range(len(system)), key=lambda i: sims[i])
        out.append(best if sims[best] > 0 else None)
    return out


def score_parts(answer: Answer, parts: Sequence[Mapping[str, Any]]) -> list[bool]:
    """One flag per gold part: an answerable part is right when some citation's passage holds its
    evidence (and the system did not call that part missing); an unanswerable part is right when
    the system named it missing or refused the whole question."""
    passages = {h.chunk.chunk_id: h.chunk.text for h in answer.passages}
    system = list(getattr(answer, "parts", None) or [])
    matched = _match_parts(parts, system)
    out: list[bool] = []
    for part, j in zip(parts, matched, strict=True):
        said_missing = answer.refused or (j is not None and not system[j].get("answered", True))
        if part.get("unanswerable"):
            out.append(bool(said_missing))
            continue
        cited = (
            [c for c in answer.citations if c.n in set(system[j].get("citations", []))]
            if j is not None and system[j].get("citations")
            else answer.citations
        )
        hit = any(is_relevant(passages.get(c.chunk_id, c.quote), part.get("evidence", [])) for c in cited)
        out.append(hit and not said_missing)
    return out


def _share(num: float, den: float) -> float | None:
    return num / den if den else None


def aggregate_answers(rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> dict[str, Any]:
    """Aggregate ``(item, AnswerScore dict)`` rows into the answer metrics (None = no data).

    The single-question metrics count single questions only; two-turn dialogues and multi-part
    questions have their own (``followup_right``, ``multipart_*``)."""
    dialogues = [(it, s) for it, s in rows if it.get("kind") == "dialogue"]
    multipart = [(it, s) for it, s in rows if it.get("kind") == "multipart"]
    rows = [(it, s) for it, s in rows if it.get("kind", "single") == "single"]
    ans = [s for it, s in rows if it["answerable"]]
    una = [s for it, s in rows if not it["answerable"]]
    num = [s for it, s in rows if it["type"] == "number"]
    num_en = [s for it, s in rows if it["type"] == "number" and it["lang"] == "en"]
    zh = [s for it, s in rows if it["lang"] == "zh"]
    verified = [s for s in ans + una if s["sentences_supported"] is not None]
    return {
        "n": len(rows),
        "n_answerable": len(ans),
        "n_unanswerable": len(una),
        "citation_precision_strict": _share(
            sum(s["citations_gold"] for s in ans), sum(s["citations"] for s in ans)
        ),
        "citation_precision_combined": _share(
            sum(s["citations_combined"] for s in ans), sum(s["citations"] for s in ans)
        ),
        "citation_recall": _share(sum(s["cites_gold"] for s in ans), len(ans)),
        "refusal_accuracy": _share(sum(s["refused"] for s in una), len(una)),
        "false_refusal_rate": _share(sum(s["refused"] for s in ans), len(ans)),
        "key_fact_match": _share(sum(bool(s["key_fact"]) for s in num), len(num)),
        "key_fact_in_english": _share(sum(bool(s.get("key_fact_english")) for s in num_en), len(num_en)),
        "language_match": _share(sum(s["lang_match"] for _, s in rows), len(rows)),
        "declared_language_match": _share(sum(s["declared_language_match"] for _, s in rows), len(rows)),
        "script_match_zh": _share(sum(bool(s["script_match"]) for s in zh), len(zh)),
        "supported_sentences": _share(
            sum(s["sentences_supported"] for s in verified), sum(s["sentences"] for s in verified)
        ),
        "n_dialogues": len(dialogues),
        "followup_right": _share(sum(bool(s.get("followup_right")) for _, s in dialogues), len(dialogues)),
        "n_multipart": len(multipart),
        "multipart_all_parts": _share(
            sum(bool(s.get("parts_right")) and all(s["parts_right"]) for _, s in multipart), len(multipart)
        ),
        "multipart_parts": _share(
            sum(sum(s.get("parts_right") or []) for _, s in multipart),
            sum(len(s.get("parts_right") or []) for _, s in multipart),
        ),
        "refusal_by_near_miss": {
            kind: _share(
                sum(s["refused"] for it, s in rows if it.get("near_miss") == kind),
                sum(1 for it, _ in rows if it.get("near_miss") == kind),
            )
            for kind in sorted({str(it["near_miss"]) for it, _ in rows if it.get("near_miss")})
        },
    }


# --- latency -----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]; None for no data."""
    vals = sorted(values)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def latency_summary(samples: Mapping[str, Sequence[float]]) -> dict[str, dict[str, float | None]]:
    """p50/p95/mean/n per stage from ``{stage: [ms, ...]}``."""
    return {
        stage: {
            "n": len(v),
            "p50": percentile(v, 50),
            "p95": percentile(v, 95),
            "mean": mean(v),
        }
        for stage, v in samples.items()
    }
