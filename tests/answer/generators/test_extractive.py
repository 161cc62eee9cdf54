"""The extractive composer over the real seeds: verbatim quotes, which sentences lead, which passages are cited."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answer.answerability import organisations
from rag.answer.citations import (
    answer_sentence_spans,
    asks_for_quantity,
    display_quote,
    markers_in,
    passage_sentence_spans,
    quantities,
    strip_markers,
)
from rag.answer.generators import (
    ExtractiveGenerator,
    ExtractiveParams,
    GenerationRequest,
)
from rag.answer.generators.extractive import _asks_figure, paraphrasable
from rag.assistant import Assistant
from rag.embeddings import Embedder
from rag.text import detect_language, detect_script, to_simplified
from rag.types import Chunk, Hit


def _request(assistant: Assistant, question: str, k: int = 6) -> GenerationRequest:
    hits = assistant.search(question, k)
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


@pytest.mark.parametrize(
    "question",
    [
        "2021年我国基础研究经费达到多少？",
        "根據SIA統計，2021年中國市場集成電路銷售額佔全球銷售額的比重是多少？",
        "What were global semiconductor sales in 2021, according to SIA?",
    ],
)
def test_extractive_answer_is_made_of_verbatim_quotes(seed_assistant: Assistant, question: str) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    request = _request(seed_assistant, question)
    picks = gen.select(request)
    assert 1 <= len(picks) <= gen.params.max_sentences
    text = "".join(gen.stream(request))
    assert text == gen.answer_text(request)
    quoted = {display_quote(p.info.sentence(p.j)) for p in picks}
    if asks_for_quantity(question):  # every quote states a figure, not only a date
        assert all(quantities(p.info.sentence(p.j)) for p in picks)
    for p in picks:  # each pick is a sentence of its passage, verbatim
        assert p.info.sentence(p.j) in request.hits[p.n - 1].chunk.text
        assert p.info.spans[p.j] in passage_sentence_spans(request.hits[p.n - 1].chunk.text)
    sentences = [text[s:e] for s, e in answer_sentence_spans(text)]
    assert len(sentences) == len(picks) + 1  # the lead-in, then one sentence per quote
    cited = {(p.n, *p.also) for p in picks}  # a quote cites every passage stating it
    for sentence in sentences[1:]:
        marks = tuple(markers_in(sentence))
        assert marks in cited and all(1 <= n <= len(request.hits) for n in marks)
        body = to_simplified(strip_markers(sentence))  # shown in the question's script
        assert any(q.rstrip("。；;，,") in body or body.rstrip("。") in q for q in map(to_simplified, quoted))
    if request.language == "en":
        assert text.startswith("The documents are in Chinese")
        assert all(s.startswith("According to 《") for s in sentences[1:])
    elif request.script == "traditional":
        assert text.startswith("根據檢索到的文件：")
        assert detect_script(text) == "traditional"  # Traditional in, Traditional out
    else:
        assert text.startswith("根据检索到的文档：")
        assert detect_script(text) == "simplified"


def test_extractive_streams_in_several_pieces(seed_assistant: Assistant) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    pieces = list(gen.stream(_request(seed_assistant, "2021年我国基础研究经费达到多少？")))
    assert len(pieces) > 2 and all(pieces)


def test_extractive_gives_nothing_for_another_year(seed_assistant: Assistant) -> None:
    """The seeds report 2021 figures (and targets for 2025 and 2030); nothing answers for 2012."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    assert gen.answer_text(_request(seed_assistant, "2012年我国基础研究经费达到多少？")) == ""


