"""Cleaning: each rule on real seed lines, then invariants of ``clean()`` over all five seeds.

Line numbers in comments refer to /work/shared/CORPUS.md (1-based raw-file lines).
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from pathlib import Path

import pytest

from rag.ingest.cleaning import (
    Block,
    CleanedDocument,
    Layout,
    clean,
    detect_layout,
    ends_sentence,
    finish_block,
    line_blocks,
    markdown_levels,
    normalize_chars,
    normalize_number_spacing,
    reflow_blocks,
    reflow_heading_level,
    remove_boilerplate,
    remove_chart_debris,
    remove_cover_page,
    remove_footnotes,
    remove_repeated_lines,
    remove_toc,
    render_table,
    running_header_title,
    strip_markup,
)
from rag.ingest.loaders import load_path
from rag.ingest.offsets import MappedText
from rag.types import Document

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))

PDF_MARKS = Layout(reflow=True, spacer=True, marks=True, width=60)  # 001's text layer
PDF_PLAIN = Layout(reflow=True, spacer=True, marks=False, width=84)  # 002's text layer


def mt(text: str) -> MappedText:
    return MappedText.of(text)


def doc_of(text: str, source: str = "t.txt") -> Document:
    return Document(doc_id="t", source=source, text=text)


def texts(blocks: list[Block]) -> list[str]:
    return [b.text.text for b in (finish_block(b) for b in blocks) if b is not None]


def assert_mapped(original: str, piece: MappedText) -> None:
    """Every character is the original one, a known normalisation, or inserted whitespace."""
    allowed = {("‚", "“"), ("‛", "”"), ("％", "%"), ("－", "-"), ("硏", "研"), ("干", "千"), ("\t", "|")}
    for ch, o in zip(piece.text, piece.origin, strict=True):
        src = original[o]
        assert src == ch or (src, ch) in allowed or ch in " \n", (ch, src, piece.text)


# --- character and number normalisation --------------------------------------------------


def test_normalize_chars_same_length() -> None:
    # 001 l.51, 002 l.1954, l.1950, l.2027, 001 l.1302
    src = "很多‚卡脖子‛技术问题 | 10.4％ | 5000亿干瓦时 | 硏发资金 | 2021－2025 年"
    out = normalize_chars(mt(src))
    assert out.text == "很多“卡脖子”技术问题 | 10.4% | 5000亿千瓦时 | 研发资金 | 2021-2025 年"
    assert out.origin == tuple(range(len(src)))


def test_crlf_is_read_like_lf() -> None:
    text = seed_text("004_2f977091897462c0.txt")
    lf = clean(doc_of(text))
    crlf = clean(doc_of(text.replace("\n", "\r\n")))
    assert [b.text.text for b in crlf.blocks] == [b.text.text for b in lf.blocks]
    assert_mapped(text.replace("\n", "\r\n"), crlf.blocks[5].text)


def test_normalize_number_spacing() -> None:
    cases = {
        "2021 年 5 月 28 日，在中国科学院": "2021年5月28日，在中国科学院",  # 001 l.25
        "2022年 4月 15 日，广东省委书记": "2022年4月15日，广东省委书记",  # 001 l.55/57 after the join
        "6 月 8 日，美国参议院以 68 票赞成": "6月8日，美国参议院以 68 票赞成",  # 004 l.78
        "2022 年 5.35亿卢布": "2022年 5.35亿卢布",  # 004 l.460: 5.35 is not a month
        "8 日本 21.0": "8 日本 21.0",  # 002 l.2379: a table row, not a day
        "12 个月内最多资助 12 项": "12 个月内最多资助 12 项",
    }
    for src, want in cases.items():
        out = normalize_number_spacing(mt(src))
        assert out.text == want
        assert_mapped(src, out)


def test_ends_sentence() -> None:
    assert ends_sentence("原创成果。‛") and ends_sentence("意义。”") and ends_sentence("如下：")
    assert not ends_sentence("完善尽职免责规范") and not ends_sentence("（王贻芳，中国科学院院士）")


# --- layout ---------------------------------------------------------------------------------


@cache
def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def test_detect_layout_per_seed() -> None:
    l001 = detect_layout(seed_text("001_6339d00eea488fd2.txt"))
    l002 = detect_layout(seed_text("002_a935e4fe392ee53f.txt"))
    assert l001.reflow and l001.spacer and l001.marks
    assert l002.reflow and l002.spacer and not l002.marks and 70 <= l002.width <= 90
    for name in ("000_d56512941d572a28.txt", "003_2e75dc72019db59a.txt", "004_2f977091897462c0.txt"):
        assert not detect_layout(seed_text(name)).reflow, name


# --- line removals ----------------------------------------------------------------------------

FOOTNOTE_004 = (  # l.458-468: a page-bottom footnote splits "5.35" from "亿卢布"
    "俄罗斯科学与高等教育部设立专门的选拔委员会，负责：审查和评估参赛申请。\n\n"
    "2021 年将拨款 3.15 亿卢布（约合 2786 万元人民币），2022 年 5.35\n\n---\n\n"
    "<sup>11</sup> Правительство утвердило правила предоставления грантов. <http://government.ru/docs/42515/>\n\n\n\n"
    "亿卢布（约合 4732 万元人民币），2023 年 7.56 亿卢布（约合 6687 万元人民币）。（贾晓琪）\n"
)


def test_remove_footnotes_and_rejoin() -> None:
    out = remove_footnotes(mt(FOOTNOTE_004))
    assert "<sup>" not in out.text and "---" not in out.text and "government.ru" not in out.text
    paras = texts(line_blocks(out))
    assert paras[1].startswith("2021年将拨款 3.15 亿卢布") and "2022年 5.35亿卢布（约合 4732" in paras[1]
    assert_mapped(FOOTNOTE_004, line_blocks(out)[1].text)


def test_footnote_in_a_table_and_continuation_row() -> None:
    src = (  # 004 l.286-295 (footnote between two rows) and l.347-351 (a cell split by the page break)
        "供应链环节\t评估\n"
        "装配、测试、\t严重依赖亚洲的资源进行后端封装；无法发展具有重大技\n\n"
        "<sup>7</sup> Building Resilient Supply Chains. <https://www.whitehouse.gov/x.pdf>\n\n"
        "封装和高级封装\t术进步潜力的高级封装行业，而中国有潜力颠覆市场\n"
        "1\t促进本地生产，促进国际合作：④授权美国食品药品监督管理局（FDA）收集关键新数据，透明化供\n\n"
        "\t应链，以识别和降低风险\n"
        "2\t应急能力建设。\n"
    )
    blocks = [b for b in (finish_block(b) for b in line_blocks(remove_footnotes(mt(src)))) if b]
    assert [b.kind for b in blocks] == ["table"]
    rows = blocks[0].text.text.split("\n")
    assert rows[0] == "供应链环节 | 评估"
    assert rows[2] == "封装和高级封装 | 术进步潜力的高级封装行业，而中国有潜力颠覆市场"
    assert rows[3].endswith("收集关键新数据，透明化供应链，以识别和降低风险")
    assert rows[4] == "2 | 应急能力建设。"
    assert_mapped(src, blocks[0].text)


def test_remove_toc() -> None:
    src = (  # 004 l.12-35 (本期要目 bullets and the dotted-leader TOC) then the body
        "## 本期要目\n\n- 《2021年美国创新与竞争法案》瞄准对华科技竞争\n- 日本发布半导体和数字产业发展战略\n\n"
        "2021年  \n总第086期 第08期\n\n# 目 录\n\n## 专题评述\n\n"
        "《2021 年美国创新与竞争法案》瞄准对华科技竞争 .....\t1\n---------------------------------\t---\n\n"
        "## 战略规划\n\n日本发布半导体和数字产业发展战略 .....\t4\n"
        "韩国制定《第五次国家标准基本计划 2021~2025》 .....\t7\n\n"
        "## 专题评述\n\n### 《2021 年美国创新与竞争法案》瞄准对华科技竞争\n\n6 月 8 日，美国参议院投票通过。\n"
    )
    out = remove_toc(mt(src)).text
    assert "本期要目" not in out and "目 录" not in out and "....." not in out and "\t---" not in out
    assert "- 日本发布" not in out and "## 战略规划" not in out
    assert out.startswith("\n2021年  \n总第086期 第08期")
    assert "## 专题评述\n\n### 《2021 年美国创新与竞争法案》" in out and "投票通过" in out


def test_remove_boilerplate_contacts_and_disclaimers() -> None:
    src = (  # 003 l.61-66 and 002 l.4609-4621
        "2023年1月\n\n"
        "以上資料由香港中華廠商聯合會秘書處編寫，內容僅供內部參考；如有任何查詢，請聯絡政策研究部。\n"
        "電話：2542 8611；傳真：3421 1092；電郵：research@cma.org.hk\n\n"
        "附件：《香港創新科技藍圖》要點摘要\n\n80\n\n"
        "亿欧智库 www.iyiou.com/intelligence\n\n网址：www.iyiou.com/intelligence\n\n邮箱：zk@iyiou.com\n\n"
        "电话：010-57293241\n\n地址：北京市朝阳区霞光里9号中电发展大厦A座10层\n"
    )
    out = remove_boilerplate(mt(src)).text
    assert [s for s in out.split("\n") if s] == ["2023年1月", "附件：《香港創新科技藍圖》要點摘要", "80"]


def test_remove_boilerplate_subscription_footer() -> None:
    src = (  # 000 l.26-36
        "內地經常指要發展科技創新，「強化國家戰略科技力量」這個目標，中央更加是多番強調。\n\n\n---\n\n\n"
        "請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊 。\n\n"
        "月費訂戶 [網址：hkcnews.com/aboutus/#subscribe](/web/20210729084656/https://www.hkcnews.com/aboutus/#subscribe)"
    )
    assert (
        remove_boilerplate(mt(src)).text.strip()
        == "內地經常指要發展科技創新，「強化國家戰略科技力量」這個目標，中央更加是多番強調。"
    )


def test_remove_boilerplate_back_matter() -> None:
    body = "\n\n".join(
        f"## 第{i}篇\n\n" + "该法案凝聚了两党共识，可谓美国未来对华全面竞争的基本大法。" * 3
        for i in range(12)
    )
    tail = (  # 004 l.805-848, shortened
        "\n\n# 中国科学院科技战略咨询研究院\n\n## 科技动态类产品系列简介\n\n### 《科技前沿快报》：\n\n聚焦国内外基础学科。\n\n"
        "# 科技政策与咨询快报\n\n主 办：中国科学院发展规划局\n\n---\n\n## 专家组（按姓氏笔画排序）\n\n王 毅 王恩哥  \n\n"
        "## 编辑部\n\n主 任：刘 清\n\n地 址：北京市中关村北四环西路 33 号，100190\n\n邮 箱：lihong@casisd.cn\n"
    )
    out = remove_boilerplate(mt(body + tail)).text
    assert (
        out.rstrip().endswith("基本大法。")
        and "编辑部" not in out
        and "中国科学院科技战略咨询研究院" not in out
    )


def test_remove_cover_page_001() -> None:
    text = seed_text("001_6339d00eea488fd2.txt")
    out, cover_title = remove_cover_page(mt(text))
    assert cover_title == "用，加快解决“卡脖子”问题的提案"
    assert out.text.startswith(" 关键核心技术是国之重器") and "◆" not in out.text
    assert out.origin[0] == text.index(" 关键核心技术是国之重器")
    # Without duplicates in the body the first page is real content and stays.
    fake = "标题\n\n◆ 甲乙丙丁\n\n◆ 戊己庚辛\n\n◆ 壬癸子丑\n 正文开始。\n"
    assert remove_cover_page(mt(fake))[0].text == fake


def test_running_headers_and_repeated_lines() -> None:
    page = "…正文第{n}页的内容，写满了一整行文字。\n\n{n}\n\n2020中国硬科技创新白皮书\n\nChina's Key & Core Technology Innovation 2020 Whitepaper\n\n"
    src = "".join(page.format(n=n) for n in (17, 32, 50, 69))
    assert running_header_title(src) == "2020中国硬科技创新白皮书"
    out = remove_repeated_lines(mt(src)).text
    assert "白皮书" not in out and "Whitepaper" not in out and out.count("正文第") == 4
    table = (  # 001 l.386-388 and the repeat at l.503 / l.711: kept under the caption only
        " 表 1：广东部分地市解决技术“卡脖子”问题相关政策文件 \n\n地区 时间 文件 主要内容 \n\n广\n\n"
        + "完善\n\n地区 时间 文件 主要内容 \n\n" * 3
    )
    assert remove_repeated_lines(mt(table)).text.count("地区 时间 文件 主要内容") == 1


def test_remove_chart_debris_002() -> None:
    src = (  # 002 l.571-614 (axis ticks), l.2620-2628 (vertical text), l.1935-1937 (a real wrap tail)
        "加值产品方面存在较大的技术壁垒。中国制造业仍位于价值链的中低端地位，附加值率较低，\n\n"
        "且抗风险能力有待提高，产业结构调整、敏捷性提升成为中国经济发展的驱动力。\n\n"
        "2010 2011 2012 2013 2014 2015 2016 2017 2018\n\n6,000\n\n0\n\n1,000\n\n6,560 6,539\n\n"
        "德国中国 新加坡日本法国 韩国 美国\n\n亿欧智库：全球主要国家高科技出口额（单位：亿美元）\n\n"
        " 城\n市\n硬\n科\n技\n\n一级指标 序号 二级指标 数据来源\n\n科研人才\n指数\n\n17\n\n"
        "达到4.17亿千瓦，约占总装机容量22%。新能源发电0.9万亿千瓦时，约占全社会发电量的\n\n13%。\n"
    )
    kept = [s for s in remove_chart_debris(mt(src), PDF_PLAIN).text.split("\n") if s.strip()]
    assert kept == [
        "加值产品方面存在较大的技术壁垒。中国制造业仍位于价值链的中低端地位，附加值率较低，",
        "且抗风险能力有待提高，产业结构调整、敏捷性提升成为中国经济发展的驱动力。",
        "德国中国 新加坡日本法国 韩国 美国",
        "亿欧智库：全球主要国家高科技出口额（单位：亿美元）",
        "一级指标 序号 二级指标 数据来源",
        "科研人才",
        "达到4.17亿千瓦，约占总装机容量22%。新能源发电0.9万亿千瓦时，约占全社会发电量的",
        "13%。",
    ]


def test_chart_debris_keeps_cell_fragments_with_paragraph_marks() -> None:
    src = "地区 时间 文件 主要内容 \n\n广\n\n州 \n\n2021 年 3\n\n月 10 日 \n"  # 001 l.388-396
    assert remove_chart_debris(mt(src), PDF_MARKS).text == src
    # 002 l.457/459: "机等" finishes a narrow bullet box, so it is not debris either.
    box = "• 子行业：火箭、卫星、空间站、航天飞\n\n机等\n\n• 信息通信设备\n"
    assert remove_chart_debris(mt(box), PDF_PLAIN).text == box


# --- inline markup ----------------------------------------------------------------------------


def test_strip_markup() -> None:
    cases = {
        # 000 l.23
        '{{< video src="https://web.archive.org/web/2021if_/https://www.youtube.com/embed/LP6m-Kje1nY" >}}': "",
        # 004 l.78, l.148
        "投票通过《2021 年美国创新与竞争法案》（S.1260）<sup>1</sup>，旨在": "投票通过《2021 年美国创新与竞争法案》（S.1260），旨在",
        "研发一批新型创新材料（SiC、GaN、Ga<sub>2</sub>O<sub>3</sub>）。": "研发一批新型创新材料（SiC、GaN、Ga2O3）。",
        "**1、定位于基础性产业,作为国家重要事业。**数字化是经济活动的基础": "1、定位于基础性产业,作为国家重要事业。数字化是经济活动的基础",
        # 003 l.116 (a table cell with HTML and ➢ bullets)
        '<ul style="list-style-type: none"> ➢ 增加創科土地及提升基建配套 ➢ 引進龍頭企業\t下一格': " 增加創科土地及提升基建配套 引進龍頭企業\t下一格",
        # 000 l.36 and 004 l.90
        "月費訂戶 [網址：hkcnews.com/aboutus/#subscribe](/web/2021/https://www.hkcnews.com/aboutus/#subscribe)": "月費訂戶 網址：hkcnews.com/aboutus/#subscribe",
        "S.1260 - Act of 2021. <https://www.congress.gov/bill/117th-congress/senate-bill/1260/text>": "S.1260 - Act of 2021. ",
        "[https://www8.cao.go.jp/x.pdf](https://www8.cao.go.jp/x.pdf)": "",
    }
    for src, want in cases.items():
        out = strip_markup(mt(src))
        assert out.text == want
        assert_mapped(src, out)


# --- reflow (PDF layout) ----------------------------------------------------------------------

INTRO_001 = (  # l.51-61, spacer lines and trailing spaces as in the file
    "我国面临的很多‚卡脖子‛技术问题，根子是基础理论研究跟不\n\n上。2018 年，广东在国内率先出台《关于加强基础与应用基础研究\n\n"
    "的若干意见》。目前，广东正推进基础研究十年‚卓粤‛计划。2022\n\n年 4月 15 日，广东省委书记李希在全省科技创新大会上强调：‚强化\n\n"
    "源头供给，进一步加大对基础研究的长期稳定支持，创造更多‘从 0\n\n到 1’的原创成果。‛  \n\n【政策】 \n\n"
    "\uf075 中央相关政策文件 \n"
)


def test_reflow_joins_wraps_and_dates_001() -> None:
    src = normalize_chars(mt(INTRO_001))
    blocks = [b for b in (finish_block(b) for b in reflow_blocks(src, PDF_MARKS)) if b]
    assert [(b.kind, b.level) for b in blocks] == [("paragraph", 0), ("heading", 1), ("heading", 2)]
    para = blocks[0].text.text
    assert para.startswith("我国面临的很多“卡脖子”技术问题，根子是基础理论研究跟不上。2018年，")
    assert "2022年4月15日，广东省委书记" in para and "‘从 0到 1’的原创成果。”" in para
    assert "\n" not in para
    assert [b.text.text for b in blocks[1:]] == ["【政策】", "中央相关政策文件"]
    for b in blocks:
        assert_mapped(INTRO_001, b.text)


def test_reflow_page_join_and_table_cells_001() -> None:
    src = (  # l.122-131 (page join " 和细则。") and l.386-398 (table cells one fragment per line)
        "规范。坚决破除成果评价中的“四唯”问题。完善科技成果评价激励\n\n和免责机制，建立成果评价与转化行为负面清单，完善尽职免责规范\n"
        " 和细则。 \n\n（4）教育部 财政部 国家发展改革委印发《关于深入推进世界\n\n一流大学和一流学科建设的若干意见》（教研〔2022〕1 号） \n\n"
        " 表 1：广东部分地市解决技术‚卡脖子‛问题相关政策文件 \n\n地区 时间 文件 主要内容 \n\n广\n\n州 \n\n2021 年 3\n\n月 10 日 \n\n"
        "广州市科学技术\n\n局发布《广州市重\n\n点领域研发计划\n\n揭榜挂帅制技术\n\n攻关项目试点工\n\n作方案（试行）》 \n"
    )
    got = texts(reflow_blocks(normalize_chars(mt(src)), PDF_MARKS))
    assert got == [
        "规范。坚决破除成果评价中的“四唯”问题。完善科技成果评价激励和免责机制，建立成果评价与转化行为负面清单，完善尽职免责规范和细则。",
        "（4）教育部 财政部 国家发展改革委印发《关于深入推进世界一流大学和一流学科建设的若干意见》（教研〔2022〕1 号）",
        "表 1：广东部分地市解决技术“卡脖子”问题相关政策文件",
        "地区 时间 文件 主要内容",
        "广州",
        "2021年3月10日",
        "广州市科学技术局发布《广州市重点领域研发计划揭榜挂帅制技术攻关项目试点工作方案（试行）》",
    ]


def test_reflow_numbers_split_across_lines_001() -> None:
    src = (  # l.545-551: "200" / "万元奖励"
        "省级认定的，分别给予最高 500 万元、200\n\n万元奖励；以第一完成单位获得国家和省科\n\n"
        "学技术奖等奖项的，按奖励等级最高给予\n\n1000 万元奖励。 \n"
    )
    assert texts(reflow_blocks(mt(src), PDF_MARKS)) == [
        "省级认定的，分别给予最高 500 万元、200万元奖励；以第一完成单位获得国家和省科学技术奖等奖项的，按奖励等级最高给予1000 万元奖励。"
    ]


def test_reflow_002_latin_words_bullets_and_rows() -> None:
    src = (  # l.771-775, l.477-488 (bullet box, then a page join), l.790-798 (a flattened table)
        "以自然指数为例，中国已成为高质量科研成果产出的强国。2020年4月30日，Nature\n\n"
        "Index公布了2020年自然指数年度榜单，该榜单展示了不同国家和科研机构在自然科学领域高\n\n"
        "质量科研产出情况。\n\n"
        "• 新能源\n\n• 子行业：太阳能、核能、风能、生物\n\n质能等\n\n• 节能环保\n\n• 子行业：废物处理、资源循环利用等\n"
        " 2020年1月，全国科技工作会议在京召开，并部署了2020年的工作。2020年，中国科技\n\n工作的重心将会放在十个方面：\n\n"
        "多，达到创纪录的154万件，占全球总量的46.4%。排在中国之后的是美国、日本、韩国和欧\n\n洲专利局。\n\n"
        "机构 2019年得分 2019年发表数量\n\n中国科学院 1805.22 5480\n\n哈佛大学 925.15 2577\n"
    )
    blocks = reflow_blocks(mt(src), PDF_PLAIN)
    assert texts(blocks) == [
        "以自然指数为例，中国已成为高质量科研成果产出的强国。2020年4月30日，Nature Index公布了2020年自然指数年度榜单，"
        "该榜单展示了不同国家和科研机构在自然科学领域高质量科研产出情况。",
        "新能源",
        "子行业：太阳能、核能、风能、生物质能等",
        "节能环保",
        "子行业：废物处理、资源循环利用等",
        "2020年1月，全国科技工作会议在京召开，并部署了2020年的工作。2020年，中国科技工作的重心将会放在十个方面：",
        "多，达到创纪录的154万件，占全球总量的46.4%。排在中国之后的是美国、日本、韩国和欧洲专利局。",
        "机构 2019年得分 2019年发表数量\n中国科学院 1805.22 5480\n哈佛大学 925.15 2577",
    ]


def test_reflow_heading_levels() -> None:
    assert reflow_heading_level("【政策】", True, PDF_MARKS) == 1
    assert reflow_heading_level("\uf075 中央相关政策文件", True, PDF_MARKS) == 2
    assert reflow_heading_level("\uf0d8 上海如何集聚和发展壮大张江“芯”力量", True, PDF_MARKS) == 3
    assert reflow_heading_level("前言", False, PDF_PLAIN) == 1
    assert reflow_heading_level("一、硬科技发展现状", False, PDF_PLAIN) == 1
    assert reflow_heading_level("1.1 中国硬科技发展概况", False, PDF_PLAIN) == 2
    assert reflow_heading_level("2.3.10 节能环保", False, PDF_PLAIN) == 3
    assert reflow_heading_level("1）各地政府率先布局", False, PDF_PLAIN) == 4
    assert reflow_heading_level("附录：城市硬科技指数评价指标的建立", False, PDF_PLAIN) == 1
    # Not headings: a chart value glued to a label, a wrapped list item, a long U+F0D8 bullet.
    assert reflow_heading_level("98.6通信设备", False, PDF_PLAIN) == 0
    assert reflow_heading_level("一、统筹推进研发任务部署，强化关键", False, PDF_PLAIN) == 0
    bullet = "\uf0d8 颠覆性：“硬科技”可以是经过长期研发、持续积累形成的高精尖原创技术，也可指某"
    assert reflow_heading_level(bullet, False, PDF_PLAIN) == 0


def test_reflow_wrapped_list_item_is_not_a_chapter() -> None:
    src = "六、构建优势互补高质量发展的区域创\n\n新布局，增强地方创新发展水平。\n\n四、加快新技术新成果转化应用，培育\n\n壮大新动能。\n"
    blocks = [b for b in (finish_block(b) for b in reflow_blocks(mt(src), PDF_PLAIN)) if b]
    assert [(b.kind, b.text.text) for b in blocks] == [
        ("paragraph", "六、构建优势互补高质量发展的区域创新布局，增强地方创新发展水平。"),
        ("paragraph", "四、加快新技术新成果转化应用，培育壮大新动能。"),
    ]


# --- line layout (markdown / web text) --------------------------------------------------------


def test_markdown_levels_normalised_when_inconsistent() -> None:
    heads_004 = [
        (1, "科技政策与咨询快报"),
        (2, "专题评述"),
        (3, "《2021 年美国创新与竞争法案》瞄准对华科技竞争"),
        (4, "一、《2021 年战略竞争法案》"),
        (2, "二、《无尽前沿法案》"),
        (5, "1、半导体产业"),
        (2, "2、数字产业"),
        (2, "韩国制定《第五次国家标准基本计划 2021~2025》"),
        (3, "三、投资 11 亿美元建立先进气候研究计划署（ARPA-C）"),
    ]
    assert markdown_levels(heads_004) == [1, 1, 2, 3, 3, 4, 4, 2, 3]
    consistent = [(1, "Title"), (2, "一、背景"), (3, "1、细节"), (2, "二、结论")]
    assert markdown_levels(consistent) == [1, 2, 3, 2]


def test_line_blocks_plain_headings_lists_and_split_paragraphs_003() -> None:
    src = (  # 003 l.5-9, l.47-51, l.61, l.66-73
        "\n\n香港創新科技發展藍圖：綱舉目張\n\n「藍圖」是香港近半年來大行其道的熱詞。\n\n規劃為發展、施政定方向\n\n"
        "基於這一定位，「藍圖」就深化與內地創科合作以及拓展環球創科合作均提出\n\n"
        "了一系列的具體策略。前者包括推行更多措施促進創新要素跨境流動。\n\n全盤工業政策還需努力\n\n2023年1月\n\n"
        "附件：《香港創新科技藍圖》要點摘要\n\nA. 藍圖願景：發展香港成為「國際創新科技中心」\n\n"
        "- 發展多元經濟\n- 創造優質職位\n - 提升生活質素\n"
    )
    blocks = [b for b in (finish_block(b) for b in line_blocks(mt(src))) if b]
    assert [(b.kind, b.level, b.text.text) for b in blocks] == [
        ("heading", 1, "香港創新科技發展藍圖：綱舉目張"),
        ("paragraph", 0, "「藍圖」是香港近半年來大行其道的熱詞。"),
        ("heading", 2, "規劃為發展、施政定方向"),
        (
            "paragraph",
            0,
            "基於這一定位，「藍圖」就深化與內地創科合作以及拓展環球創科合作均提出了一系列的具體策略。前者包括推行更多措施促進創新要素跨境流動。",
        ),
        ("heading", 2, "全盤工業政策還需努力"),
        ("paragraph", 0, "2023年1月"),
        ("heading", 2, "附件：《香港創新科技藍圖》要點摘要"),
        ("heading", 3, "A. 藍圖願景：發展香港成為「國際創新科技中心」"),
        ("paragraph", 0, "發展多元經濟\n創造優質職位\n提升生活質素"),
    ]


def test_render_table_003() -> None:
    src = (  # 003 l.141-143: empty cells and trailing tabs
        "發展願景\t\t2016 (2014 年數字)\t2022 (2020 年數字)\n1. 研發\t\t\t\t\t\n"
        "1.1\t本地研發總開支相對本地生產總值的比率\t0.74% (167.27 億港元)\t0.99% (265.54 億港元)"
    )
    out = render_table(mt(src))
    assert out.text.split("\n") == [
        "發展願景 | 2016 (2014 年數字) | 2022 (2020 年數字)",
        "1. 研發",
        "1.1 | 本地研發總開支相對本地生產總值的比率 | 0.74% (167.27 億港元) | 0.99% (265.54 億港元)",
    ]
    assert_mapped(src, out)


def test_clean_small_markdown_document() -> None:
    text = (  # 004 l.649-651 under a front matter block
        "---\ntitle: 测试\n---\n\n# 科技投入\n\n### 拜登政府公布 2022 财年能源部 462 亿美元预算纲要\n\n"
        "5 月 28 日，美国总统拜登公布了 2022 财年美国能源部（DOE）462 亿美元预算纲要<sup>17</sup>，较 2021 年预算上调了 23%。\n"
    )
    cleaned = clean(doc_of(text))  # no skip_spans given: front matter is still found
    assert cleaned.title == "测试"
    assert [(b.kind, b.level) for b in cleaned.blocks] == [("heading", 1), ("heading", 3), ("paragraph", 0)]
    assert cleaned.blocks[2].text.text.startswith("5月28日，美国总统拜登")
    assert "<sup>" not in cleaned.blocks[2].text.text
    assert all(b.text.origin[0] >= text.index("# 科技") for b in cleaned.blocks)


def test_clean_empty_document() -> None:
    cleaned = clean(doc_of("\n\n  \n", source="dir/empty.md"))
    assert cleaned == CleanedDocument("empty", [])


# --- the five seeds ---------------------------------------------------------------------------


@cache
def cleaned_seed(name: str) -> tuple[Document, CleanedDocument]:
    doc = load_path(SEEDS / name, SEEDS)
    return doc, clean(doc)


def seed_flat(name: str) -> str:
    return "\n".join(b.text.text for b in cleaned_seed(name)[1].blocks)


def squash(s: str) -> str:
    return "".join(s.split())


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_blocks_point_into_the_original(name: str) -> None:
    doc, cleaned = cleaned_seed(name)
    assert cleaned.blocks
    for b in cleaned.blocks:
        assert b.kind in ("heading", "paragraph", "table")
        assert (b.level >= 1) == (b.kind == "heading")
        assert_mapped(doc.text, b.text)
        assert all(x <= y for x, y in zip(b.text.origin, b.text.origin[1:], strict=False)), b.text.text[:40]
        for bad in ("<sup>", "</sub>", "{{<", "\n\n", "‚", "‛", "％", "\uf075", "\uf0d8", "**", "](", "➢"):
            assert bad not in b.text.text, (bad, b.text.text[:60])
        assert b.text.text == b.text.text.strip()
        for s, e in doc.skip_spans:
            assert not any(s <= o < e for o in b.text.origin)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_script_never_converted(name: str) -> None:
    """Every CJK character of the output already occurs in the original (no t2s / s2t folding)."""
    doc, _ = cleaned_seed(name)
    extra = set(re.findall(r"[\u4e00-\u9fff]", seed_flat(name))) - set(doc.text)
    assert extra <= {"研", "千"}, extra


def test_seed_000() -> None:
    doc, cleaned = cleaned_seed("000_d56512941d572a28.txt")
    assert cleaned.title == "【兩會焦點】內地要發展科技創新\u3000成果點量化？"
    assert [(b.kind, b.level) for b in cleaned.blocks] == [("heading", 1), ("paragraph", 0), ("paragraph", 0)]
    flat = seed_flat("000_d56512941d572a28.txt")
    assert "兩會" in flat and "創新" in flat and "內卷化" in flat
    for gone in ("video", "訂戶", "hkcnews", "title:", "創新科技署"):
        assert gone not in flat


def test_seed_001() -> None:
    _, cleaned = cleaned_seed("001_6339d00eea488fd2.txt")
    flat = seed_flat("001_6339d00eea488fd2.txt")
    assert cleaned.title == "加快解决“卡脖子”问题的提案"
    assert "年4月15日" in flat and "2021年5月28日" in flat
    assert "◆" not in flat and flat.count("紧锣密鼓加快按程序推进") == 1  # cover summary dropped
    assert cleaned.blocks[0].text.text.startswith("关键核心技术是国之重器，对破解“卡脖子”难题")
    heads = [(b.level, b.text.text) for b in cleaned.blocks if b.kind == "heading"]
    assert (1, "【政策】") in heads and (1, "【工作动态】") in heads
    assert (2, "中央相关政策文件") in heads and (3, "上海如何集聚和发展壮大张江“芯”力量") in heads
    assert sum(lv == 2 for lv, _ in heads) == 26 and sum(lv == 3 for lv, _ in heads) == 4
    assert "完善尽职免责规范和细则。" in flat and "200万元奖励" in flat


def test_seed_002() -> None:
    _, cleaned = cleaned_seed("002_a935e4fe392ee53f.txt")
    flat = seed_flat("002_a935e4fe392ee53f.txt")
    assert cleaned.title == "2020中国硬科技创新白皮书"
    assert "Whitepaper" not in flat and "2020中国硬科技创新白皮书" not in flat
    assert not re.search(r"(?m)^\d+$", flat)  # no bare page numbers or axis ticks
    assert "iyiou" not in flat and "霞光里" not in flat
    assert "千瓦时" in flat and "干瓦时" not in flat and "硏" not in flat
    heads = {b.text.text: b.level for b in cleaned.blocks if b.kind == "heading"}
    assert heads["前言"] == 1 and heads["一、硬科技发展现状"] == 1
    assert heads["1.1 中国硬科技发展概况"] == 2 and heads["2.3.10 节能环保"] == 3
    assert "Nature Index公布了" in flat and "上限1.2万美元" in flat and "2019年11月3日习近平" in flat


def test_seed_003() -> None:
    _, cleaned = cleaned_seed("003_2e75dc72019db59a.txt")
    flat = seed_flat("003_2e75dc72019db59a.txt")
    assert cleaned.title == "香港創新科技發展藍圖：綱舉目張"
    heads = [(b.level, b.text.text) for b in cleaned.blocks if b.kind == "heading"]
    assert (2, "規劃為發展、施政定方向") in heads and (2, "全盤工業政策還需努力") in heads
    assert (3, "E. 發展願景參考指標") in heads
    tables = [b.text.text for b in cleaned.blocks if b.kind == "table"]
    assert len(tables) == 2 and "<ul" not in flat and "research@cma.org.hk" not in flat
    assert "1.1 | 本地研發總開支相對本地生產總值的比率 | 0.74% (167.27 億港元)" in tables[1]
    assert "均提出了一系列的具體策略" in flat  # l.47/49 re-joined


def test_seed_004() -> None:
    _, cleaned = cleaned_seed("004_2f977091897462c0.txt")
    flat = seed_flat("004_2f977091897462c0.txt")
    assert cleaned.title == "科技政策与咨询快报"
    assert "5.35亿卢布" in flat or "5.35 亿卢布" in flat
    assert "摆脱对中国 ICT产品的依赖" in flat
    for gone in ("本期要目", ".....", "<sup>", "http", "编辑部", "王恩哥", "Ga<sub>"):
        assert gone not in flat
    assert "Ga2O3" in flat
    heads = {b.text.text: b.level for b in cleaned.blocks if b.kind == "heading"}
    assert heads["专题评述"] == 1 and heads["日本发布半导体和数字产业发展战略"] == 2
    assert heads["二、《无尽前沿法案》"] == 3 and heads["1、半导体产业"] == 4
    assert heads["三、投资 11 亿美元建立先进气候研究计划署（ARPA-C）"] == 3
    assert sum(b.kind == "table" for b in cleaned.blocks) == 10


EVIDENCE = {  # distinctive facts per seed: a cleaner that drops real content fails here
    "000_d56512941d572a28.txt": ["前年衝破2萬億元", "晶片自給率只有30%", "2025年達到70%的目標"],
    "001_6339d00eea488fd2.txt": [
        "售额达到了 5559 亿美元并创季度新高",
        "占全球销售额的 34.6%",
        "广东产量为 539.4 亿块，排名全国第三",
        "试点数量不超过 5 个",
        "其 2021 年的资产规模达到了 382 亿英镑",
        "90%以上芯片、智能手机 85%以上的元器件",
    ],
    "002_a935e4fe392ee53f.txt": [
        "进步贡献率达到59.5%",
        "中国科学院 1805.22 5480",
        "北京硬科技指数为84.04",
        "3种快中子反应堆——气冷快堆GFR、铅冷快堆LFR",
        "境这五个指标都赋予20%的权重",
        "子行业：火箭、卫星、空间站、航天飞机等",
    ],
    "003_2e75dc72019db59a.txt": [
        "創新科技及工業局局長孫東",
        "將撥款100億港元資助大學研發團隊",
        "0.99% (265.54 億港元)",
    ],
    "004_2f977091897462c0.txt": [
        "美国参议院以 68 票赞成、32 票反对的结果投票通过",
        "2022~2026 财年拨款近 540 亿美元",
        "中国拥有超过 75% 的全球电池制造产能",
        "2021 年将拨款 3.15 亿卢布",
    ],
}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_evidence_survives(name: str) -> None:
    flat = squash(seed_flat(name))
    missing = [e for e in EVIDENCE[name] if squash(e) not in flat]
    assert not missing


def test_gold_evidence_survives() -> None:
    """Evidence strings of the gold set (written concurrently by others) must be in the cleaned text
    of one of the item's sources (whitespace ignored on both sides): ≥ 98 % of them."""
    files = sorted((ROOT / "eval" / "gold").glob("*.jsonl"))
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [json.loads(line) for line in lines]
    flat = {name: squash(seed_flat(name)) for name in SEED_NAMES}
    checks = [
        any(squash(ev) in flat.get(src, "") for src in it["sources"])
        for it in items
        for ev in it.get("evidence", [])
        if it.get("sources")
    ]
    if not checks:
        pytest.skip("no gold evidence yet")
    assert sum(checks) / len(checks) >= 0.98, f"{sum(checks)}/{len(checks)}"


def test_clean_all_seeds_is_fast() -> None:
    docs = [load_path(SEEDS / n, SEEDS) for n in SEED_NAMES]
    t0 = time.perf_counter()
    for d in docs:
        clean(d)
    assert time.perf_counter() - t0 < 3.0


def test_width_counts_wide_characters_as_two_exactly_as_unicodedata_does():
    import random
    import unicodedata

    from rag.ingest.cleaning import width

    rng = random.Random(7)
    planes = [(0, 0x300), (0x2E80, 0xA000), (0xF900, 0x10000), (0x1F000, 0x30000)]
    for _ in range(3000):
        s = "".join(chr(rng.randrange(*rng.choice(planes))) for _ in range(rng.randrange(0, 10)))
        assert width(s) == sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s), s
    assert width("中文ab，") == 8
