"""Turn a ``Document`` into clean heading / paragraph / table blocks that still point into the original.

Every rule below is a small function over ``MappedText`` (or over its lines) and every edit goes
through ``MappedText.sub`` / ``delete_spans`` / ``slice``, so each character of a block knows the
offset it came from and citations can quote the original file exactly.

Two layouts are handled differently because their line breaks mean different things:

* **reflow** (PDF text layers such as seeds 001/002): lines are hard-wrapped at a fixed width,
  spacer blank lines sit between almost every line, page furniture (running headers, page numbers,
  chart labels) is interleaved with prose. Lines are re-joined into paragraphs from their content.
* **line** (markdown / web / DOCX text, seeds 000/003/004): one paragraph per line, markdown
  headings, tab-separated tables, footnote blocks inserted at page bottoms.

Script is never converted (Traditional stays Traditional): evidence must stay verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rag.ingest.offsets import MappedText
from rag.types import Document


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "table"
    text: MappedText
    level: int = 0  # heading depth (1 = top); 0 for paragraphs and tables


@dataclass
class CleanedDocument:
    title: str
    blocks: list[Block] = field(default_factory=list)


# --- character classes and small predicates ------------------------------------------------

_SENT_PUNCT = "。！？；：!?;:.…"
_CLOSERS = "”’‛」』）)】\"'"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_WS = " \t\u3000\r\f\v"  # horizontal whitespace (never "\n")
_PUA_RE = re.compile("[\ue000-\uf8ff]")
_NUMERIC_ONLY_RE = re.compile(r"^[\d\s.,，%+\-~～/:：()（）$¥€×=<>·]+$")
_DATE_ONLY_RE = re.compile(r"^\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?$")
_RULE_RE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FOOTNOTE_DEF_RE = re.compile(r"^[ \t]*<sup>\s*\d+\s*</sup>")
_DOTTED_TOC_RE = re.compile(r"(?:\.{4,}|…{2,}|·{4,})[ \t]*\d+[ \t]*$")
_SEPARATOR_ROW_RE = re.compile(r"^[ \t]*-{3,}[ \t]*\t[ \t]*-{2,}[ \t]*$")
_TOC_TITLE_RE = re.compile(
    r"^(?:#{1,6}[ \t]*)?(?:目[ \t\u3000]*[录錄]|本期要目|要目|contents|table of contents)[ \t]*$", re.I
)
_MD_HEADING_RE = re.compile(r"^[ \t]*(#{1,6})[ \t]+(.*?)[ \t#]*$")
_GAP_RE = re.compile(f"[{_WS}]*\n[{_WS}\n]*")
_CAPTION_RE = re.compile(
    r"^(?:亿欧智库|数据来源|資料來源|资料来源|参考资料|參考資料|注|说明)\s*[：:]|^[（(]\s*来源|^[表图圖]\s*\d+"
)

# Contact / disclaimer / subscription boilerplate (simplified and traditional spellings).
_CONTACT_RE = re.compile(
    r"^(?:网址|網址|网站|網站|邮箱|郵箱|电子邮件|電子郵件|电邮|電郵|电话|電話|传真|傳真|地址|邮编|郵編|e-?mail|tel|fax|phone)[：:]",
    re.I,
)
_URLISH_RE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DISCLAIMER_RE = re.compile(
    r"僅供內部參考|仅供内部参考|请勿公开|請勿公開|版權所有|版权所有|如有任何查詢|如有任何查询|免责声明|免責聲明|all rights reserved",
    re.I,
)
_SUBSCRIBE_RE = re.compile(
    r"訂戶|订户|訂閱|订阅|subscribe|月費|赞助|贊助|捐助|關注我們|关注我们|版權|版权", re.I
)
_BACK_MATTER_RE = re.compile(
    r"编辑部|編輯部|专家组|專家組|主[ \u3000]*[办辦]|地[ \u3000]*址|[电電][ \u3000]*[话話]|[邮郵][ \u3000]*箱|联系我们|聯絡我們|版权|版權"
)


def ends_sentence(s: str) -> bool:
    """True when ``s`` ends with sentence-final punctuation (closing quotes/brackets allowed after it)."""
    s = s.rstrip(_WS + _CLOSERS)
    return bool(s) and s[-1] in _SENT_PUNCT


def width(s: str) -> int:
    """Display width: CJK / fullwidth characters count 2, which is how PDF lines are wrapped."""
    if s.isascii():
        return len(s)
    n = len(s) + len(_wide_bmp().findall(s))
    if max(s) <= "\uffff":
        return n
    return n + sum(1 for ch in s if ord(ch) > 0xFFFF and unicodedata.east_asian_width(ch) in "WF")


@lru_cache(maxsize=1)
def _wide_bmp() -> re.Pattern[str]:
    """Every wide/fullwidth character of the Basic Multilingual Plane as one character class (exact, and
    ~20x faster than asking unicodedata per character; cleaning measures every line)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x10000):
        if unicodedata.east_asian_width(chr(cp)) in "WF":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line (end excludes the newline)."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def drop_lines(mt: MappedText, drop: set[int]) -> MappedText:
    """Delete whole lines (with their newline) by index."""
    if not drop:
        return mt
    spans = _lines(mt.text)
    return mt.delete_spans([(s, e + 1) for i, (s, e) in enumerate(spans) if i in drop])