def test_a_table_rows_year_is_read_from_its_header_row(seed_assistant: Assistant) -> None:
    """The blueprint's indicator table: a row gives its figures under the header row's year columns
    (2027, 2032), in the chunk holding the header and in the later chunk whose section carries it."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    for question, row in [
        ("藍圖要求2032年本地研發總開支相對本地生產總值的比率達到多少？", "1.1 | 本地研發總開支"),
        ("香港藍圖提出2027年每千名勞動人口中創科從業人員要達到多少？", "3.2 | 每千名勞動人口中創科從業人員"),
    ]:
        assert row in gen.answer_text(_request(seed_assistant, question)), question
    assert (
        gen.answer_text(_request(seed_assistant, "藍圖要求2040年每千名勞動人口中創科從業人員達到多少？"))
        == ""
    )


def test_an_english_question_scores_sentences_by_its_chinese_translations(seed_assistant: Assistant) -> None:
    question = "What were global semiconductor sales in 2021, according to SIA?"
    request = _request(seed_assistant, question)
    expander = seed_assistant.retriever.expander
    assert expander is not None
    plain = ExtractiveGenerator(seed_assistant.embedder).candidates(request)
    gen = ExtractiveGenerator(seed_assistant.embedder, translate=expander.expand)
    translated = gen.candidates(request)
    assert max(p.keyword for p in translated) > max(p.keyword for p in plain)
    assert all(p.translated == pytest.approx(p.keyword * gen.params.translated_weight) for p in translated)
    assert not any(p.translated for p in plain)
    # A Chinese question keeps its own tokens.
    zh = _request(seed_assistant, "2021年我国基础研究经费达到多少？")
    assert not any(p.translated for p in gen.candidates(zh))
    # The refusal floor was calibrated without the translations: they rank, they do not answer.
    without = max(p.score - p.translated for p in translated)
    gen.params.min_score_en = without + 0.01
    assert max(p.score for p in translated) > gen.params.min_score_en
    assert gen.select(request) == []


def _section_hit(ordinal: int, section: str, text: str, source: str = "doc.txt") -> Hit:
    from rag.types import Chunk

    c = Chunk(f"{source}#{ordinal}", source, source, "快报", section, text, 0, len(text), 10, ordinal)
    return Hit(c, 1.0)


def test_section_context_is_the_chunk_before_and_the_retrieved_rest_of_the_section() -> None:
    from rag.answer.generators import section_context

    lead = _section_hit(3, "创新政策 > 供应链报告", "3、关键矿物和原材料（评估部门：美国国防部）")
    same = _section_hit(9, "创新政策 > 供应链报告", "报告由国防部牵头。")
    other = _section_hit(5, "创新政策 > 其他报告", "德国企业支持了 30%。")
    elsewhere = _section_hit(4, "创新政策 > 供应链报告", "另一份文件。", source="other.txt")
    passage = _section_hit(4, "创新政策 > 供应链报告", "国外供应来源包括 84 个不同的国家。")
    hits = [passage, lead, same, other, elsewhere]
    got = section_context(passage, hits)
    assert "美国国防部" in got and "报告由国防部牵头" in got
    assert "德国" not in got and "另一份文件" not in got


def test_a_name_may_be_in_the_section_but_a_place_must_be_in_the_passage() -> None:
    from rag.answer.generators.extractive import _named_nearby_problem
    from rag.answer.question import analyse

    body = replace(analyse("How many countries?"), entities=(("五角大楼", "国防部"),))
    place = replace(analyse("How many countries?"), entities=(("德国", "德意志"),))
    before, passage = "评估部门：美国国防部；德国企业支持了 30%", "国外供应来源包括 84 个不同的国家。"
    assert _named_nearby_problem(body, before, passage) is None
    assert _named_nearby_problem(body, "", passage) is not None
    assert _named_nearby_problem(place, before, passage) is not None  # Germany is only in the chunk before


def test_english_figure_questions_over_the_seeds(seed_assistant: Assistant) -> None:
    """The body an English question names heads the chunk before the answer (国防部), an identifier
    (S.1260) ties a low-scoring sentence to the question; a place only a neighbouring chunk names,
    or an identifier the documents do not write, still gets a refusal."""
    pentagon = seed_assistant.ask(
        "The Pentagon's critical-minerals assessment found foreign supply coming from how many countries?"
    )
    assert not pentagon.refused and "84 (84 个)" in pentagon.answer
    tally = seed_assistant.ask("What was the final tally when the Senate passed S.1260?")
    assert not tally.refused and "68 (68 票)" in tally.answer
    assert seed_assistant.ask("What was the final tally when the Senate passed S.1261?").refused
    germany = seed_assistant.ask(
        "What share of basic-research funding did enterprises provide in Germany, according to Wang Yifang?"
    )
    assert germany.refused


def test_a_figure_sentence_continuing_the_one_before_is_chosen(seed_assistant: Assistant) -> None:
    """ "国际上最高的以色列、瑞典达到 4%。" names neither R&D nor GDP: the sentence before it does
    ("2020年中国的研发经费是 GDP 的 2.4%"), and an English question's translated words found only there
    count at a discount, so the sentence with the asked figure is quoted and 4% is stated in English."""
    from rag.answer.generators.extractive import _previous_overlap

    weights = {"研发": 2.0, "最高": 2.0, "gdp": 3.0}
    tokens = list(weights)
    assert _previous_overlap(weights, tokens, "国际上最高的以色列", "研发经费是gdp的2.4%") == 5 / 7
    assert _previous_overlap(weights, tokens, "研发最高gdp", "研发经费是gdp的2.4%") == 0.0
    ans = seed_assistant.ask(
        "According to Wang Yifang, which countries have the highest R&D spending relative to GDP, "
        "and at what level?"
    )
    line = next(x for x in ans.answer.splitlines() if "以色列" in x)
    assert "4%" in line.split(" — “")[0]  # stated in English before the quote


def test_leads_may_name_the_author_but_not_the_chamber() -> None:
    from rag.answer.generators.extractive import _named_nearby_problem
    from rag.answer.question import analyse

    author = replace(analyse("How much?"), entities=(("智库信息技术和创新基金会", "itif"),))
    chamber = replace(analyse("How much did the Senate bill give?"), entities=())
    leads, passage = "参议院通过；美国智库信息技术和创新基金会（ITIF）发布报告", "报告估计专利将增长 75%。"
    assert _named_nearby_problem(author, "", passage, leads) is None
    assert _named_nearby_problem(author, "", passage) is not None
    assert chamber.bodies and _named_nearby_problem(chamber, "", passage, leads) is not None


def test_a_report_named_only_in_its_sections_opening_is_answered(seed_assistant: Assistant) -> None:
    # The passage listing the lenders never names ITIF; the opening of its report does.
    question = "Which state banks does the ITIF report say finance Chinese firms' expansion abroad?"
    answer = seed_assistant.ask(question)
    assert answer.citations, answer.refusal_reason
    cited = " ".join(c.quote for c in answer.citations)
    assert "中国进出口银行" in cited


# Numbered items asked by their number, items' own content, and "哪几" read as a which-question.


def test_which_several_asks_for_items_not_a_count() -> None:
    assert not _asks_figure("文件主张以哪几个体系为基准来完善技术创新规划？")
    assert _asks_figure("文件提出了几个体系？")
    assert _asks_figure("投入了多少资金？")


def test_an_item_asked_by_its_number_is_answered_by_that_item(seed_assistant: Assistant) -> None:
    """The blueprint's eight strategies share every word but their number: the asked one answers."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    for question, own, others in [
        ("藍圖策略三的目標是甚麼？", "策略三：", ("策略一：", "策略四：", "策略五：")),
        ("香港創科藍圖的策略六提出了哪些建議？", "策略六：", ("策略四：", "策略七：", "策略八：")),
    ]:
        text = gen.answer_text(_request(seed_assistant, question))
        assert own in text, question
        assert not any(o in text for o in others), (question, text)


