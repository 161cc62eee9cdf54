"""Every word we say to an LLM or to the user on our own behalf, in Chinese and English.

Kept in one module so the wording is reviewed (and tested) in one place: the answer prompt
(numbered passages, cite every sentence, refuse when the passages do not answer), the
condense-question prompt for follow-ups, the refusal sentences and the framing the extractive
generator wraps quotes in. Traditional-script wording is derived with OpenCC s2t except where a
hand-written form reads better (the refusal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from rag.text import match_script
from rag.types import Hit

# --- language variants -------------------------------------------------------------------

ZH_HANS, ZH_HANT, EN = "zh-Hans", "zh-Hant", "en"


def variant(language: str, script: str) -> str:
    """The wording variant for a question: ``zh-Hans``, ``zh-Hant`` or ``en``."""
    if language != "zh":
        return EN
    return ZH_HANT if script == "traditional" else ZH_HANS


# --- refusal -----------------------------------------------------------------------------

REFUSAL: dict[str, str] = {
    ZH_HANS: "根据现有文档无法回答这个问题：文档中没有相关内容。",
    ZH_HANT: "根據現有文件無法回答這個問題：文件中沒有相關內容。",
    EN: "The documents do not contain the answer to this question.",
}

# A question that leans on an earlier turn when there is none (``dialogue.dangling_reference``).
ASK_IN_FULL: dict[str, str] = {
    ZH_HANS: "这个问题承接前文（“{word}”），但此前没有对话：请把问题问完整，说明问的是什么。",
    ZH_HANT: "這個問題承接前文（「{word}」），但此前沒有對話：請把問題問完整，說明問的是甚麼。",
    EN: 'This question refers back ("{word}") to an earlier turn, but there is none: please ask it in full, '
    "naming what it is about.",
}

# Phrases an LLM uses when it follows the "say so" instruction in its own words.
_REFUSAL_PATTERNS = re.compile(
    r"无法回答|無法回答|没有相关|沒有相關|未提及|未提到|没有提到|沒有提到|没有提供|沒有提供|"
    r"do(?:es)? not contain|don't contain|cannot answer|can't answer|"
    r"not (?:mentioned|stated|provided|given) in the (?:documents|passages)",
    re.IGNORECASE,
)


def refusal_message(language: str, script: str) -> str:
    return REFUSAL[variant(language, script)]


def ask_in_full_message(language: str, script: str, word: str) -> str:
    return ASK_IN_FULL[variant(language, script)].format(word=word)


def is_refusal(text: str) -> bool:
    """True when a (short) generated answer is itself a refusal, e.g. the model followed the prompt."""
    stripped = re.sub(r"[\[【［][^\]】］]*[\]】］]", "", text).strip()
    if not stripped:
        return False
    return any(stripped.startswith(r[:24]) for r in REFUSAL.values()) or (
        len(stripped) <= 160 and bool(_REFUSAL_PATTERNS.search(stripped))
    )


# --- the numbered context block ----------------------------------------------------------


def passage_header(n: int, hit: Hit) -> str:
    c = hit.chunk
    head = f"[{n}] 《{c.title or c.source}》"
    return f"{head} — {c.section}" if c.section else head


def format_context(hits: Sequence[Hit]) -> str:
    """``[1] 《title》 — section`` then the passage text, for each passage, numbered from 1."""
    return "\n\n".join(f"{passage_header(n, h)}\n{h.chunk.text.strip()}" for n, h in enumerate(hits, 1))


# --- answer prompt -----------------------------------------------------------------------

SYSTEM_ZH = """你是科技政策文件问答助手。只能依据下面编号的文档片段回答问题，不得使用片段以外的知识。
规则：
1. 每一句话末尾都要用方括号标注依据的片段编号，例如 [1] 或 [1][3]；只能引用给出的编号。示例：“2021年销售额为1925亿美元[2]。”
2. 数字、百分比、日期和金额必须与片段原文完全一致，不得推算或编造。
3. 如果片段中没有答案，只回答：“{refusal}”，不要猜测。
4. {script_rule}
5. 回答简洁，不超过五句话。"""

SCRIPT_RULE_HANS = "用简体中文回答。"
SCRIPT_RULE_HANT = "問題使用繁體字，請用繁體中文回答（引用原文時可保留原文字形）。"

SYSTEM_EN = """You answer questions about Chinese science and technology policy documents, using ONLY the numbered passages below (they may be in Chinese). Never use outside knowledge.
Rules:
1. End every sentence with the number of the passage that supports it in square brackets, e.g. [1] or [1][3]. Cite only the numbers given. Example: "Sales reached 192.5 billion US dollars in 2021 [2]."
2. Copy numbers, percentages, dates and amounts exactly as the passages state them; never compute or invent figures.
3. If the passages do not contain the answer, reply only: "{refusal}" Do not guess.
4. Answer in English.
5. Be concise: at most five sentences."""

USER_ZH = """文档片段：
{context}

