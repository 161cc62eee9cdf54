"""Citation markers, per-sentence support checks, and verbatim quotes located in the original file.

Why this exists: an LLM (or our own extractive composer) can cite a passage that does not say
what the sentence claims, invent a figure, or cite ``[7]`` when only six passages were given.
Every answer therefore goes through :func:`verify`:

1. markers (``[1]``, ``[1][2]``, ``[1, 2]``, ``[1-3]``, ``【1】``, ``［１］``, ``[ID:1]``) are parsed;
   a marker naming no provided passage is removed from the text and reported in the warnings;
2. the answer is split into sentences (Chinese and English; a marker right after ``。`` belongs to
   the sentence before it);
3. each cited sentence is checked against its cited passages (title and section included):
   every number, percentage, date and amount must occur there after normalisation (a missing
   figure makes the sentence unsupported whatever its similarity), and it must be similar
   enough: lexical containment (Chinese character bigrams, t2s-folded, plus English words) or, for
   an English sentence over Chinese passages, the embedder's cosine;
4. an uncited sentence is unsupported unless it makes no claim: no digits and either it ends with
   a colon (a lead-in such as "根据检索到的文档：") or it has at most two content units (是的。 / Yes.).
   With ``auto_cite`` (the default) an uncited claim that one passage fully supports first gets that
   passage's marker added, flagged "citation added by the verifier";
5. each cited passage gets a quote: its best-supporting sentence, verbatim from ``chunk.text``,
   located in the original file by a whitespace- and normalisation-insensitive search inside the
   chunk's span.

Everything except :func:`verify`'s cosine (and the original-file lookup) is a pure function.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.embeddings import Embedder
from rag.text import detect_language, sentence_spans, to_simplified
from rag.types import Chunk, Citation, Hit, Sentence

# --- markers -----------------------------------------------------------------------------

# One or two digits only: "[2021]" or "[2019-2021]" in an answer is a year, not a citation.

_DIGITS = "0-9０-９"
MARKER_RE = re.compile(
    rf"[\[【［]\s*(?:ID\s*[:：]\s*)?([{_DIGITS}]{{1,2}}(?:\s*[-–~～,，、]\s*[{_DIGITS}]{{1,2}})*)\s*[\]】］]",
    re.IGNORECASE,
)
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER_RE.pattern})+", re.IGNORECASE)
_MAX_RANGE = 20  # "[1-3]" expands to 1, 2, 3; a reversed or huge range only names its ends


def marker_numbers(body: str) -> list[int]:
    """The passage numbers one marker body names: ``"1, 2"`` → [1, 2]; ``"1-3"`` → [1, 2, 3]."""
    body = unicodedata.normalize("NFKC", body)
    out: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", body):
        m = re.fullmatch(r"(\d+)\s*[-–~～]\s*(\d+)", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            out.extend(range(a, b + 1) if 0 <= b - a <= _MAX_RANGE else [a, b])
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def markers_in(text: str) -> list[int]:
    """Every passage number cited in ``text``, in order of first appearance."""
    seen: dict[int, None] = {}
    for m in MARKER_RE.finditer(text):
        for n in marker_numbers(m.group(1)):
            seen.setdefault(n, None)
    return list(seen)


def strip_markers(text: str) -> str:
    return re.sub(r"[ \t]*" + MARKER_RE.pattern, "", text, flags=re.IGNORECASE).strip()


def clean_markers(text: str, n_passages: int) -> tuple[str, list[str]]:
    """Drop the numbers of each marker that name no passage in 1..n_passages (the whole marker if
    none is left); markers that are all valid stay exactly as written."""
    bad: list[int] = []

    def fix(m: re.Match[str]) -> str:
        nums = marker_numbers(m.group(3))
        invalid = [n for n in nums if not 1 <= n <= n_passages]
        if not invalid:
            return m.group(0)
        bad.extend(invalid)
        valid = dict.fromkeys(n for n in nums if 1 <= n <= n_passages)
        new = "".join(f"[{n}]" for n in valid)
        return m.group(1) + new if new else ""

    cleaned = _SPACED_MARKER_RE.sub(fix, text)
    if not bad:
        return cleaned, []
    names = ", ".join(f"[{n}]" for n in dict.fromkeys(bad))
    return cleaned, [
        f"removed citation marker(s) {names}: they name no provided passage (there are {n_passages})"
    ]


_SPACED_MARKER_RE = re.compile(rf"([ \t]*)({MARKER_RE.pattern})", re.IGNORECASE)


# --- answer sentences --------------------------------------------------------------------

_ONLY_PUNCT = re.compile(r"^[\s。．.！!？?；;，,、:：”’」』）)\]】]*$")


_PAIRS = (("《", "》"), ("“", "”"))


def _open_pair(text: str, start: int, end: int) -> bool:
    """A title mark or quotation opened in ``text[start:end]`` and closed later on the same line:
    "According to 《成果點量化？》, …" is one sentence, whatever the title contains."""
    piece = text[start:end]
    line_end = text.find("\n", end)
    rest = text[end : line_end if line_end >= 0 else len(text)]
    return any(piece.count(a) > piece.count(b) and b in rest for a, b in _PAIRS)


def answer_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of an answer; markers opening a piece go back to the sentence before, and a
    piece that is only punctuation (the ``.`` of ``“…” [1].``) joins it too; no sentence ends
    inside an open 《title》 or “quote” that closes later on the line."""
    out: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        if out and _open_pair(text, out[-1][0], out[-1][1]) and "\n" not in text[out[-1][1] : s]:
            out[-1] = (out[-1][0], e)
            continue
        if out:
            lead = _LEADING_MARKERS.match(text[s:e])
            if lead:
                cut = s + lead.end()
                out[-1] = (out[-1][0], cut)
                s = cut
                while s < e and text[s].isspace():
                    s += 1
            if s >= e or _ONLY_PUNCT.match(text[s:e]):
                if s < e:
                    out[-1] = (out[-1][0], e)
                continue
        out.append((s, e))
    return out


