"""Which part of a multi-part question a quote answers (``rag.answer.parts``), and the chain's
per-part answers over the seeds."""

from __future__ import annotations

import re

from rag.answer.citations import strip_markers
from rag.answer.citations.passages import PassageCache
from rag.answer.generators import Pick
from rag.answer.parts import PartResult, assign, own_groups, parallel_topic, says
from rag.answer.question import split_parts
from rag.assistant import Assistant
from rag.types import Hit


def test_own_words_are_those_no_other_part_has() -> None:
    own = own_groups(
        ["报告如何评价中国的研发税收优惠？", "外资安全审查又如何评价？"], translate=lambda _w: []
    )
    first = {t for g in own[0] for t in g}
    second = {t for g in own[1] for t in g}
    assert {"税收", "优惠"} <= first and "评价" not in first  # 评价 is both parts' word
    assert {"外资", "审查"} <= second and "评价" not in second
    assert not says(own[1], "知识产权盗窃 | 有害 | （利于中国企业的）研发税收优惠 | 中性")


def test_parallel_part_is_asked_with_the_part_befores_words_for_its_own_name() -> None:
    topic = parallel_topic(
        "how many does Germany run?", "How many supercomputers in the top list does the US run?"
    )
    assert topic is not None and "supercomputers" in topic and "US" not in topic
    # Another ask, or no name of its own: not parallel (an ordinary follow-up).
    assert parallel_topic("why does Germany run them?", "How many supercomputers does the US run?") is None
    assert parallel_topic("how many does it run?", "How many supercomputers does the US run?") is None
    assert parallel_topic("哪些国家呢？", "美国有多少台？") is None


def test_each_share_is_quoted_under_the_part_naming_its_country(seed_assistant: Assistant) -> None:
    """Both countries' battery shares sit in one passage: each part is answered by the sentence
    about its own country, whichever part's retrieval found it."""
    ans = seed_assistant.ask(
        "How much of the world's battery production capacity does China hold, and how much does the US hold?"
    )
    assert ans.parts is not None and len(ans.parts) == 2
    assert all(p["answered"] for p in ans.parts), ans.parts
    text = strip_markers(ans.answer)
    assert "75%" in text and "10%" in text


def _quote(assistant: Assistant, sentence: str) -> tuple[Pick, Hit]:
    """The seed sentence as the extractive generator picks it: its passage and sentence index."""
    hit = next(h for h in assistant.search(sentence, k=10) if sentence in h.chunk.text)
    info = PassageCache().get(hit.chunk)
    j = next(i for i in range(len(info.spans)) if sentence in info.sentence(i))
    return Pick(n=1, info=info, j=j, score=1.0), hit


def test_later_part_nothing_answered_is_given_only_a_sentence_saying_its_own_words(
    seed_assistant: Assistant,
) -> None:
    """ "中国拉萨的…又是多少？" was named missing by its own retrieval; the part before's Beijing
    sentence sits under the heading "中国城市硬科技创新排名" (says 中国, not 拉萨). It is not
    the later part's answer: that part stays missing, the sentence stays with the first part."""
    parts = ["美国的硬科技指数是多少？", "中国拉萨的硬科技指数又是多少？"]
    own = own_groups(parts, translate=lambda _w: [])
    beijing = _quote(seed_assistant, "北京硬科技指数为84.04")
    results = [PartResult(parts[0], parts[0], [beijing], None), PartResult(parts[1], parts[1], [], "missing")]
    out = assign(results, own, strict=[False, True], wants_figure=[True, True])
    assert out[1].picks == [] and out[1].why == "missing"
    assert out[0].picks == [beijing]


def test_sentence_naming_one_part_and_stating_the_others_figure_serves_both(
    seed_assistant: Assistant,
) -> None:
    """ "哪些城市处于第二梯队？它们的得分各是多少？": the sentence naming the second tier (the
    first part's words) states the scores the second part asks; it answers both parts rather
    than being moved to the first and leaving the figure part missing."""
    parts = ["哪些城市处于硬科技第二梯队？", "它们的得分各是多少？"]
    own = own_groups(parts, translate=lambda _w: [])
    tier = _quote(seed_assistant, "上海、深圳为第二梯队")
    beijing = _quote(seed_assistant, "北京硬科技指数为84.04")
    results = [PartResult(parts[0], parts[0], [beijing], None), PartResult(parts[1], parts[1], [tier], None)]
    out = assign(results, own, strict=[True, True], wants_figure=[False, True])
    assert tier in out[1].picks and out[1].why is None
    # Two parts asking a figure each (the US share, the China share): it is the first part's figure.
    both = assign(
        [PartResult(parts[0], parts[0], [beijing], None), PartResult(parts[1], parts[1], [tier], None)],
        own,
        strict=[True, True],
        wants_figure=[True, True],
    )
    assert both[1].picks == [] and both[1].why is not None