问题：{question}"""

USER_EN = """Passages:
{context}

Question: {question}"""


def answer_prompt(language: str, script: str) -> ChatPromptTemplate:
    """The LCEL prompt for the answer step; its inputs are ``context`` and ``question``."""
    v = variant(language, script)
    if v == EN:
        system = SYSTEM_EN.replace("{refusal}", REFUSAL[EN])
        user = USER_EN
    else:
        rule = SCRIPT_RULE_HANT if v == ZH_HANT else SCRIPT_RULE_HANS
        system = SYSTEM_ZH.replace("{refusal}", REFUSAL[v]).replace("{script_rule}", rule)
        user = match_script(USER_ZH, "traditional") if v == ZH_HANT else USER_ZH
    return ChatPromptTemplate.from_messages([("system", system), ("human", user)])


def answer_messages(question: str, hits: Sequence[Hit], language: str, script: str) -> list[BaseMessage]:
    return answer_prompt(language, script).format_messages(context=format_context(hits), question=question)


# --- English answers from Chinese evidence sentences -------------------------------------
#
# An English question over Chinese documents: the LLM sees only the selected evidence sentences
# (short prompts: a 1.5B model on 2 CPU cores reads ~60 tokens/s), each numbered with its
# passage's [n] and with every amount written in English (rag.answer.english), so the model copies
# "US$100 billion" instead of converting 1000亿美元 itself (shown both forms, Qwen2.5-Coder-1.5B
# still wrote "1300 billion RMB" for 1300 亿元). There is no refusal rule: the LLM is called only
# after the question analysis found sentences that answer (the chain refuses before that), and a
# 1.5B model given the option refused half of the answerable test questions (7 of 15 fell back).

SYSTEM_EN_EVIDENCE = """You answer questions about Chinese science and technology policy documents in English, using ONLY the evidence sentences below. They are in Chinese, with amounts already written in English (e.g. US$100 billion).
Rules:
1. Write in English. End every sentence with the number of its evidence in square brackets, e.g. [2].
2. Copy amounts, numbers, percentages and years exactly as written in the evidence (e.g. US$100 billion). Never convert or compute figures yourself.
3. The evidence was chosen because it answers the question: answer from it. If it answers only part of the question, answer that part and say the documents do not give the rest.
4. At most three short sentences.
Example:
Evidence:
[1] 《快报》: 2022财年为芯片基金拨款 US$24 billion 。
[2] 《快报》: 该基金由商务部管理。
Question: How much did the CHIPS fund receive in FY2022, and who runs it?
Answer: The CHIPS fund received US$24 billion in fiscal year 2022 [1]. It is managed by the Department of Commerce [2]."""

USER_EN_EVIDENCE = """Evidence:
{evidence}

Question: {question}
Answer:"""


def evidence_block(evidence: Sequence[tuple[int, str, str]]) -> str:
    """``[n] 《title》: sentence`` lines, one per evidence sentence (already annotated)."""
    return "\n".join(f"[{n}] 《{title}》: {sentence}" for n, title, sentence in evidence)


def english_evidence_messages(question: str, evidence: Sequence[tuple[int, str, str]]) -> list[BaseMessage]:
    """The English answer prompt over (passage number, title, annotated sentence) evidence."""
    prompt = ChatPromptTemplate.from_messages([("system", SYSTEM_EN_EVIDENCE), ("human", USER_EN_EVIDENCE)])
    return prompt.format_messages(evidence=evidence_block(evidence), question=question)


# When the LLM's English answer does not verify, the sentences the extractive gate chose (the ones
# that answer) are translated instead: a smaller task than answering, and a translation stays close
# enough to its source for the verifier, so an English question still gets English rather than a
# Chinese quote framed in English.

SYSTEM_EN_TRANSLATE = """Translate each numbered Chinese sentence into one plain English sentence.
Rules:
1. One English sentence per evidence line, ending with that line's number in square brackets, e.g. [2].
2. Copy amounts, numbers, percentages and years exactly as written (amounts are already in English, e.g. US$100 billion).
3. Translate only: add nothing, leave nothing out, no introduction.
Example:
Evidence:
[1] 《快报》: 2022财年将为该基金拨款 US$24 billion ，由商务部管理。
English:
In fiscal year 2022 the fund will receive US$24 billion, managed by the Department of Commerce [1]."""

USER_EN_TRANSLATE = """Evidence:
{evidence}