def test_a_question_about_one_items_content_is_not_answered_by_the_item_list(
    seed_assistant: Assistant,
) -> None:
    """ "一、四大重点领域及其直接措施" numbers four areas, each with its measures under it: a question
    about one area's measures quotes what is said under that area, not the four area lines."""
    gen = ExtractiveGenerator(seed_assistant.embedder)
    text = gen.answer_text(
        _request(seed_assistant, "澳大利亚为了用人工智能解决国家挑战，打算采取哪些直接措施？")
    )
    assert "解决国家挑战" in text
    assert "开发和采用人工智能，转变澳大利亚的商务" not in text


def test_which_several_systems_is_answered_by_the_sentence_naming_them(seed_assistant: Assistant) -> None:
    gen = ExtractiveGenerator(seed_assistant.embedder)
    text = gen.answer_text(_request(seed_assistant, "硬科技顶层设计要以哪几个体系作为基准？"))
    assert "实验发展研究应用创新体系为基准" in text


def test_an_ordinal_follow_up_is_answered_by_that_item_of_the_list(seed_assistant: Assistant) -> None:
    """ "第三個呢？" after a question about the blueprint's first direction asks for 方向三 (its line
    opens "方向三：…"; another line opens with two labels, "策略二：方向二：…", and heads 方向二)."""
    history = [{"role": "user", "content": "香港創科藍圖的第一個發展方向是甚麼？"}]
    first = seed_assistant.ask(history[0]["content"])
    history.append({"role": "assistant", "content": first.answer})
    for ordinal, own, others in [
        ("第三個呢？", "方向三", ("方向一", "方向四")),
        ("第二個呢？", "方向二", ("方向一", "方向三")),
    ]:
        ans = seed_assistant.ask(ordinal, history=history)
        assert own in ans.answer, (ordinal, ans.answer)
        assert not any(o in ans.answer for o in others), (ordinal, ans.answer)