def _nonblank(text: str) -> list[tuple[int, str]]:
    """``(line index, stripped text)`` of every non-blank line."""
    return [(i, line.strip(_WS)) for i, line in enumerate(text.split("\n")) if line.strip(_WS)]


# --- character normalisation (same length, so the origin map stays exact) ------------------

_CHAR_MAP = {"‚": "“", "‛": "”", "％": "%", "－": "-", "硏": "研"}


def normalize_chars(mt: MappedText) -> MappedText:
    """CRLF / CR → LF (every rule is line based), ‚‛ → “” (001's PDF font quirk), fullwidth ％/－
    → %/-, variant 硏 → 研, OCR 干瓦时 → 千瓦时."""
    mt = mt.sub(r"\r\n?", "\n")
    mt = mt.sub("[‚‛％－硏]", lambda m: _CHAR_MAP[m.group()])
    return mt.sub("干瓦时", "千瓦时")


def normalize_number_spacing(mt: MappedText) -> MappedText:
    """``2021 年 5 月 28 日`` → ``2021年5月28日``: only spaces between digits and 年/月/日 of a date."""
    mt = mt.sub(r"(?<![\d.])(\d{4})[ \u3000]+(?=年)", r"\1")
    mt = mt.sub(r"年[ \u3000]+(?=\d{1,2}[ \u3000]*月)", "年")
    mt = mt.sub(r"(?<![\d.])(\d{1,2})[ \u3000]+(?=月)", r"\1")
    mt = mt.sub(r"月[ \u3000]+(?=\d{1,2}[ \u3000]*日)", "月")
    return mt.sub(r"(?<=月)(\d{1,2})[ \u3000]+(?=日)", r"\1")


# --- layout detection -----------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    reflow: bool  # hard-wrapped lines that must be re-joined (PDF text)
    spacer: bool  # a blank line between almost every line (blank lines carry no meaning)
    marks: bool  # a trailing space marks the last line of a paragraph (001's text layer)
    width: int  # typical full-line display width


def detect_layout(text: str) -> Layout:
    """Per-document: most long lines not ending a sentence ⇒ hard-wrapped; most lines followed by
    exactly one blank line ⇒ spacer lines; many trailing-space lines ending a sentence ⇒ marks."""
    raw = text.split("\n")
    rows = [(i, line) for i, line in enumerate(raw) if line.strip(_WS)]
    prose = [
        s
        for _, line in rows
        if "\t" not in line and not _MD_HEADING_RE.match(line)
        for s in [line.strip(_WS)]
    ]
    longs = [s for s in prose if width(s) >= 30]
    open_ratio = sum(not ends_sentence(s) for s in longs) / max(len(longs), 1)
    reflow = len(longs) >= 10 and open_ratio >= 0.5
    single = sum(
        1 for i, _ in rows if i + 2 < len(raw) and not raw[i + 1].strip(_WS) and raw[i + 2].strip(_WS)
    )
    spacer = reflow and single >= 0.5 * len(rows)
    trailing = [line.strip(_WS) for _, line in rows if line != line.rstrip(_WS)]
    marks = (
        reflow
        and len(trailing) >= 0.08 * len(rows)
        and sum(ends_sentence(s) or s[-1:] in "）)】》" for s in trailing) >= 0.5 * len(trailing)
    )
    widths = sorted(width(s) for s in prose if width(s) >= 10) or [80]
    return Layout(reflow, spacer, marks, widths[int(0.9 * (len(widths) - 1))])


