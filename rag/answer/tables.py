"""Table rows as answers: a row's first text cell names the entity, its other cells are that entity's figures.

A cleaned table row is a line of cells (``24 厦门 16.96 24.88 16 …`` from a PDF, ``厦门 | 16.96 | …`` from a
tab table). It states no verb and no measure word, so sentence scoring and the attribute check (which wants the
column's name, 总分, in the sentence) pass it by, although it is the exact answer to "厦门的总分是多少" or
"石家庄排第几": the row names the entity asked about, its leading integer is its position in a ranked table, and
its header row (or the section, "城市硬科技创新排名") says what the other cells measure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.answer.question import Question, analyse
from rag.retrieve.documents import DocumentChunks
from rag.text import to_simplified
from rag.types import Chunk, Hit

if TYPE_CHECKING:
    from rag.answer.generators.base import Pick

_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·&()（）\s-]*")
# A position cell: a small integer (a rank), not a year or a figure.
_POSITION = re.compile(r"\d{1,3}")


@dataclass(frozen=True)
class Row:
    name: str  # the first text cell (t2s-folded): whom the row's figures are about
    figures: tuple[str, ...]  # the numeric cells after the name, in order
    position: int | None  # the leading integer of a ranked table (1 北京 84.04 …), else None


def cells(line: str) -> list[str]:
    """A row's cells: `` | ``-joined (tab tables) or space-separated (PDF tables)."""
    text = line.strip()
    parts = text.split(" | ") if " | " in text else text.split()
    return [p.strip() for p in parts if p.strip()]


def parse_row(line: str) -> Row | None:
    """A line made of one name cell and at least two numeric cells (optionally after a position)."""
    if "\n" in line.strip() or len(line) > 200:
        return None
    found = cells(line)
    if len(found) < 3:
        return None
    position: int | None = None
    at = 0
    if _POSITION.fullmatch(found[0]) and len(found) > 1 and not _NUMBER.fullmatch(found[1]):
        position, at = int(found[0]), 1
    name = found[at]
    if _NUMBER.fullmatch(name) or not _NAME.fullmatch(name) or len(name) > 30:
        return None
    rest = found[at + 1 :]
    if len(rest) < 2 or not all(_NUMBER.fullmatch(c) for c in rest):
        return None
    return Row(to_simplified(name).lower(), tuple(rest), position)


def names_row(row: Row, forms: Iterable[str]) -> bool:
    """The row is about one of the names (厦门 for 厦门/厦门市; a suffix such as 市 may be dropped)."""
    for form in forms:
        form = to_simplified(form).lower().strip()
        if not form:
            continue
        if row.name == form or row.name.removesuffix("市") == form.removesuffix("市"):
            return True
    return False


_RANKED_ASK = re.compile(r"排|名列|位列|位居|名次")
_ZH_DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))