# Which sentences the extractive generator quotes and which passages it cites for them: every passage stating the quote, asides skipped, the quote limit, the year bar.


def _note_chunk(n: int, text: str, title: str = "科技经费统计", source: str = "note.txt") -> Chunk:
    return Chunk(f"{source}#{n}", source, source, title, "", text, 0, len(text), 60, n)


def _note_request(question: str, chunks: list[Chunk]) -> GenerationRequest:
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
    request = _note_request("星火日报评论说该市研发投入增长了多少？", [_note_chunk(0, text)])
    gen = ExtractiveGenerator(embedder)
    quoted = [c.info.sentence(c.j) for c in gen.candidates(request)]
    assert quoted and not any(q.startswith("（来源") for q in quoted)
    assert any("百分之十二" in q for q in quoted)


def test_a_dated_note_in_brackets_is_a_statement(embedder: Embedder) -> None:
    """A law's adoption note under its title is bracketed but states when and by whom: it can be quoted
    for "when was it adopted", unlike a source note or an author's credit."""
    text = (
        "（4）《星火省数字经济促进条例》\n（2021年8月3日星火省人民代表大会常务委员会第三十三次会议通过）\n"
        "（来源：星火日报）\n（张三）"
    )
    request = _note_request("星火省数字经济促进条例是哪一天通过的？", [_note_chunk(0, text)])
    quoted = [c.info.sentence(c.j) for c in ExtractiveGenerator(embedder).candidates(request)]
    assert any(q.startswith("（2021年8月3日") for q in quoted)
    assert not any(q.startswith(("（来源", "（张三")) for q in quoted)