def _ends_with_quote_or_missing(ans_text: str, parts: list[dict]) -> None:
    """Every part ends either with a quote cited for it in the text or a missing line naming it."""
    for p in parts:
        if p["answered"]:
            assert p["citations"] and any(f"[{n}]" in ans_text for n in p["citations"]), p
        else:
            assert re.search(r"文件未提及：|The documents do not answer: ", ans_text), p
            assert p["question"] in ans_text, p


def test_each_part_is_answered_or_named_missing_in_the_final_text(seed_assistant: Assistant) -> None:
    """A per-item figure part ("分别得了多少分？") is answered by the sentence stating the scores;
    a later ellipsis part about a place the documents do not cover is named missing, not dropped."""
    ans = seed_assistant.ask("哪些城市处于硬科技第二梯队？分别得了多少分？")
    assert ans.parts is not None and len(ans.parts) == 2
    assert all(p["answered"] for p in ans.parts), ans.parts
    assert "50.48" in strip_markers(ans.answer)
    _ends_with_quote_or_missing(ans.answer, ans.parts)
    ans = seed_assistant.ask("韩国的晶圆产能全球占比是多少？中国大陆呢？西藏呢？")
    assert ans.parts is not None and len(ans.parts) >= 2
    assert ans.parts[0]["answered"] and not ans.parts[-1]["answered"], ans.parts
    _ends_with_quote_or_missing(ans.answer, ans.parts)


def test_places_asked_each_and_an_ellipsis_are_parts_of_their_own() -> None:
    """ "A和B…各/分别…" asks one question per place; "X呢？" is a question of its own; a single
    question (or "各国", no pair of places) is not split; ", and roughly how much" starts a part."""
    assert split_parts("英国和日本的研发强度目标分别是多少？加拿大又定了多少？") == [
        "英国的研发强度目标是多少？",
        "日本的研发强度目标是多少？",
        "加拿大又定了多少？",
    ]
    assert split_parts("杭州和成都的科技创新指数各是多少？") == [
        "杭州的科技创新指数是多少？",
        "成都的科技创新指数是多少？",
    ]
    assert split_parts("韓國的晶圓產能佔全球多少？西藏呢？") == ["韓國的晶圓產能佔全球多少？", "西藏呢？"]
    assert split_parts("各国的研发强度目标是多少？") == ["各国的研发强度目标是多少？"]
    assert split_parts("那西藏呢？") == ["那西藏呢？"]
    assert split_parts("How large is the fund, and approximately how many projects has it backed?") == [
        "How large is the fund?",
        "approximately how many projects has it backed?",
    ]


def test_later_part_about_another_place_is_named_missing_not_answered_with_the_first(
    seed_assistant: Assistant,
) -> None:
    """The later part carries the first part's subject into its query, so its retrieval finds the
    France/Germany sentence; it asks about 波兰, which that sentence does not name: named missing."""
    ans = seed_assistant.ask("法国和德国把可再生能源比重目标分别定在多少？波兰定的目标又是多少？")
    assert ans.parts is not None and len(ans.parts) == 3, ans.parts
    assert ans.parts[0]["answered"] and ans.parts[1]["answered"], ans.parts
    assert not ans.parts[2]["answered"], ans.parts
    text = strip_markers(ans.answer)
    assert "40%" in text and "65%" in text
    _ends_with_quote_or_missing(ans.answer, ans.parts)


def test_names_or_years_asked_each_and_a_bare_english_ask_are_parts_with_their_predicate() -> None:
    """ "A和B各/分别…" splits for any two names of one kind (organisations, years), not only places;
    "How many X and how many Y does Z have?" asks both with the predicate said once, at the end."""
    assert split_parts("2020年榜单里北京大学和清华大学各得多少分？") == [
        "2020年榜单里北京大学得多少分？",
        "2020年榜单里清华大学得多少分？",
    ]
    assert split_parts("该中心2021年和2023年分别获得多少拨款？") == [
        "该中心2021年获得多少拨款？",
        "该中心2023年获得多少拨款？",
    ]
    assert split_parts("各国2021年分别获得多少拨款？") == [
        "各国2021年分别获得多少拨款？"
    ]  # one year: one ask
    assert split_parts("How many patents and how many trademarks did the firm file in 2020?") == [
        "How many patents did the firm file in 2020?",
        "how many trademarks did the firm file in 2020?",
    ]


def test_missing_part_shares_a_quote_only_when_the_sentence_says_all_its_own_words(
    seed_assistant: Assistant,
) -> None:
    """The 中关村 sentence quoted for the count of new firms also says how active venture capital is
    there: the part asking that (its own words 风险投资/活跃/程度/仅次于, all in the sentence) shares
    it. A part asking about something the sentence does not say (风险投资的规模) stays missing."""
    zgc = _quote(seed_assistant, "每天在中关村新设立的科技企业超过50家")
    for second, answered in (
        ("它的风险投资活跃程度仅次于哪里？", True),
        ("它的风险投资规模仅次于哪里？", False),
    ):
        parts = ["中关村每天新设立的科技企业有多少家？", second]
        own = own_groups(parts, translate=lambda _w: [])
        results = [PartResult(parts[0], parts[0], [zgc], None), PartResult(second, second, [], "missing")]
        out = assign(results, own, strict=[True, True], wants_figure=[True, False])
        assert (out[1].picks == [zgc]) is answered, (second, out[1].picks)
        assert out[0].picks == [zgc]