# --- line-level removals (all layouts) ------------------------------------------------------


def remove_footnotes(mt: MappedText) -> MappedText:
    """Footnote definitions (``<sup>n</sup> …`` at a line start) and the ``---`` rule above them.

    004 inserts them mid-paragraph at page bottoms; removing them lets the split paragraph
    rejoin (``2022 年 5.35`` + ``亿卢布``)."""
    lines = mt.text.split("\n")
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if _FOOTNOTE_DEF_RE.match(line):
            drop.add(i)
            j = i - 1
            while j >= 0 and (not lines[j].strip(_WS) or j in drop):
                j -= 1
            if j >= 0 and _RULE_RE.match(lines[j]):
                drop.add(j)
    return drop_lines(mt, drop)


def remove_toc(mt: MappedText) -> MappedText:
    """Tables of contents: dotted-leader entries, ``---\\t---`` rows, and a 目录 / 本期要目 block
    (its heading, entry lines and the empty section headings between them)."""
    lines = mt.text.split("\n")
    drop = {i for i, line in enumerate(lines) if _DOTTED_TOC_RE.search(line) or _SEPARATOR_ROW_RE.match(line)}
    for i, line in enumerate(lines):
        if not _TOC_TITLE_RE.match(line.strip(_WS)):
            continue
        last = i
        for j in range(i + 1, len(lines)):
            s = lines[j].strip(_WS)
            if not s or _MD_HEADING_RE.match(s):
                continue
            if j in drop or re.match(r"^[-*+•]\s", s):
                last = j
                continue
            break
        drop.update(range(i, last + 1))
    return drop_lines(mt, drop)


def remove_boilerplate(mt: MappedText) -> MappedText:
    """Contact lines, disclaimers, a subscription footer after the last ``---`` and a trailing
    back-matter section (editorial board, expert panel, address) — none of it is content."""
    lines = mt.text.split("\n")
    n_chars = len("".join(mt.text.split()))
    drop: set[int] = set()
    for i, line in enumerate(lines):
        s = line.strip(_WS)
        compact = re.sub(r"[ \u3000]", "", s)
        if not s:
            continue
        url_only = _URLISH_RE.search(s) and len(re.sub(r"\s", "", _URLISH_RE.sub("", s))) <= 6
        if _CONTACT_RE.match(compact) or url_only or (len(s) <= 150 and _DISCLAIMER_RE.search(s)):
            drop.add(i)

    def tail_chars(k: int) -> int:
        return sum(len("".join(line.split())) for line in lines[k:])

    rules = [i for i, line in enumerate(lines) if _RULE_RE.match(line)]
    if rules:
        k = rules[-1]
        tail = "\n".join(lines[k:])
        if tail_chars(k) <= max(400, 0.25 * n_chars) and _SUBSCRIBE_RE.search(tail):
            drop.update(range(k, len(lines)))
    for k, line in enumerate(lines):
        if k < len(lines) // 2 or not re.match(r"^#[ \t]", line):
            continue
        tail = "\n".join(lines[k:])
        if tail_chars(k) <= 0.15 * n_chars and len(set(_BACK_MATTER_RE.findall(tail))) >= 2:
            drop.update(range(k, len(lines)))
            break
    return drop_lines(mt, drop)


# --- reflow-only removals (PDF page furniture) ---------------------------------------------


def _page_join_index(lines: list[str]) -> int | None:
    """First line that starts with one space right after a non-blank line: a PDF page boundary
    (deeper indentation is a paragraph indent, not a page join)."""
    for k in range(1, len(lines)):
        if re.match(f"[{_WS}][^{_WS}]", lines[k]) and lines[k - 1].strip(_WS):
            return k
    return None


