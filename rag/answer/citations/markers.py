"""Citation markers in answers (``[1]``, ``[1][2]``, ``[1, 2]``, ``[1-3]``, ``【1】``, ``［１］``, ``[ID:1]``)
and answer sentences: a marker naming no provided passage is removed; a marker right after ``。``
belongs to the sentence before it."""

from __future__ import annotations

import re
import unicodedata

from rag.text import detect_language, sentence_spans

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


_END_MARK = re.compile(r"[。！？；.!?;]?[”’」』）)]*\s*$")


def add_marker(sentence: str, n: int) -> str:
    """``sentence`` with ``[n]`` before its end mark: "……34.6%[1]。" / "... 34.6% [1]."."""
    m = _END_MARK.search(sentence)
    cut = m.start() if m else len(sentence)
    body, tail = sentence[:cut].rstrip(), sentence[cut:].strip()
    sep = " " if detect_language(body) == "en" else ""
    return f"{body}{sep}[{n}]{tail}"