def _ordinal(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _ZH_DIGITS:
        return _ZH_DIGITS[text]
    if text.startswith("十") and len(text) <= 2:  # 十, 十二
        return 10 + _ZH_DIGITS.get(text[1:], 0)
    m = re.fullmatch(r"([二三四五六七八九])十([一二三四五六七八九]?)", text)
    return _ZH_DIGITS[m.group(1)] * 10 + _ZH_DIGITS.get(m.group(2), 0) if m else None


def positions_asked(question: str) -> tuple[int, ...]:
    """ "排第26和第27的分别是哪两个城市": the positions a question names in a ranking, whose rows
    answer "which". Only when it speaks of a ranking (排, 名列…): 第三梯队 or 第二条 name no position."""
    folded = to_simplified(question)
    if not _RANKED_ASK.search(folded):
        return ()
    found = re.findall(
        r"第\s*(\d{1,3}|[一二三四五六七八九十]{1,3})(?![\d一二三四五六七八九十]|\s*(?:梯队|条|章|节|次|届|批|款|项))",
        folded,
    )
    return tuple(dict.fromkeys(n for t in found if (n := _ordinal(t)) is not None))


_ROW_FIGURE_SLOTS = ("amount", "fact", "percentage")
_ASKS_SCORE = re.compile(r"(?:得|总|评|多少)分|分数|分值|得分|\bscores?\b", re.I)


def asks_row(question: Question) -> bool:
    """A rank ("排第几", "where does X rank") or a score ("得分", "what score"): what a ranked table row states."""
    return question.slot == "rank" or (
        question.slot in _ROW_FIGURE_SLOTS and bool(_ASKS_SCORE.search(to_simplified(question.text)))
    )


def wanted(row: Row, folded_question: str, groups: Sequence[Sequence[str]], positions: Sequence[int]) -> bool:
    """The row is about a name the question states (its own Chinese words, or an English name's Chinese
    forms) or sits at a position it asks for."""
    if positions:
        return row.position in positions
    own = len(row.name) >= 2 and row.name in folded_question
    return own or any(names_row(row, group) for group in groups)


def _rows(chunk: Chunk) -> list[Row]:
    return [r for line in chunk.text.splitlines() if (r := parse_row(line)) is not None]


def with_table_rows(question: str, hits: Sequence[Hit], documents: DocumentChunks) -> list[Hit]:
    """The hits with each table continuation placed right after the chunk it continues (the answer
    reads sentences from the top passages only)."""
    extra = table_continuations(question, hits, documents)
    if not extra:
        return list(hits)
    out: list[Hit] = []
    for h in hits:
        out.append(h)
        out.extend(x for x, source in extra if source is h)
    return out


def table_continuations(
    question: str, hits: Sequence[Hit], documents: DocumentChunks, *, max_chunks: int = 12
) -> list[tuple[Hit, Hit]]:
    """The chunks that continue a retrieved table and hold the row asked about.

    A long table is cut into several chunks; the question "石家庄排第几" retrieves the chunk with the
    table's caption and first rows (it shares the question's words) while 石家庄's row, a line of a
    name and figures, sits a few chunks on. When a question asks a rank or a score and a retrieved
    chunk holds table rows, the chunks of the same section next to it that are rows too are read, and
    those with a row naming what is asked are returned, each with the hit it continues."""
    tables = [h for h in hits if len(_rows(h.chunk)) >= 2]
    if not tables:
        return []  # no retrieved table: skip the question analysis (it runs on every retrieval)
    q = analyse(question)
    positions = () if q.slot == "rank" else positions_asked(question)
    if not (asks_row(q) or positions):
        return []
    folded = "".join(to_simplified(question).lower().split())
    groups = [g for g in q.entities if g]
    if any(wanted(r, folded, groups, positions) for h in hits for r in _rows(h.chunk)):
        return []  # the row asked for was retrieved
    have = {h.chunk.chunk_id for h in hits}
    out: list[tuple[Hit, Hit]] = []
    for hit in tables:
        if len(out) >= 2:
            continue
        doc = documents.current(hit.chunk)
        if doc is None:
            continue
        at = hit.chunk.ordinal
        for step in (1, -1):
            i = at + step
            while 0 <= i < len(doc) and abs(i - at) <= max_chunks:
                c = doc[i]
                if c.section != hit.chunk.section or len(_rows(c)) < 2:
                    break  # the table (its run of row chunks in this section) ends here
                if c.chunk_id not in have and any(wanted(r, folded, groups, positions) for r in _rows(c)):
                    out.append((Hit(chunk=c, score=hit.score), hit))
                    have.add(c.chunk_id)
                i += step
    return out


# How the documents name China when a figure or rank is China's (中国/我国), t2s-folded.
CHINA_NAMES = ("中国", "我国", "china")


def table_rows(
    q: Question, question: str, asked: str | None, ranked: Sequence[Pick], keeps: Callable[[Pick], bool]
) -> list[Pick]:
    """A question about a named entity's rank or score is answered by the table row that names it.

    The row's first text cell is the entity, its cells the figures (its leading integer the
    position in a ranked table); it does not restate its column's name (总分, 排名), so the
    attribute check is left to the header, and the other constraints (titles, bodies) must hold
    in its passage (``keeps``) as for any sentence. One row per entity asked, the best-scoring one."""
    asks_rank = q.slot == "rank"
    positions = () if asks_rank else positions_asked(asked or question)
    if positions:  # "排第26和第27的是哪两个城市": the rows at those positions of a ranked table
        return rows_at(ranked, positions, keeps)
    if not asks_row(q):
        return []
    # The names asked: the question's own Chinese words (any name a row's first cell spells:
    # 石家庄, 大连, a company), or an English question's names mapped to Chinese.
    folded = "".join(to_simplified(f"{question}\n{asked or ''}").lower().split())
    groups = [group for group in q.entities if group]
    out: list[Pick] = []
    seen: set[str] = set()
    for c in ranked:
        row = parse_row(c.info.sentence(c.j))
        if row is None or row.name in seen or (asks_rank and row.position is None):
            continue
        own = len(row.name) >= 2 and row.name in folded
        if not (own or any(names_row(row, group) for group in groups)):
            continue
        if not keeps(c):
            continue
        seen.add(row.name)
        out.append(c)
    return out


def ranks_asked(q: Question, ranked: list[Pick]) -> list[Pick]:
    """A rank is a named entity's: the sentence stating it names the place or name asked (the
    title "2020中国硬科技创新白皮书" does not make 韩国's rank China's)."""
    groups = [tuple(sorted(q.places))] if q.places else []
    groups += [g for g in q.entities if g]
    if not q.places and re.search(r"中国|我国|\bchina\b", to_simplified(q.text).lower()):
        # China is no scope-limiting place (the documents' own country), but a rank is someone's:
        # "中國…在全球排第幾" is answered by China's rank, never 韩国's from the same passage.
        groups.append(CHINA_NAMES)
    if not groups:
        return ranked
    return [
        c
        for c in ranked
        if any(
            any(to_simplified(n).lower() in to_simplified(c.info.scored_text(c.j)).lower() for n in g)
            for g in groups
        )
    ]


def rows_at(ranked: Sequence[Pick], positions: Sequence[int], keeps: Callable[[Pick], bool]) -> list[Pick]:
    """The best-scoring ranked-table row at each position asked, when every position has one."""
    out: list[Pick] = []
    for at in positions:
        row_at = next(
            (
                c
                for c in ranked
                if (row := parse_row(c.info.sentence(c.j))) is not None and row.position == at and keeps(c)
            ),
            None,
        )
        if row_at is None:
            return []
        out.append(row_at)
    return out