def test_a_clause_after_a_semicolon_continues_the_whole_sentence_before_it(seed_assistant: Assistant) -> None:
    """ "据华为GIV预测，到2025年…；千亿联接…；由此产生存储数据量每年高达1800亿TB。": the forecast's source and
    year are two clauses back, and count (at the discount for the sentence before) for the figure clause."""
    from rag.answer.generators.extractive import _clauses_before

    ans = seed_assistant.ask("According to Huawei GIV, how much data will be stored per year by 2025?")
    info = next(
        seed_assistant.chain.passages.get(h.chunk) for h in ans.passages if "1800亿TB" in h.chunk.text
    )
    j = next(j for j in range(len(info.spans)) if "1800亿TB" in info.sentence(j))
    before = _clauses_before(info, j)
    assert before.startswith("据华为GIV预测") and "千亿联接" in before
    assert "180 billion TB (1800亿TB)" in ans.answer
    # Items of a list joined by semicolons each state their own point: only the item before counts.
    from rag.answer.citations import PassageCache

    items = PassageCache().get(
        _note_chunk(0, "主要包括：①支持量子研究；②培养核心人才；③资助 26 个部门的项目。")
    )
    k = next(j for j in range(len(items.spans)) if items.sentence(j).startswith("③"))
    assert _clauses_before(items, k).startswith("②")


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
    headline = _note_chunk(0, "国家研发拨款情况通报：国家研发拨款规模持续扩大，国家研发拨款结构不断优化。")
    figure = _note_chunk(1, "2019年，这笔资金达到120亿元，比上年增长8%。", title="国家研发拨款年度统计")
    question = "2019年国家研发拨款是多少？"
    request = _note_request(question, [headline, figure])
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
    request = _note_request("本市怎样支持半导体晶片企业？", [_note_chunk(0, text, title="本市创科发展蓝图")])
    gen = ExtractiveGenerator(embedder)
    picks = gen.select(request)
    assert picks
    quoted = [p.info.sentence(p.j) for p in picks]
    assert quoted[0] == "资助半导体晶片企业在本市建设中试生产线和封装平台"
    assert all("\n" not in q for q in quoted)  # no quote runs on into the next item
    assert picks[0].info.lead(picks[0].j) == "本市创科发展的主要措施包括："


def test_words_naming_the_document_do_not_rank_a_sentence_about_another(seed_assistant: Assistant) -> None:
    """白皮书 names 《2020中国硬科技创新白皮书》 (its title, not its passage): the definition leads, not
    a sentence citing 《中国医疗器械白皮书》; the title's share ranks but is left out of the floor."""
    question = "白皮书里新材料指的是什么？"
    request = _request(seed_assistant, question)
    gen = ExtractiveGenerator(seed_assistant.embedder)
    picks = gen.select(request)
    assert picks and picks[0].info.sentence(picks[0].j).startswith("新材料是指")
    assert all("医疗器械白皮书" not in p.info.sentence(p.j) for p in picks)
    # Only a passage whose title writes 白皮书 gets the share.
    assert all(bool(c.titled) == ("白皮书" in c.info.chunk.title) for c in gen.candidates(request))
    # Off, the other white paper's sentence leads (the share is what moves it).
    gen.params.title_weight = 0.0
    assert "医疗器械白皮书" in gen.select(request)[0].info.sentence(gen.select(request)[0].j)
    # The refusal floor is held to the score without the title's share.
    gen.params.title_weight = 1.0
    best = max(c.score - c.titled for c in gen.candidates(request))
    gen.params.min_score = best + 0.01
    assert max(c.score for c in gen.candidates(request)) > gen.params.min_score
    assert gen.select(request) == []


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("数据来源：联合国教科文组织（UNESCO）统计研究所", True),
        ("参考资料：亿欧智库《灯塔工厂白皮书》\n近年来，国际政治经济充满不确定性。", True),
        ("表 5 建设弹性的关键矿物和原材料供应链的政策建议", True),
        ("表1 半导体供应链5个基本环节及评估", True),
        ("收入来源包括竞争性课题、市场化服务收入以及财政资金后补助等。", False),
        ("表明中国在高端科技领域理论研究中仍有大量功课需要补足。", False),
    ],
)
def test_source_notes_and_captions_are_no_statements(line: str, note: bool) -> None:
    from rag.answer.generators.extractive import _NOTE

    assert bool(_NOTE.match(line)) is note


# A question in the user's own words: a common word the answering sentence
# writes differently (穩住/稳定, 晶片/芯片, 人工智慧/人工智能) is met by its near-synonym, by the real
# embedder, only when the best sentence falls below the floor, and never for names, figures or typed
# slots, where another word is a near miss rather than a paraphrase.