def remove_cover_page(mt: MappedText) -> tuple[MappedText, str]:
    """Drop a cover page of ◆ headline bullets that repeat the body (001 l.1-22).

    The cover is the text before the first page boundary; it counts as a summary only when it has
    at least three ◆ bullets and most of them reappear verbatim (spacing aside) later on, so a real
    first page is never lost. Returns the cover's title lines too (the only title 001 has)."""
    lines = mt.text.split("\n")
    k = _page_join_index(lines)
    if k is None:
        return mt, ""
    bullets = [line.strip(_WS)[1:] for line in lines[:k] if line.strip(_WS).startswith("◆")]
    if len(bullets) < 3:
        return mt, ""
    rest = "".join("".join(lines[k:]).split())
    dup = sum(1 for b in bullets if "".join(b.split()) and "".join(b.split()) in rest)
    if dup * 2 < len(bullets):
        return mt, ""
    title_lines = []
    for line in lines[:k]:
        s = line.strip(_WS)
        if s.startswith("◆"):
            break
        if s:
            title_lines.append(s)
    return drop_lines(mt, set(range(k))), "".join(title_lines)


def _is_page_number(s: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}|[-–—]\s*\d{1,3}\s*[-–—]|第\s*\d{1,3}\s*页|\d{1,3}\s*/\s*\d{1,3}", s))


def running_header_title(text: str) -> str:
    """The running header that carries the title (002: ``2020中国硬科技创新白皮书``).

    A running header repeats at least three times and sits within four lines of a page number
    in most of its occurrences; among them the one with the most CJK characters wins."""
    rows = _nonblank(text)
    counts = Counter(s for _, s in rows)
    best, best_cjk = "", 0
    for cand, n in counts.items():
        if n < 3 or not 4 <= len(cand) <= 60:
            continue
        pos = [k for k, (_, s) in enumerate(rows) if s == cand]
        near = sum(
            any(_is_page_number(rows[j][1]) for j in range(max(0, k - 4), min(len(rows), k + 5))) for k in pos
        )
        cjk = len(_CJK_RE.findall(cand))
        if near * 2 >= n and cjk > best_cjk:
            best, best_cjk = cand, cjk
    return best


def remove_repeated_lines(mt: MappedText, min_count: int = 4) -> MappedText:
    """Running headers/footers and repeated chart legends: a line seen ``min_count``+ times.

    A repeated table header right under its caption (``表 1：…`` then ``地区 时间 文件 主要内容``)
    is kept once per table; its repeats at page breaks go."""
    rows = _nonblank(mt.text)
    counts = Counter(s for _, s in rows)
    repeated = {s for s, n in counts.items() if n >= min_count and 3 <= len(s) <= 80}
    drop: set[int] = set()
    for k, (i, s) in enumerate(rows):
        if s in repeated and not (k and re.match(r"^[表圖图]\s*\d+", rows[k - 1][1])):
            drop.add(i)
    return drop_lines(mt, drop)


def remove_chart_debris(mt: MappedText, layout: Layout) -> MappedText:
    """Chart residue in PDF text: number-only lines (axis ticks, values, page numbers), one- or
    two-character fragments and vertical one-character-per-line text.

    A short line that finishes an open wrapped line (``…占全社会发电量的`` + ``13%。``) is prose
    and stays; with paragraph marks (001) fragments belong to table cells (``广`` + ``州``) and stay."""
    raw = mt.text.split("\n")
    rows = [(i, raw[i], raw[i].strip(_WS)) for i in range(len(raw)) if raw[i].strip(_WS)]
    drop: set[int] = set()
    k = 0
    while k < len(rows):  # vertical text: 3+ consecutive single-character lines
        j = k
        while j < len(rows) and len(rows[j][2]) == 1:
            j += 1
        if j - k >= 3:
            drop.update(rows[m][0] for m in range(k, j))
        k = max(j, k + 1)
    prev: tuple[str, str] | None = None  # (raw, stripped) of the last kept line
    for i, line, s in rows:
        if i in drop:
            continue
        tail = prev is not None and (_is_open(prev[0], prev[1], layout) or _narrow_wrap(prev[1], s))
        numeric = bool(_NUMERIC_ONLY_RE.match(s)) and any(ch.isdigit() for ch in s)
        fragment = (
            len(s) <= 2
            and not ends_sentence(s)
            and not layout.marks
            and s not in ("前言", "序言", "摘要", "附录")
        )
        if (numeric and not ends_sentence(s) or fragment) and not tail:
            drop.add(i)
            continue
        prev = (line, s)
    return drop_lines(mt, drop)


