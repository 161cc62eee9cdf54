"""Which sentences the extractive generator quotes and which passages it cites for them (issue #8,
citation recall): every passage stating the quote, asides skipped, the quote limit, the year bar."""

from __future__ import annotations

from dataclasses import replace

from rag.answer.answerability import organisations
from rag.answer.citations import markers_in
from rag.answer.generators import ExtractiveGenerator, ExtractiveParams, GenerationRequest
from rag.assistant import Assistant
from rag.embeddings import Embedder
from rag.text import detect_language, detect_script
from rag.types import Chunk, Hit


def _chunk(n: int, text: str, title: str = "科技经费统计", source: str = "note.txt") -> Chunk:
    return Chunk(f"{source}#{n}", source, source, title, "", text, 0, len(text), 60, n)


def _request(question: str, chunks: list[Chunk]) -> GenerationRequest:
    hits = [Hit(c, 1.0 / r, rank=r) for r, c in enumerate(chunks, 1)]
    return GenerationRequest(
        question, hits, detect_language(question), detect_script(question), asked=question
    )


def test_a_sentence_two_passages_state_is_cited_from_both(seed_assistant: Assistant) -> None:
    """The same sentence in two retrieved passages (overlapping chunks, a document restating
    itself): the quote carries both markers, and each cited passage holds it verbatim."""
    question = "我国2021年投入基础研究的经费有多少？"
    hits = seed_assistant.search(question, 6)
    copy = replace(hits[0].chunk, chunk_id=hits[0].chunk.chunk_id + "-copy", source="restated.txt")
    hits = [hits[0], Hit(copy, hits[0].score, rank=2), *hits[1:]]
    request = GenerationRequest(question, hits, "zh", "simplified")
    gen = ExtractiveGenerator(seed_assistant.embedder)
    picks = gen.select(request)
    first = next(p for p in picks if p.n == 1)
    assert first.also == (2,)
    text = gen.answer_text(request)
    line = next(s for s in text.splitlines() if "[1]" in s)
    assert markers_in(line) == [1, 2]
    sentence = first.info.sentence(first.j)
    assert sentence in hits[0].chunk.text and sentence in hits[1].chunk.text


def test_a_bracketed_aside_is_never_quoted(embedder: Embedder) -> None:
    """A line wholly in brackets (a source note) states nothing, even when it holds the
    question's words; the sentence that answers is quoted."""
    text = "（来源：星火日报评论）\n星火日报评论指出，该市去年研发投入增长了百分之十二。"
    request = _request("星火日报评论说该市研发投入增长了多少？", [_chunk(0, text)])
    gen = ExtractiveGenerator(embedder)
    quoted = [c.info.sentence(c.j) for c in gen.candidates(request)]
    assert quoted and not any(q.startswith("（来源") for q in quoted)
    assert any("百分之十二" in q for q in quoted)


def test_a_ministry_written_as_one_word_is_an_organisation() -> None:
    assert "交通运输部" in organisations("交通运输部发布了这份通知")
    assert organisations("通过企业推动，加强中心建设") == set()  # "through companies" names no body


def test_quotes_stop_at_the_limit_and_the_share_of_the_best(seed_assistant: Assistant) -> None:
    question = "中国集成电路的销售额占全球多大比重？"
    hits = seed_assistant.search(question, 6)
    request = GenerationRequest(question, hits, "zh", "simplified")
    gen = ExtractiveGenerator(seed_assistant.embedder)
    picks = gen.select(request)
    assert 1 <= len(picks) <= gen.params.max_sentences
    best = max(p.score for p in picks)
    assert all(p.score >= gen.params.keep_ratio * best for p in picks)
    one = ExtractiveGenerator(seed_assistant.embedder, params=ExtractiveParams(max_sentences=1))
    assert len(one.select(request)) == 1


def test_the_year_bar_is_set_by_sentences_that_fill_the_slot(embedder: Embedder) -> None:
    """A headline-like sentence repeating the question's words but stating no figure does not set
    the bar a year's figure must reach: the sentence giving the 2019 amount answers."""
    headline = _chunk(0, "国家研发拨款情况通报：国家研发拨款规模持续扩大，国家研发拨款结构不断优化。")
    figure = _chunk(1, "2019年，这笔资金达到120亿元，比上年增长8%。", title="国家研发拨款年度统计")
    question = "2019年国家研发拨款是多少？"
    request = _request(question, [headline, figure])
    # The refusal floor is not what this test is about; the slot-based bar is off by default. Nor is
    # the title's share (the figure's title writes the question's words its sentence leaves out).
    params = ExtractiveParams(min_score=0.0, year_ratio_slot=True, title_weight=0.0)
    picks, why = ExtractiveGenerator(embedder, params=params).select_with_reason(request)
    assert why is None and [p.info.chunk.chunk_id for p in picks] == ["note.txt#1"]
    # Held to any sentence instead, the headline's overlap sets a bar the figure does not reach.
    strict = ExtractiveGenerator(embedder, params=replace(params, year_ratio_slot=False, year_ratio=0.99))
    assert strict.candidates(request)[0].info.chunk.chunk_id == "note.txt#0"
    assert strict.select_with_reason(request)[0] == []


def test_a_list_asked_by_its_noun_quotes_the_numbered_items(seed_assistant) -> None:
    """No sentence of the blueprint lists its directions in the retrieved pool, but its summary lists
    them as 方向一 … 方向四 under a heading naming them: those items are the answer, in reading order,
    not the sentence that lists four other things ("四個方面")."""
    answer = seed_assistant.ask("香港的創科藍圖提出了哪四個發展方向？")
    assert not answer.refused
    quoted = [c.quote for c in answer.citations]
    text = answer.answer
    for n in ("方向一", "方向二", "方向三", "方向四"):
        assert n in text
    assert text.index("方向一") < text.index("方向二") < text.index("方向三")
    assert not any("四個方面" in q for q in quoted)


def test_enumeration_counts_a_last_item_joined_by_he():
    from rag.answer.answerability import enumeration_size

    assert enumeration_size("總結出「甲」、「乙」、「丙」和「丁」四大方向") == 4
    assert enumeration_size("研发、人才、产业等三个方面") == 3
    assert enumeration_size("北京和上海") == 1  # a pair joined without 、 is not read as a list


def test_one_list_item_is_quoted_not_the_whole_list(embedder: Embedder) -> None:
    """A list's items sit on their own lines under a lead-in: the item that answers is quoted on
    its own (a user reads one item, not a run-on of all of them), scored with its lead-in."""
    text = (
        "正文说明政府推出的科技政策。\n"
        "本市创科发展的主要措施包括：\n"
        "设立人工智能与数据科学研究院并招聘国际团队\n"
        "扩建生命健康科技园区的实验室和动物房设施\n"
        "资助半导体晶片企业在本市建设中试生产线和封装平台\n"
        "完善青年科研人员的住宿配套及子女教育安排\n"
    )
    request = _request("本市怎样支持半导体晶片企业？", [_chunk(0, text, title="本市创科发展蓝图")])
    gen = ExtractiveGenerator(embedder)
    picks = gen.select(request)
    assert picks
    quoted = [p.info.sentence(p.j) for p in picks]
    assert quoted[0] == "资助半导体晶片企业在本市建设中试生产线和封装平台"
    assert all("\n" not in q for q in quoted)  # no quote runs on into the next item
    assert picks[0].info.lead(picks[0].j) == "本市创科发展的主要措施包括："