English:"""


def translation_messages(evidence: Sequence[tuple[int, str, str]]) -> list[BaseMessage]:
    """The prompt translating (passage number, title, annotated sentence) evidence into English."""
    prompt = ChatPromptTemplate.from_messages([("system", SYSTEM_EN_TRANSLATE), ("human", USER_EN_TRANSLATE)])
    return prompt.format_messages(evidence=evidence_block(evidence))


# --- English question → Chinese search keywords ------------------------------------------

KEYWORDS_SYSTEM = """The user asks in English about Chinese science and technology policy documents. Write the Chinese search keywords (Simplified Chinese) that these documents would use for the question's names, terms and figures: 3 to 8 keywords separated by spaces, no explanation.
Example: "How much did the US CHIPS Act allocate to chip manufacturing?" → 美国 芯片法案 拨款 半导体 制造"""


def keyword_messages(question: str) -> list[BaseMessage]:
    """The query-rewrite prompt (RAGFlow-style): an English question → Chinese keywords for BM25."""
    prompt = ChatPromptTemplate.from_messages([("system", KEYWORDS_SYSTEM), ("human", "{question}")])
    return prompt.format_messages(question=question)


# --- condense (follow-up → standalone) ---------------------------------------------------

CONDENSE_SYSTEM = """Rewrite the user's follow-up question into one standalone question that can be understood without the conversation. Keep the language and script of the follow-up (Chinese stays Chinese; Traditional stays Traditional). Replace pronouns and ellipsis with what they refer to. Output only the rewritten question.
Example (Chinese): previous question "2021年我国基础研究经费是多少？", follow-up "那2020年呢？" → "2020年我国基础研究经费是多少？"
Example (English): previous question "What share of global wafer capacity does mainland China hold?", follow-up "And South Korea?" → "What share of global wafer capacity does South Korea hold?\""""

CONDENSE_USER = """Conversation:
{history}

Follow-up question: {question}
Standalone question:"""


def condense_messages(question: str, history: Sequence[tuple[str, str]]) -> list[BaseMessage]:
    """``history`` is (role, text) pairs, oldest first; only the last few turns are sent."""
    lines = [
        f"{'User' if role == 'user' else 'Assistant'}: {text.strip()[:400]}" for role, text in history[-6:]
    ]
    prompt = ChatPromptTemplate.from_messages([("system", CONDENSE_SYSTEM), ("human", CONDENSE_USER)])
    return prompt.format_messages(history="\n".join(lines), question=question)


def history_messages(history: Sequence[tuple[str, str]]) -> list[BaseMessage]:
    return [HumanMessage(t) if r == "user" else AIMessage(t) for r, t in history]


# --- extractive framing ------------------------------------------------------------------

EXTRACTIVE_LEAD: dict[str, str] = {
    ZH_HANS: "根据检索到的文档：",
    ZH_HANT: "根據檢索到的文件：",
    EN: "The documents are in Chinese; what they state, figures in English, then each passage quoted verbatim:",
}


def extractive_lead(language: str, script: str) -> str:
    return EXTRACTIVE_LEAD[variant(language, script)]


def english_frame(title: str, quote: str, n: int) -> str:
    """One English sentence around a verbatim (untranslated) quote."""
    return f"According to 《{title}》, “{quote}” [{n}]."


__all__ = [
    "EN",
    "ASK_IN_FULL",
    "REFUSAL",
    "ZH_HANS",
    "ZH_HANT",
    "answer_messages",
    "answer_prompt",
    "condense_messages",
    "english_evidence_messages",
    "english_frame",
    "evidence_block",
    "extractive_lead",
    "format_context",
    "history_messages",
    "keyword_messages",
    "ask_in_full_message",
    "is_refusal",
    "refusal_message",
    "translation_messages",
    "variant",
]
