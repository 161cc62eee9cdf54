"""Per-sentence support: every sentence of an answer checked against the passages it cites.

1. markers naming no provided passage are removed (reported in the warnings);
2. the answer is split into sentences;
3. each cited sentence is checked against its cited passages (title and section included):
   every number, percentage, date and amount must occur there after normalisation (a missing
   figure makes the sentence unsupported whatever its similarity), and it must be similar
   enough: lexical containment or, for an English sentence over Chinese passages, the embedder's cosine;
4. an uncited sentence is unsupported unless it makes no claim (a lead-in ending with a colon, or at
   most two content units). With ``auto_cite`` an uncited claim one passage fully supports gets
   that passage's marker, flagged "citation added by the verifier";
5. each cited passage gets a quote: its best-supporting sentence, verbatim, located in the original file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.answer.citations.figures import missing_figures
from rag.answer.citations.lexical import containment, is_connective, is_cross_lingual, units
from rag.answer.citations.locate import OriginalLocator
from rag.answer.citations.markers import (
    add_marker,
    answer_sentence_spans,
    clean_markers,
    markers_in,
    strip_markers,
)
from rag.answer.citations.passages import PassageCache, PassageInfo
from rag.embeddings import Embedder
from rag.types import Citation, Hit, Sentence

# --- verification ------------------------------------------------------------------------


@dataclass
class Verification:
    text: str  # the answer with invalid markers removed
    sentences: list[Sentence]
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)

    @property
    def any_supported(self) -> bool:
        """At least one cited sentence passed (connectives alone do not answer anything)."""
        return any(s.supported and s.citations for s in self.sentences)


@dataclass
class Thresholds:
    lexical: float = 0.5
    cosine: float = 0.40
    auto_cite: bool = True  # an uncited sentence a passage supports gets that passage's marker


def _cos_rows(vec: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return rows @ vec if len(rows) else np.zeros(0, dtype=np.float32)


@dataclass
class _Support:
    supported: bool
    score: float
    reasons: list[str]
    per_n: dict[int, tuple[float, int]]  # n → (score, best passage sentence index)


def _support(
    sent: str,
    cites: list[int],
    infos: Sequence[PassageInfo],
    vec: np.ndarray | None,
    embedder: Embedder | None,
    passages: PassageCache,
    th: Thresholds,
) -> _Support:
    """How well the passages ``cites`` back one sentence: figures present, and similar enough."""
    cited = [infos[n - 1] for n in cites]
    su = units(sent)
    lexical = containment(su, set().union(*(c.all_units for c in cited)))
    cosine: float | None = None
    per_n: dict[int, tuple[float, int]] = {}
    for n, info in zip(cites, cited, strict=True):
        rows = [containment(su, u) for u in info.sentence_units]
        j = int(np.argmax(rows)) if rows else -1
        per_n[n] = (rows[j] if rows else 0.0, j)
        if vec is not None and embedder is not None and info.spans:
            sims = _cos_rows(vec, passages.vectors(info, embedder))
            k = int(np.argmax(sims))
            cosine = max(cosine if cosine is not None else -1.0, float(sims[k]))
            if float(sims[k]) > per_n[n][0]:
                per_n[n] = (float(sims[k]), k)
    missing = missing_figures(sent, [f for c in cited for f in c.figures])
    similar = lexical >= th.lexical or (cosine is not None and cosine >= th.cosine)
    reasons: list[str] = []
    if missing:
        reasons.append(f"not in the cited passage(s): {', '.join(missing)}")
    if not similar:
        what = f"lexical {lexical:.2f} < {th.lexical}"
        if cosine is not None:
            what += f", cosine {cosine:.2f} < {th.cosine}"
        reasons.append(f"weak support ({what})")
    score = lexical if cosine is None else max(lexical, cosine)
    return _Support(similar and not missing, score, reasons, per_n)


def verify(
    text: str,
    hits: Sequence[Hit],
    *,
    embedder: Embedder | None,
    passages: PassageCache,
    locator: OriginalLocator | None,
    thresholds: Thresholds | None = None,
) -> Verification:
    """Check every sentence of an answer against the passages it cites (see the module doc).

    With ``thresholds.auto_cite``, an uncited claim that one passage fully supports (every
    figure present, similar enough) gets that passage's marker added to the text, with the reason
    "citation added by the verifier": small local models often answer correctly without markers."""
    th = thresholds or Thresholds()
    text, warnings = clean_markers(text, len(hits))
    infos = [passages.get(h.chunk) for h in hits]
    spans = answer_sentence_spans(text)
    raw = [text[s:e] for s, e in spans]
    valid = [[n for n in markers_in(s) if 1 <= n <= len(hits)] for s in raw]
    claims = [not v and not is_connective(s) for s, v in zip(raw, valid, strict=True)]

    # Cross-lingual sentences (cited, or candidates for a citation) are embedded once, together.
    xl = [
        i
        for i, s in enumerate(raw)
        if embedder is not None and is_cross_lingual(s) and (valid[i] or (claims[i] and th.auto_cite))
    ]
    vecs: dict[int, np.ndarray] = {}
    if xl and embedder is not None:
        rows = embedder.embed_documents([strip_markers(raw[i]) for i in xl])
        vecs = {i: rows[j] for j, i in enumerate(xl)}

    sentences: list[Sentence] = []
    best_quote: dict[int, tuple[float, int]] = {}  # n → (score, passage sentence index)
    pieces: list[str] = []
    pos = 0
    added = 0
    for i, sent in enumerate(raw):
        pieces.append(text[pos : spans[i][0]])
        pos = spans[i][1]
        cites, extra = valid[i], []
        if not cites and claims[i] and th.auto_cite:
            options = [
                _support(sent, [n], infos, vecs.get(i), embedder, passages, th)
                for n in range(1, len(hits) + 1)
            ]
            good = [(o.score, n) for n, o in enumerate(options, 1) if o.supported]
            if good:
                n = max(good)[1]
                sent, cites, extra = add_marker(sent, n), [n], ["citation added by the verifier"]
                added += 1
        pieces.append(sent)
        if not cites:
            if is_connective(sent):
                sentences.append(Sentence(sent, [], True, 0.0, ["no claim (connective)"]))
            else:
                sentences.append(Sentence(sent, [], False, 0.0, ["uncited"]))
            continue
        sup = _support(sent, cites, infos, vecs.get(i), embedder, passages, th)
        sentences.append(Sentence(sent, cites, sup.supported, sup.score, sup.reasons + extra))
        for n, (sc, j) in sup.per_n.items():
            if j >= 0 and (n not in best_quote or sc > best_quote[n][0]):
                best_quote[n] = (sc, j)
    pieces.append(text[pos:])
    text = "".join(pieces)

    citations = [
        make_citation(n, hits[n - 1], infos[n - 1], best_quote[n][1], best_quote[n][0], locator)
        for n in sorted(best_quote)
    ]
    if added:
        warnings.append(f"added citations to {added} uncited sentence(s) that a passage supports")
    unsupported = sum(1 for s in sentences if not s.supported)
    if unsupported:
        warnings.append(
            f"{unsupported} of {len(sentences)} sentence(s) are not supported by the cited passages"
        )
    return Verification(text, sentences, citations, warnings)


def make_citation(
    n: int, hit: Hit, info: PassageInfo, j: int, score: float, locator: OriginalLocator | None
) -> Citation:
    c = hit.chunk
    quote = info.sentence(j) if 0 <= j < len(info.spans) else c.text
    start, end = locator.locate(c, quote) if locator else (c.start, c.end)
    return Citation(
        n=n,
        chunk_id=c.chunk_id,
        source=c.source,
        title=c.title,
        section=c.section,
        quote=quote,
        start=start,
        end=end,
        score=round(float(score), 4),
    )


def closest_citations(
    question: str,
    hits: Sequence[Hit],
    *,
    passages: PassageCache,
    locator: OriginalLocator | None,
    embedder: Embedder | None = None,
    limit: int = 3,
) -> list[Citation]:
    """For a refusal: the nearest passages, each with the sentence closest to the question (by
    cosine when the passage's sentences are already embedded, else lexically)."""
    qu = units(question)
    qvec = embedder.embed_query(question) if embedder is not None else None
    out: list[Citation] = []
    for n, hit in enumerate(hits[:limit], 1):
        info = passages.get(hit.chunk)
        if not info.spans:
            out.append(make_citation(n, hit, info, -1, 0.0, locator))
            continue
        if qvec is not None and info.vectors is not None:
            sims = _cos_rows(qvec, info.vectors)
        else:
            sims = np.array([containment(qu, u) for u in info.sentence_units])
        j = int(np.argmax(sims))
        out.append(make_citation(n, hit, info, j, float(sims[j]), locator))
    return out