OTHER = "该省还建设了算力中心。"


def _report_request(question: str, texts: list[str]) -> GenerationRequest:
    chunks = [
        Chunk(f"p.txt#{i}", "p.txt", "p.txt", "产业发展报告", "", t, 0, len(t), 60, i)
        for i, t in enumerate(texts)
    ]
    hits = [Hit(c, 1.0 / r, rank=r) for r, c in enumerate(chunks, 1)]
    return GenerationRequest(question, hits, detect_language(question), detect_script(question))


@pytest.fixture(scope="module")
def generators(embedder: Embedder) -> tuple[ExtractiveGenerator, ExtractiveGenerator]:
    # Reporting words (報告認為) left in the floor's share, so the rescue by synonyms is measured alone.
    return (
        ExtractiveGenerator(embedder, params=ExtractiveParams(synonym_cosine=0.0, reporting_words=False)),
        ExtractiveGenerator(embedder, params=ExtractiveParams(synonym_cosine=0.75, reporting_words=False)),
    )


def test_common_words_may_be_paraphrased_names_figures_and_dates_may_not() -> None:
    assert paraphrasable("稳住") and paraphrasable("侧重")
    assert not paraphrasable("深圳") and not paraphrasable("2021") and not paraphrasable("五年")
    assert not paraphrasable("议") and not paraphrasable("GDP")  # one character, Latin script
    # A word inside a name the question's analysis found (a body, a quoted name) is guarded.
    assert not paraphrasable("参议院", guarded=["参议院"])


def test_a_traditional_question_in_other_words_is_answered(generators) -> None:
    off, on = generators
    request = _report_request(
        "報告認為該省為什麼要穩住晶片人才隊伍？",
        ["报告指出，保持芯片人才队伍稳定关系到整个产业链的安全。", OTHER],
    )
    picks, why = off.select_with_reason(request)
    assert not picks and why is not None and "best score" in why  # below the floor as worded
    picks, why = on.select_with_reason(request)
    assert why is None and picks
    assert "芯片人才队伍稳定" in picks[0].info.sentence(picks[0].j)


def test_the_rescue_never_answers_another_body_or_another_measure(generators) -> None:
    _, on = generators
    # Another chamber: the body check refuses before any score is read.
    picks, why = on.select_with_reason(
        _report_request("众议院为什么反对这项法案？", ["参议院认为该法案会增加财政负担，因此投了反对票。"])
    )
    assert not picks and why is not None and "参议院" in why
    # A figure slot: 资助 is not 资金, and a sentence stating no amount never answers 多少资金.
    picks, why = on.select_with_reason(
        _report_request(
            "该市预留了多少资金建设中试基地？", ["该市将资助中试基地建设，并设立专项平台。", OTHER]
        )
    )
    assert not picks


def test_a_sentence_the_wording_already_finds_is_scored_as_before(generators) -> None:
    off, on = generators
    request = _report_request(
        "为什么报告说该市新能源汽车企业比较侧重电池研发？",
        ["与其他城市不同，该市新能源车企更注重电池研发，主要源于当地锂矿资源丰富。", OTHER],
    )
    a, b = off.select_with_reason(request)[0], on.select_with_reason(request)[0]
    assert [(p.n, p.j, p.score) for p in a] == [(p.n, p.j, p.score) for p in b]


def test_a_list_noun_only_the_document_title_names_heads_no_items(seed_assistant: Assistant) -> None:
    """ "哪些领域制裁中国" reads 中国 as the list's noun; 中国 is in the white paper's title, which heads
    none of its numbered sections ("五、硬科技发展前景展望", "5.1 …"): those are not the answer's items."""
    ans = seed_assistant.ask("迎接中国挑战法案主要想在哪些领域制裁中国？")
    assert not ans.refused
    assert all(c.chunk_id.startswith("004_") for c in ans.citations)
    assert "国家安全和金融服务领域" in ans.answer