def _narrow_wrap(a: str, b: str) -> bool:
    """``a`` → ``b`` looks like a wrap inside a narrow column (a bullet box, a sidebar): ``a`` is
    not tiny, stops on a character and ``b`` goes on with one (``航天飞`` + ``机等``)."""
    return (
        len(a) >= 8
        and bool(re.search(f"[{_CJK}，、“（《(]$", a))
        and bool(re.match(f"[{_CJK}，。、；：？！）》”」]", b))
    )


def _is_open(raw: str, s: str, layout: Layout) -> bool:
    """Does this line continue on the next one (a hard wrap)?"""
    if ends_sentence(s):
        return False
    if layout.marks:
        return raw == raw.rstrip(_WS)
    return width(s) >= 0.7 * layout.width


# --- inline markup ---------------------------------------------------------------------------


def strip_markup(mt: MappedText) -> MappedText:
    """Hugo shortcodes, footnote refs, HTML tags (keeping their text: ``Ga<sub>2</sub>O``),
    autolinks, markdown links (``[text](url)`` → text), ``**`` and mid-line ➢ bullets."""
    mt = mt.sub(r"\{\{[<%].*?[%>]\}\}", "", re.S)
    mt = mt.sub(r"<sup>\s*\d+\s*</sup>", "")
    mt = mt.sub(r"<(?:https?|ftp|mailto):[^<>\s]+>", "")
    mt = mt.sub(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>", "")

    def link(m: re.Match[str]) -> str:
        label = m.group(1).strip()
        return "" if not label or _URLISH_RE.fullmatch(label) else label

    mt = mt.sub(r"!?\[([^\]\n]*)\]\(([^)\n]*)\)", link)
    mt = mt.sub(r"\*\*|__(?=\S)|(?<=\S)__", "")
    return mt.sub("[ \u3000]*➢[ \u3000]*", " ")


# --- blocks: reflow layout -----------------------------------------------------------------

_HEAD_WORDS_RE = re.compile(r"^(?:前言|引言|序言|摘要|结语|结束语|后记|致谢|参考文献|附录[：:].{0,30}|附录)$")
_STARTER_RE = re.compile(
    r"^(?:[•◆➢▪●■\uf0d8]|[（(]\d{1,2}[）)]|\d{1,2}[.、．](?!\d)[ \u3000]*\S|[一二三四五六七八九十]{1,3}[、是]|第[一二三四五六七八九十\d]+[，、])"
)


@dataclass
class _Line:
    start: int
    end: int
    raw: str
    s: str
    trailing: bool
    indented: bool
    width: int
    blanks: int = 0  # blank lines right before this line
    heading: int = 0  # level when the line is a heading
    starter: bool = False  # begins a new paragraph (bullet, list number, caption)
    caption: bool = False
    rowlike: bool = False


def reflow_heading_level(s: str, trailing: bool, layout: Layout) -> int:
    """Heading level of a PDF line, 0 when it is not a heading.

    001: ``【政策】`` columns (1), U+F075 sections (2), U+F0D8 sub-sections (3).
    002: ``一、`` chapters (1), ``1.1`` / ``1.1.1`` by depth, ``1）`` items (4), 前言 / 附录."""
    closed = (trailing if layout.marks else width(s) < 0.7 * layout.width) and not ends_sentence(s)
    if re.fullmatch(r"【[^】]{1,15}】", s):
        return 1
    if s.startswith("\uf075"):
        return 2
    if s.startswith("\uf0d8") and closed and len(s) <= 32:
        return 3
    if _HEAD_WORDS_RE.match(s):
        return 1
    if re.match(r"^第[一二三四五六七八九十百\d]+[章篇部]", s) and len(s) <= 30 and "。" not in s:
        return 1
    if re.match(r"^[一二三四五六七八九十]{1,3}、\S", s) and len(s) <= 20 and not re.search("[，。；]", s):
        return 1
    m = re.match(r"^\d{1,2}((?:\.\d{1,2}){1,3})[ \u3000]+[^\d\s.%]", s)
    if m and len(s) <= 45 and "。" not in s and not ends_sentence(s):
        return min(m.group(1).count(".") + 1, 4)
    if (
        re.match(r"^\d{1,2}）[^）]", s)
        and len(s) <= 30
        and not re.search("[，。；]", s)
        and not ends_sentence(s)
    ):
        return 4
    return 0


def _rowlike(s: str) -> bool:
    """Space-separated cells (``中国科学院 1805.22 5480``): keep such rows on their own lines."""
    tokens = s.split()
    return len(tokens) >= 3 and not any(re.fullmatch(r"[A-Za-z]{2,}[,.;:]?", t) for t in tokens)


def _reflow_lines(mt: MappedText, layout: Layout) -> list[_Line]:
    out: list[_Line] = []
    blanks = 0
    for start, end in _lines(mt.text):
        raw = mt.text[start:end]
        s = raw.strip(_WS)
        if not s:
            blanks += 1
            continue
        line = _Line(start, end, raw, s, raw != raw.rstrip(_WS), raw[:1] in _WS, width(s), blanks)
        blanks = 0
        line.heading = reflow_heading_level(s, line.trailing, layout)
        line.caption = bool(_CAPTION_RE.match(s))
        line.starter = bool(_STARTER_RE.match(s)) or line.caption
        line.rowlike = _rowlike(s)
        out.append(line)
    for a, b in zip(out, out[1:], strict=False):
        # ``六、构建优势互补高质量发展的区域创`` + ``新布局，…。``: a wrapped list item, not a chapter.
        cn_item = a.heading == 1 and re.match("[一二三四五六七八九十]", a.s) and not b.heading
        if cn_item and ends_sentence(b.s) and len(b.s) <= len(a.s) and _narrow_wrap(a.s, b.s):
            a.heading = 0
    return out


def join_separator(a: _Line, b: _Line, layout: Layout) -> str | None:
    """How line ``a`` continues into ``b``: ``None`` = new block, ``"\\n"`` = kept line break
    (labels, table rows), ``""`` = hard wrap, ``" "`` = hard wrap between two Latin words."""
    if a.heading or b.heading or b.starter or a.caption or ends_sentence(a.s):
        return None
    if layout.marks:
        if a.trailing:
            return None
    else:
        if a.rowlike:
            return "\n"
        long_open = a.width >= 0.7 * layout.width
        if (b.indented or b.blanks >= 2 or (b.blanks and not layout.spacer)) and not long_open:
            return None  # a page join or a wider gap after a short line starts a paragraph
        if not long_open:
            if b.rowlike:
                return "\n"
            if not _narrow_wrap(a.s, b.s):
                return "\n"
    if re.search(r"[A-Za-z0-9][,;:]?$", a.s) and re.match(r"[A-Za-z0-9]", b.s):
        return " "
    return ""


def _join(mt: MappedText, group: list[_Line], seps: list[str]) -> MappedText:
    """Slice the group's span and replace each line gap (spacer lines, indentation) by its separator."""
    piece = mt.slice(group[0].start, group[-1].end)
    it = iter(seps)
    return piece.sub(_GAP_RE, lambda m: next(it))


def reflow_blocks(mt: MappedText, layout: Layout) -> list[Block]:
    """Re-join hard-wrapped PDF lines into heading and paragraph blocks."""
    lines = _reflow_lines(mt, layout)
    blocks: list[Block] = []
    group: list[_Line] = []
    seps: list[str] = []

    def flush() -> None:
        if group:
            head = group[0].heading if len(group) == 1 else 0
            blocks.append(Block("heading" if head else "paragraph", _join(mt, group, seps), head))

    for line in lines:
        sep = join_separator(group[-1], line, layout) if group else None
        if sep is None:
            flush()
            group, seps = [line], []
        else:
            group.append(line)
            seps.append(sep)
    flush()
    return blocks


# --- blocks: line layout -------------------------------------------------------------------

_LIST_RE = re.compile(f"^[{_WS}]*(?:[-*+][{_WS}]+|[•◆➢▪●■\uf0d8][{_WS}]*)")


def _heading_style(text: str) -> str:
    if re.match(r"^[一二三四五六七八九十]{1,3}、", text):
        return "cn"
    if re.match(r"^\d{1,2}(?:、|\.(?!\d))", text):
        return "num"
    if re.match(r"^[（(]\d{1,2}[）)]", text):
        return "paren"
    return "other"


def markdown_levels(headings: list[tuple[int, str]]) -> list[int]:
    """Heading levels for ``(markdown level, text)`` pairs.

    Kept as written unless the file is inconsistent (004 marks ``一、`` sections as ``##``,
    ``###`` and ``####``); then levels come from the numbering: ``#`` and short column labels
    (专题评述) 1, titles 2, ``一、`` 3, ``1、`` 4, ``(1)`` 5."""
    seen: dict[str, set[int]] = {}
    for md, text in headings:
        seen.setdefault(_heading_style(text), set()).add(md)
    if not any(len(v) > 1 for k, v in seen.items() if k != "other"):
        return [md for md, _ in headings]
    out = []
    for md, text in headings:
        style = _heading_style(text)
        if md == 1:
            out.append(1)
        elif style != "other":
            out.append({"cn": 3, "num": 4, "paren": 5}[style])
        elif re.fullmatch(f"[{_CJK}]{{2,6}}", text):
            out.append(1)
        else:
            out.append(2)
    return out


def _plain_heading_level(s: str, first: bool) -> int:
    """Short standalone line without sentence punctuation (003's unmarked subheads)."""
    lettered = re.match(r"^[A-Z][.．、][ \u3000]*\S", s)
    if width(s) > (64 if lettered else 44) or "。" in s or "\t" in s:
        return 0
    if (
        re.search(r"[。！？；：，、,.;:!?]$", s)
        or _DATE_ONLY_RE.match(s)
        or s[:1] in "（("
        or _LIST_RE.match(s)
    ):
        return 0
    if not (_CJK_RE.search(s) or re.search(r"[A-Za-z]{3,}", s)):
        return 0
    if lettered:
        return 3
    if re.match(r"^(?:附件|附錄|附录)", s):
        return 2
    return 1 if first else 2


def line_blocks(mt: MappedText) -> list[Block]:
    """One paragraph per line: markdown/plain headings, tab tables, bullet lists, and paragraphs
    split mid-sentence at a page break (a long line ending without punctuation) re-joined."""
    spans = _lines(mt.text)
    raws = [mt.text[s:e] for s, e in spans]
    has_md = any(_MD_HEADING_RE.match(r) for r in raws)
    items: list[tuple[str, int, int]] = []  # (kind, line index, markdown level or 0)
    md_text: list[str] = []
    first_content = True
    for i, raw in enumerate(raws):
        s = raw.strip(_WS)
        if not s or _RULE_RE.match(raw):
            continue
        m = _MD_HEADING_RE.match(raw)
        if m:
            if m.group(2).strip(_WS):
                items.append(("heading", i, len(m.group(1))))
                md_text.append(m.group(2).replace("**", "").strip())
        elif "\t" in raw and raw.strip(_WS + "\t"):
            items.append(("table", i, 0))
        elif _LIST_RE.match(raw):
            items.append(("list", i, 0))
        else:
            standalone = (i == 0 or not raws[i - 1].strip(_WS)) and (
                i + 1 >= len(raws) or not raws[i + 1].strip(_WS)
            )
            level = 0 if has_md or not standalone else _plain_heading_level(s, first_content)
            items.append(("plain-heading" if level else "text", i, level))
        first_content = False

    md_idx = [k for k, it in enumerate(items) if it[0] == "heading"]
    md_levels = markdown_levels([(items[k][2], t) for k, t in zip(md_idx, md_text, strict=True)])
    levels = dict(zip(md_idx, md_levels, strict=True))

    blocks: list[Block] = []
    k = 0
    while k < len(items):
        kind, i, lv = items[k]
        group, seps = [i], []
        if kind in ("heading", "plain-heading"):
            blocks.append(Block("heading", mt.slice(*spans[i]), levels.get(k, lv)))
            k += 1
            continue
        j = k + 1
        while j < len(items):
            nkind, ni, _ = items[j]
            prev = group[-1]
            contiguous = all(not raws[x].strip(_WS) for x in range(prev + 1, ni))
            if kind == "table" and nkind == "table" and contiguous:
                cells = raws[ni].split("\t")
                cont = not cells[0].strip(_WS) and sum(bool(c.strip(_WS)) for c in cells) == 1
                seps.append("" if cont and not ends_sentence(raws[prev]) else "\n")
            elif kind == "list" and nkind == "list" and ni == prev + 1:
                seps.append("\n")
            elif kind == "text" and nkind == "text" and contiguous and _split_paragraph(raws[prev], raws[ni]):
                a, b = raws[prev].strip(_WS), raws[ni].strip(_WS)
                seps.append(" " if re.search(r"[A-Za-z0-9]$", a) and re.match(r"[A-Za-z0-9]", b) else "")
            else:
                break
            group.append(ni)
            j += 1
        piece = mt.slice(spans[group[0]][0], spans[group[-1]][1])
        it = iter(seps)
        piece = piece.sub(_GAP_RE, lambda m, it=it: next(it))
        blocks.append(Block("table" if kind == "table" else "paragraph", piece, 0))
        k = j
    return blocks


def _split_paragraph(a: str, b: str) -> bool:
    """``a`` was cut at a page break: long, no sentence end; ``b`` is ordinary text."""
    a, b = a.strip(_WS), b.strip(_WS)
    return width(a) >= 50 and not ends_sentence(a) and not _CAPTION_RE.match(b)


# --- finishing each block ------------------------------------------------------------------


def render_table(mt: MappedText) -> MappedText:
    """Tab-separated rows → ``cell | cell`` rows; empty cells and edge tabs dropped."""
    mt = mt.sub(r"(?m)^[ \t\u3000]+|[ \t\u3000]+$", "")
    return mt.sub(r"[ \u3000]*\t[\t \u3000]*", " | ")


def finish_block(block: Block) -> Block | None:
    """Strip markers and stray whitespace, normalise date spacing; ``None`` when nothing is left."""
    mt = block.text
    if block.kind == "heading":
        mt = mt.sub(r"^[ \t]*#{1,6}[ \t]+|[ \t]+#+[ \t]*$", "")
    if block.kind == "table":
        mt = render_table(mt)
    mt = mt.sub(_PUA_RE, "")
    mt = mt.sub(f"(?m)^[{_WS}]*(?:[•◆➢▪●■]|[-*+](?=[{_WS}]))[{_WS}]*", "")
    mt = normalize_number_spacing(mt)
    mt = mt.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ")
    mt = mt.sub(f"(?m)^[{_WS}]+|[{_WS}]+$", "")
    mt = mt.sub(r"\n{2,}", "\n")
    mt = mt.sub(r"^\s+|\s+$", "")
    if not mt.text.strip():
        return None
    return Block(block.kind, mt, block.level)


# --- the whole document --------------------------------------------------------------------


def _skip_spans(doc: Document) -> tuple[list[tuple[int, int]], dict]:
    """The loader's skip spans and metadata; a Document built by hand may still carry front matter."""
    if doc.skip_spans:
        return list(doc.skip_spans), doc.metadata
    from rag.ingest.loaders import front_matter

    fm = front_matter(doc.text)
    return ([fm[0]], {**fm[1], **doc.metadata}) if fm else ([], doc.metadata)


def _title(meta: dict, doc: Document, blocks: list[Block], header: str, cover: str) -> str:
    """Metadata title > running header (002) > cover title (001) > first heading > file stem."""
    title = str(meta.get("title") or "").strip()
    if title:
        return title
    if header:
        return header
    if cover:
        # 001's PDF text begins mid-title (``用，加快解决…``): drop a dangling clause of ≤3 chars.
        return re.sub(r"^[^，,。]{1,3}[，,]", "", cover).strip()
    heads = [b.text.text for b in blocks if b.kind == "heading"]
    zh = sum(len(_CJK_RE.findall(b.text.text)) for b in blocks) > 0
    for h in heads:
        if not zh or _CJK_RE.search(h):
            return h
    if heads:
        return heads[0]
    stem = doc.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return doc.title or stem


def clean(doc: Document) -> CleanedDocument:
    """Compose the rules: skip metadata, normalise characters, drop non-content lines, strip
    inline markup, build blocks for the detected layout, tidy each block, pick a title."""
    skip, meta = _skip_spans(doc)
    mt = MappedText.of(doc.text).delete_spans(skip)
    mt = normalize_chars(mt)
    layout = detect_layout(mt.text)
    for rule in (remove_footnotes, remove_toc, remove_boilerplate):
        mt = rule(mt)
    header = cover = ""
    if layout.reflow:
        mt, cover = remove_cover_page(mt)
        header = running_header_title(mt.text)
        mt = remove_repeated_lines(mt)
        mt = remove_chart_debris(mt, layout)
    mt = strip_markup(mt)
    raw_blocks = reflow_blocks(mt, layout) if layout.reflow else line_blocks(mt)
    blocks = [b for b in (finish_block(b) for b in raw_blocks) if b is not None]
    return CleanedDocument(_title(meta, doc, blocks, header, cover), blocks)