# --- numbers -----------------------------------------------------------------------------

# Magnitude words: the figure's value is number × unit, so 5559亿 = 555.9 billion.
_UNITS = {
    "万亿": 1e12,
    "萬億": 1e12,
    "千亿": 1e11,
    "千億": 1e11,
    "百亿": 1e10,
    "百億": 1e10,
    "亿": 1e8,
    "億": 1e8,
    "千万": 1e7,
    "千萬": 1e7,
    "百万": 1e6,
    "百萬": 1e6,
    "万": 1e4,
    "萬": 1e4,
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "thousand": 1e3,
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER_RE = re.compile(
    rf"(?<![0-9.])(\d+(?:\.\d+)?)\s*(%|‰|percent\b|per\s+cent\b|{_UNIT_ALT})?",
    re.IGNORECASE,
)
_THOUSANDS_RE = re.compile(r"(?<![0-9.,])\d{1,3}(?:,\d{3})+(?![0-9])")
_ENUMERATOR_RE = re.compile(r"^\s*(?:[(（]\d{1,2}[)）]|\d{1,2}[.、)）](?!\d)|[-*•]\s)")


@dataclass(frozen=True)
class Figure:
    """A number as written: ``literal`` (normalised), ``value`` (unit applied), ``percent`` flag."""

    literal: str
    base: float
    value: float
    percent: bool
    scaled: bool


def normalise_numbers(text: str) -> str:
    """NFKC (full-width digits, ％), no thousands separators, no space between a number and its unit."""
    t = unicodedata.normalize("NFKC", text)
    t = _THOUSANDS_RE.sub(lambda m: m.group(0).replace(",", ""), t)
    return t


def figures(text: str) -> list[Figure]:
    """Every number, percentage, year/date part and amount in ``text`` (markers excluded)."""
    t = normalise_numbers(strip_markers(text))
    t = _ENUMERATOR_RE.sub(" ", t)
    out: list[Figure] = []
    for m in _NUMBER_RE.finditer(t):
        num, unit = m.group(1), (m.group(2) or "").lower()
        base = float(num)
        percent = unit in ("%", "percent") or unit.startswith("per")
        mult = _UNITS.get(unit, 1.0) if unit and not percent and unit != "‰" else 1.0
        literal = f"{num}{'%' if percent else unit}"
        out.append(Figure(literal, base, base * mult, percent, mult != 1.0))
    return out


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def figure_supported(fig: Figure, passage_figures: Sequence[Figure]) -> bool:
    """A percentage needs the same percentage; an amount the same value (5559亿 = 555.9 billion);
    a bare number (a year, a count) the same digits anywhere."""
    for p in passage_figures:
        if fig.percent:
            if p.percent and _same(p.base, fig.base):
                return True
        elif fig.scaled:
            # A table cell may carry its unit in a header: 1696 under 单位：亿元 supports 1696亿.
            if not p.percent and (_same(p.value, fig.value) or (not p.scaled and _same(p.base, fig.base))):
                return True
        elif _same(p.base, fig.base):
            return True
    return False


_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def years_in(text: str) -> list[str]:
    """Four-digit years (1900-2099) named in a text, in order, once each."""
    return list(dict.fromkeys(_YEAR_RE.findall(normalise_numbers(text))))


# Titles and quoted names: the year in 《中国制造2025》 names a plan, it does not ask about 2025.
_TITLE_RE = re.compile(r"《[^》]*》|〈[^〉]*〉|“[^”]*”|「[^」]*」|\"[^\"]*\"")


def asked_years(question: str) -> list[str]:
    """The years a question asks about: ``years_in`` outside titles and quoted names."""
    return years_in(_TITLE_RE.sub(" ", question))


_QUANTITY_ZH = re.compile(r"多少|几(?!乎)|多大|多高|多长|多快|比重|占比|佔比|比例")
_QUANTITY_EN = re.compile(
    r"\bhow (?:much|many|large|big|high|fast|long)\b"
    r"|\bwhat (?:share|percentage|proportion|fraction|amount|number|total|size|scale|value)\b"
    r"|\bwhat (?:was|is|were|are) [^?]*\b(?:output|budget|spending|revenue|sales|investment|funding)s?\b",
    re.IGNORECASE,
)
# Dates are not the quantity asked for: 2020年9月 answers no "多少".
_DATE_PART_RE = re.compile(r"\d+\s*(?:年|月|日|号|號|季度)|(?<![\d.])(?:19|20)\d{2}(?![\d.%])")


def asks_for_quantity(question: str) -> bool:
    """多少 / how much / what share …: the answer must state a figure."""
    return bool(_QUANTITY_ZH.search(question) or _QUANTITY_EN.search(question))


def quantities(text: str) -> list[Figure]:
    """The figures of ``text`` that can answer a quantity question: not dates, not in titles."""
    return figures(_DATE_PART_RE.sub(" ", normalise_numbers(_TITLE_RE.sub(" ", text))))


def mentions_year(text: str, year: str) -> bool:
    return re.search(rf"(?<!\d){year}(?!\d)", normalise_numbers(text)) is not None


def missing_figures(sentence: str, passage_figures: Sequence[Figure]) -> list[str]:
    return [f.literal for f in figures(sentence) if not figure_supported(f, passage_figures)]


# --- lexical similarity ------------------------------------------------------------------

_EN_STOP = set(
    "a an the of to in on for and or is are was were be been by with as at from that this these those "
    "which what how why who when where does do did it its their there than then also into about over "
    "according said says per has have had not no but can could will would should may more most such".split()
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def fold(text: str) -> str:
    """Matching form: Traditional→Simplified, NFKC, lower case."""
    return unicodedata.normalize("NFKC", to_simplified(text)).lower()


def units(text: str) -> set[str]:
    """Lexical units: bigrams of each Chinese run (a lone character counts alone) plus English
    content words and numbers, all folded. Punctuation and whitespace never count."""
    t = normalise_numbers(fold(strip_markers(text)))
    out: set[str] = set()
    for m in _CJK_RUN.finditer(t):
        run = m.group(0)
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w for w in _WORD.findall(t) if w not in _EN_STOP and len(w) > 1 or w.isdigit())
    return out


def containment(sentence_units: set[str], passage_units: set[str]) -> float:
    """Share of the sentence's units found in the passage (0 when the sentence has none)."""
    if not sentence_units:
        return 0.0
    return len(sentence_units & passage_units) / len(sentence_units)


def is_connective(sentence: str) -> bool:
    """No claim to check: no digits and a lead-in ending with a colon, or ≤ 2 content units."""
    s = strip_markers(sentence).strip()
    if any(ch.isdigit() for ch in unicodedata.normalize("NFKC", s)):
        return False
    return s.endswith((":", "：")) or len(units(s)) <= 2


def is_cross_lingual(sentence: str) -> bool:
    """An English sentence (few Chinese characters): lexical overlap with Chinese text means nothing."""
    return detect_language(strip_markers(sentence)) == "en"


# --- passages: sentences, units, vectors (cached per chunk) -------------------------------

_TERMINAL = "。！？；!?;…．"
_CLOSERS = "”’\"'」』）)]】"
_WRAP_MIN = 18  # a line at least this long without an end mark is a wrapped line, not a heading
_MAX_SENTENCE = 400


def passage_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a chunk, with PDF-style wrapped lines joined back into sentences.

    ``sentence_spans`` ends a sentence at every line break (right for headings and table rows),
    but extracted PDFs wrap mid-sentence. A line is joined to the next when it has no end mark
    and is long enough to be a wrapped line rather than a heading."""
    out: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        if out:
            ps, pe = out[-1]
            gap = text[pe:s]
            prev = text[ps:pe].rstrip(_CLOSERS)
            last_line = text[text.rfind("\n", 0, pe) + 1 : pe]  # the physical line, not the piece
            if (
                gap.count("\n") <= 1
                and prev
                and prev[-1] not in _TERMINAL
                and len(last_line.strip()) >= _WRAP_MIN
                and e - ps <= _MAX_SENTENCE
            ):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return [(s, e) for s, e in out if re.search(r"[\w\u3400-\u9fff]", text[s:e])]


def display_quote(quote: str) -> str:
    """A quote as shown in an answer: wrapped lines re-joined (no newline between Chinese
    characters), other whitespace runs collapsed. Characters are otherwise untouched."""
    q = re.sub(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f])", "", quote.strip())
    return re.sub(r"\s+", " ", q)


@dataclass
class PassageInfo:
    chunk: Chunk
    spans: list[tuple[int, int]]
    sentence_units: list[set[str]]
    all_units: set[str]  # title + section + text
    figures: list[Figure]  # title + section + text
    vectors: np.ndarray | None = None  # one row per span, filled on demand

    def sentence(self, i: int) -> str:
        s, e = self.spans[i]
        return self.chunk.text[s:e]


class PassageCache:
    """Per-chunk sentence analysis, shared by the extractive generator and the verifier, so a
    chunk's sentences are split and embedded once per process (embedding is the slow part).
    Thread-safe: the HTTP API answers concurrent questions with one chain."""

    def __init__(self, max_items: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, int], PassageInfo] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def get(self, chunk: Chunk) -> PassageInfo:
        key = (chunk.chunk_id, hash(chunk.text))  # a re-ingested chunk with new text is a new entry
        with self._lock:
            info = self._items.get(key)
            if info is not None:
                self._items.move_to_end(key)
                return info
        spans = passage_sentence_spans(chunk.text)
        whole = f"{chunk.title}\n{chunk.section}\n{chunk.text}"
        info = PassageInfo(
            chunk=chunk,
            spans=spans,
            sentence_units=[units(chunk.text[s:e]) for s, e in spans],
            all_units=units(whole),
            figures=figures(whole),
        )
        with self._lock:
            info = self._items.setdefault(key, info)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return info

    def vectors(self, info: PassageInfo, embedder: Embedder) -> np.ndarray:
        if info.vectors is None:  # two threads may both compute it: harmless, same result
            texts = [display_quote(info.sentence(i)) for i in range(len(info.spans))]
            info.vectors = (
                embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
            )
        return info.vectors


# --- quotes in the original file ---------------------------------------------------------

_QUOTE_FOLD = dict.fromkeys(map(ord, "\"'“”‘’„‟‚‛«»′″「」『』"), '"')
_DASH_FOLD = dict.fromkeys(map(ord, "‐‑‒–—―－﹣"), "-")


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(_QUOTE_FOLD).translate(_DASH_FOLD)


@dataclass
class _FoldedView:
    """A folded, whitespace-free view of a text with each character's original offset."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]]) -> _FoldedView:
        chars: list[str] = []
        origin: list[int] = []
        for ch, o in pairs:
            if ch.isspace() or ch == "|":  # the cleaner writes table cells as " | " over tabs
                continue
            for f in _fold_char(ch):
                if not f.isspace():
                    chars.append(f)
                    origin.append(o)
        return cls("".join(chars), origin)

    def find(self, needle: str, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` in the original of the first match whose characters lie in [start, end)."""
        lo, hi = bisect_left(self.origin, start), bisect_left(self.origin, end)
        if all(self.origin[x] <= self.origin[x + 1] for x in range(lo, max(lo, hi - 1))):
            i = self.text.find(needle, lo, hi)
        else:  # a reordering cleaner: filter the window instead of slicing it
            keep = [x for x in range(len(self.origin)) if start <= self.origin[x] < end]
            sub = _FoldedView("".join(self.text[x] for x in keep), [self.origin[x] for x in keep])
            return sub.find(needle, start, end) if len(keep) < len(self.origin) else None
        if i < 0:
            return None
        return self.origin[i], self.origin[i + len(needle) - 1] + 1


class OriginalLocator:
    """Maps a quote (verbatim from a chunk) to ``[start, end)`` in the original file.

    Chunks keep only their overall span, so the quote is searched in the original document text
    (re-loaded from ``corpus_dir / chunk.source``) within the chunk's span, ignoring whitespace and
    the cleaner's character normalisations. When the cleaner deleted something inside the quote
    (page furniture, markup), the cleaned document's own offset map finds it instead, and the span
    then covers the deleted bits too; failing both, the chunk's span is returned. Folded views are
    cached per document, so a lookup is a substring search."""

    def __init__(self, corpus_dir: Path, max_docs: int = 16) -> None:
        self.corpus_dir = Path(corpus_dir)
        self._docs: OrderedDict[str, tuple[Any, _FoldedView | None, list]] = OrderedDict()
        self._max = max_docs
        self._lock = threading.Lock()

    def _views(self, source: str) -> tuple[Any, _FoldedView | None, list]:
        """(document, raw view, [cleaned view]) — the cleaned view is built on first need."""
        with self._lock:
            if source in self._docs:
                self._docs.move_to_end(source)
                return self._docs[source]
        doc = None
        path = self.corpus_dir / source
        if path.is_file():
            try:
                from rag.ingest.loaders import load_path

                doc = load_path(path, self.corpus_dir)
            except Exception:  # noqa: BLE001 - a missing or changed file only loses precision
                doc = None
        raw = _FoldedView.of(zip(doc.text, range(len(doc.text)), strict=True)) if doc is not None else None
        with self._lock:
            views = self._docs.setdefault(source, (doc, raw, []))
            while len(self._docs) > self._max:
                self._docs.popitem(last=False)
        return views

    def locate(self, chunk: Chunk, quote: str) -> tuple[int, int]:
        needle = _FoldedView.of(zip(quote, range(len(quote)), strict=True)).text
        doc, raw, cleaned = self._views(chunk.source)
        if raw is None or not needle:
            return chunk.start, chunk.end
        span = raw.find(needle, chunk.start, chunk.end)
        if span is None:
            if not cleaned:
                cleaned.append(self._cleaned_view(doc))
            if cleaned[0] is not None:
                span = cleaned[0].find(needle, chunk.start, chunk.end)
        return span or (chunk.start, chunk.end)

    @staticmethod
    def _cleaned_view(doc: Any) -> _FoldedView | None:
        try:
            from rag.ingest.cleaning import clean

            blocks = clean(doc).blocks
        except Exception:  # noqa: BLE001 - the cleaner is an optimisation here, not a requirement
            return None
        return _FoldedView.of(
            (ch, o) for b in blocks for ch, o in zip(b.text.text, b.text.origin, strict=False)
        )


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


_END_MARK = re.compile(r"[。！？；.!?;]?[”’」』）)]*\s*$")


def add_marker(sentence: str, n: int) -> str:
    """``sentence`` with ``[n]`` before its end mark: "……34.6%[1]。" / "... 34.6% [1]."."""
    m = _END_MARK.search(sentence)
    cut = m.start() if m else len(sentence)
    body, tail = sentence[:cut].rstrip(), sentence[cut:].strip()
    sep = " " if detect_language(body) == "en" else ""
    return f"{body}{sep}[{n}]{tail}"


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