def _plan_hit(text: str) -> Hit:
    c = Chunk("plan.txt#1", "plan.txt", "plan.txt", "某省交通规划", "一、发展目标", text, 0, len(text), 10, 1)
    return Hit(c, 1.0)


def test_a_bare_how_long_is_answered_by_a_length(embedder: Embedder) -> None:
    text = "规划提出，到2035年全省铁路网将达到1.5万公里左右。规划的实施将带动沿线经济发展。"
    gen = ExtractiveGenerator(embedder)
    picks = gen.select(GenerationRequest("到2035年全省铁路网要多长？", [_plan_hit(text)], "zh", "simplified"))
    assert picks and "1.5万公里" in picks[0].info.sentence(picks[0].j)
    # Time asked in so many words: a length in kilometres does not answer it.
    timed = GenerationRequest("全省铁路网建设要多长时间？", [_plan_hit(text)], "zh", "simplified")
    assert gen.select(timed) == []


def test_an_english_figure_clause_holding_the_questions_words_is_not_held_to_the_floor(
    embedder: Embedder,
) -> None:
    text = "该省在2019年共设立了6个科技创新试点区。试点工作由省科技厅负责推进。"
    question = "How many innovation pilot zones did the province set up in 2019?"

    def translate(_q: str) -> list[str]:
        return ["创新", "试点区", "设立", "省"]

    request = GenerationRequest(question, [_plan_hit(text)], "en", "english")
    strict = ExtractiveParams(min_score_en=0.9)  # above any English cosine: the floor alone refuses
    assert ExtractiveGenerator(embedder, params=strict, translate=translate).select(request) == []
    params = replace(strict, figure_clause_en=0.45)
    picks = ExtractiveGenerator(embedder, params=params, translate=translate).select(request)
    assert picks and "6个科技创新试点区" in picks[0].info.sentence(picks[0].j)
    # The clause must hold the question's words: a figure beside other words stays refused.
    other = GenerationRequest(question, [_plan_hit("该省在2019年共有6所高校入选。")], "en", "english")
    assert ExtractiveGenerator(embedder, params=params, translate=translate).select(other) == []


def test_reporting_words_are_neither_said_nor_missing_for_the_floor(embedder: Embedder) -> None:
    """ "作者认为…" says who holds the view, not what it is: the answering sentence need not write 作者 or
    认为, so they count for the refusal floor as neither said nor missing (ranking is unchanged)."""
    text = "这些指标侧重于跟踪投入端的情况，对最终产出的考察更显薄弱。规划共列出八项指标。"
    gen = ExtractiveGenerator(embedder)
    framed = GenerationRequest("作者认为这些指标有什么不足？", [_plan_hit(text)], "zh", "simplified")
    plain = GenerationRequest("这些指标有什么不足？", [_plan_hit(text)], "zh", "simplified")
    best_framed = max(gen.candidates(framed), key=lambda c: c.score)
    assert best_framed.unframed > 0  # 作者 and 认为 no longer weigh against the sentence
    best_plain = max(gen.candidates(plain), key=lambda c: c.score)
    assert best_plain.unframed == 0  # nothing to leave out
    off = ExtractiveGenerator(embedder, params=ExtractiveParams(reporting_words=False))
    assert not any(c.unframed for c in off.candidates(framed))
    # The floor share is the share of the question's other words: close to the plain question's.
    framed_share = best_framed.keyword + best_framed.unframed
    assert abs(framed_share - best_plain.keyword) < 0.15


def test_an_english_count_is_answered_only_where_what_it_counts_is_named(seed_assistant: Assistant) -> None:
    """The DOE budget outline states dollar amounts for its offices, and counts no research institutes:
    a figure there is not the count of institutes asked for."""
    ans = seed_assistant.ask(
        "How many research institutes will the Energy Department's FY2022 budget pay for?"
    )
    assert ans.refused, ans.answer