def test_an_answered_part_also_cites_another_parts_sentence_saying_all_its_words(
    seed_assistant: Assistant,
) -> None:
    """The 中关村 sentence quoted for the count of new firms also says how active venture capital is
    there: the part asking that cites it even when its own retrieval quoted something else (which
    it keeps). A part whose words the sentence does not all say (风险投资的规模) is left as it was."""
    zgc = _quote(seed_assistant, "每天在中关村新设立的科技企业超过50家")
    beijing = _quote(seed_assistant, "北京硬科技指数为84.04")
    for second, shared in (
        ("它的风险投资活跃程度仅次于哪里？", True),
        ("它的风险投资规模仅次于哪里？", False),
    ):
        parts = ["中关村每天新设立的科技企业有多少家？", second]
        own = own_groups(parts, translate=lambda _w: [])
        results = [PartResult(parts[0], parts[0], [zgc], None), PartResult(second, second, [beijing], None)]
        out = assign(results, own, strict=[False, False], wants_figure=[True, False])
        assert (zgc in out[1].picks) is shared and beijing in out[1].picks, (second, out[1].picks)


def test_share_of_the_figure_before_is_read_from_the_part_befores_sentence(seed_assistant: Assistant) -> None:
    """ "…, and what share of total power generation was that?" asks the share of the figure the
    part before asked: the sentence stating that figure with its share answers it, not wind
    power's share that its own retrieval found."""
    ans = seed_assistant.ask(
        "How much electricity did China generate from new energy in 2018, "
        "and what share of total power generation was that?"
    )
    assert ans.parts is not None and len(ans.parts) == 2 and all(p["answered"] for p in ans.parts), ans.parts
    cited = {c.n: c.chunk_id for c in ans.citations}
    texts = {h.chunk.chunk_id: h.chunk.text for h in ans.passages}
    second = [texts[cited[n]] for n in ans.parts[1]["citations"] if n in cited]
    assert any("约占全社会发电量的13%" in t for t in second), second
    # A part before whose quotes state no share gives none: the later part keeps its own result.
    parts = ["中关村每天新设立的科技企业有多少家？", "占全国的比例是多少？"]
    zgc = _quote(seed_assistant, "截止到2019年，中关村有“独角兽”企业81家")
    results = [
        PartResult(parts[0], parts[0], [zgc], None),
        PartResult(parts[1], "中关村 占全国的比例是多少？", [], "x"),
    ]
    out = assign(
        results,
        own_groups(parts, translate=lambda _w: []),
        strict=[True, True],
        wants_figure=[True, True],
        slots=["count", "percentage"],
    )
    assert out[1].picks == [] and out[1].why == "x"


def test_a_share_alone_is_no_statement_of_the_figure_before(seed_assistant: Assistant) -> None:
    """The part before was answered with a sentence stating only a share (graduates' 80%): that is
    not the figure it asked with its share, so the later share part keeps its own quote."""
    parts = ["2021年我国自韩国进口了多少集成电路？", "两地合计占比多少？"]
    share_only = _quote(seed_assistant, "有超过 80%的集成电路相关专业的毕业生")
    imports = _quote(seed_assistant, "2021年自两地分别进口 1558.7 亿美元和 881.9 亿美元")
    results = [
        PartResult(parts[0], parts[0], [share_only], None),
        PartResult(parts[1], "2021年我国自韩国进口了集成电路 两地合计占比多少？", [imports], None),
    ]
    out = assign(
        results,
        own_groups(parts, translate=lambda _w: []),
        strict=[True, True],
        wants_figure=[True, True],
        slots=["amount", "percentage"],
    )
    assert out[1].picks == [imports]


def test_things_listed_before_fenbie_are_asked_one_by_one_when_each_has_a_figure() -> None:
    """ "A、B和C分别排第几？" asks each thing's rank; what the first thing belongs to (基金的) and the
    clause before the list stay with each part. Asked how (分别怎么做), one passage usually says it
    for all of them: one question."""
    assert split_parts("我国专利申请量、商标注册量和版权登记量分别排在世界第几？") == [
        "我国专利申请量排在世界第几？",
        "商标注册量排在世界第几？",
        "版权登记量排在世界第几？",
    ]
    assert split_parts("据报告，基金的规模和期限分别是多少？") == [
        "据报告，基金的规模是多少？",
        "据报告，基金的期限是多少？",
    ]
    assert split_parts("欧洲市场和日本市场的占有率分别是多少？") == [
        "欧洲市场的占有率是多少？",
        "日本市场的占有率是多少？",
    ]
    assert split_parts("报告对芯片和电池分别提出了什么建议？") == ["报告对芯片和电池分别提出了什么建议？"]
