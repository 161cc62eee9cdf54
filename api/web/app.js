// The page: three views (ask, documents, evaluation) switched by the URL hash, conversations kept
// in localStorage, the API key asked for when the server wants one.

import { ApiError, askStream, deleteJSON, documentPath, getJSON, getKey, getText, setKey, upload } from "./api.js";
import { LANGS, applyLabels, formatBytes, formatDate, lang, t } from "./i18n.js";
import { answerBlock, el } from "./render.js";

const $ = (id) => document.getElementById(id);
const STORE = "rag.conversations";
const CURRENT = "rag.current";
const MAX_CONVERSATIONS = 50;
const HISTORY_MESSAGES = 20; // the last ten turns go to the API as context for a follow-up
const FALLBACK_TYPES = [".docx", ".htm", ".html", ".markdown", ".md", ".pdf", ".txt"];

const state = {
  conversations: [],
  currentId: null,
  status: null,
  running: null, // AbortController of the answer being streamed
  activeCite: null,
  pendingAfterKey: null,
};

// --- storage -------------------------------------------------------------------------------

function loadConversations() {
  try {
    const raw = JSON.parse(localStorage.getItem(STORE) || "[]");
    state.conversations = Array.isArray(raw) ? raw.filter((c) => c && Array.isArray(c.turns)) : [];
  } catch {
    state.conversations = [];
  }
  const current = localStorage.getItem(CURRENT);
  state.currentId = state.conversations.some((c) => c.id === current) ? current : null;
}

function saveConversations() {
  state.conversations.sort((a, b) => (b.updated || 0) - (a.updated || 0));
  state.conversations = state.conversations.slice(0, MAX_CONVERSATIONS);
  for (;;) {
    try {
      localStorage.setItem(STORE, JSON.stringify(state.conversations));
      break;
    } catch {
      if (state.conversations.length <= 1) break; // storage full even for one: keep it in memory
      state.conversations.pop(); // storage full: forget the oldest conversation
    }
  }
  if (state.currentId) localStorage.setItem(CURRENT, state.currentId);
  else localStorage.removeItem(CURRENT);
}

function current() {
  return state.conversations.find((c) => c.id === state.currentId) || null;
}

function newId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// --- messages ------------------------------------------------------------------------------

let toastTimer = null;
function toast(message, kind = "info") {
  const box = $("toast");
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 6000);
}

/** A readable message for an API error; opens the key dialog for a 401. */
function explain(err) {
  if (!(err instanceof ApiError)) return err?.message || String(err);
  if (err.status === 0) return t("network_error");
  if (err.status === 401) {
    openKeyDialog(err);
    return `${t("key_needed")} (${err.message})`;
  }
  if (err.status === 403) return `${t("admin_needed")} (${err.message})`;
  return err.message;
}

// --- API key -------------------------------------------------------------------------------

function openKeyDialog(err) {
  const dialog = $("key-dialog");
  const error = $("key-error");
  const hadKey = Boolean(getKey());
  if (err && hadKey) {
    error.textContent = `${t("key_wrong")}: ${err.message}`;
    error.hidden = false;
  } else {
    error.hidden = true;
  }
  $("key-input").value = "";
  $("key-button").hidden = false;
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

async function submitKey(event) {
  event.preventDefault();
  const value = $("key-input").value.trim();
  const error = $("key-error");
  if (!value) {
    error.textContent = t("key_missing");
    error.hidden = false;
    return;
  }
  setKey(value);
  try {
    state.status = await getJSON("/v1/status");
  } catch (err) {
    error.textContent = err.status === 401 ? `${t("key_wrong")}: ${err.message}` : explain(err);
    error.hidden = false;
    $("key-input").select();
    return;
  }
  $("key-dialog").close();
  showStatus();
  route();
  const again = state.pendingAfterKey;
  state.pendingAfterKey = null;
  again?.();
}

// --- status --------------------------------------------------------------------------------

async function loadStatus() {
  try {
    state.status = await getJSON("/v1/status");
    showStatus();
  } catch (err) {
    if (err.status === 401) openKeyDialog(err);
    else showStatusError(explain(err));
  }
}

function showStatus() {
  const s = state.status;
  if (!s) return;
  $("stat-documents").textContent = String(s.documents);
  $("stat-chunks").textContent = String(s.chunks);
  $("stat-embedder").textContent = s.dimension ? `${s.embedder} (${s.dimension}-d)` : s.embedder;
  $("stat-generator").textContent = s.generator;
  const note = $("status-note");
  note.hidden = s.status === "ready";
  if (s.status !== "ready") note.textContent = `${t("not_ready")}: ${s.reason || ""}`;
  $("key-button").hidden = !(s.auth && (s.auth.api_keys || s.auth.admin_keys)) && !getKey();
  $("upload-rules").textContent = t("upload_rules", maxMb(), supportedTypes().join(" "));
}

function showStatusError(message) {
  const note = $("status-note");
  note.textContent = message;
  note.hidden = false;
}

const maxMb = () => state.status?.max_upload_mb ?? 20;
const supportedTypes = () => state.status?.supported_types ?? FALLBACK_TYPES;

// --- views ---------------------------------------------------------------------------------

function route() {
  const name = (location.hash.replace(/^#\/?/, "") || "ask").split("/")[0];
  const view = ["ask", "documents", "eval"].includes(name) ? name : "ask";
  for (const section of document.querySelectorAll("main > .view")) section.hidden = section.dataset.view !== view;
  for (const a of document.querySelectorAll(".tabs a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.body.dataset.view = view;
  if (view === "documents") refreshDocuments();
  if (view === "eval") loadEval();
  if (view === "ask") $("question").focus({ preventScroll: true });
}

// --- conversations -------------------------------------------------------------------------

function renderConversationList() {
  const list = $("conversation-list");
  list.replaceChildren();
  if (!state.conversations.length) {
    list.append(el("li", { class: "empty-note" }, t("no_conversations")));
    return;
  }
  for (const c of state.conversations) {
    const item = el(
      "li",
      { class: c.id === state.currentId ? "active" : "" },
      el(
        "button",
        {
          type: "button",
          class: "conversation",
          "aria-current": c.id === state.currentId ? "true" : undefined,
          onclick: () => switchConversation(c.id),
        },
        el("span", { class: "conversation-title" }, c.title || t("untitled")),
        el("span", { class: "conversation-meta" }, `${c.turns.length} · ${formatDate(new Date(c.updated || c.created).toISOString())}`),
      ),
      el(
        "button",
        {
          type: "button",
          class: "icon-button conversation-delete",
          title: t("delete_conversation"),
          "aria-label": t("delete_conversation"),
          onclick: () => deleteConversation(c.id),
        },
        "✕",
      ),
    );
    list.append(item);
  }
}

function switchConversation(id) {
  if (state.running) return;
  state.currentId = id;
  saveConversations();
  renderConversationList();
  renderThread();
  closeSource();
  document.body.classList.remove("sidebar-open");
  $("question").focus();
}

function newConversation() {
  if (state.running) state.running.abort();
  state.currentId = null;
  saveConversations();
  renderConversationList();
  renderThread();
  closeSource();
  document.body.classList.remove("sidebar-open");
  $("question").focus();
}

function deleteConversation(id) {
  if (state.running && id === state.currentId) return;
  state.conversations = state.conversations.filter((c) => c.id !== id);
  if (state.currentId === id) state.currentId = null;
  saveConversations();
  renderConversationList();
  renderThread();
}

function renderThread() {
  const thread = $("thread");
  for (const node of [...thread.querySelectorAll(".turn")]) node.remove();
  const conv = current();
  $("empty-state").hidden = Boolean(conv && conv.turns.length);
  if (!conv) return;
  for (const turn of conv.turns) thread.append(turnElement(turn));
  thread.scrollTop = thread.scrollHeight;
}

function turnElement(turn) {
  const answerBox = el("div", { class: "bubble answer" });
  const article = el(
    "article",
    { class: "turn", dataset: { id: turn.id } },
    el("div", { class: "bubble question", lang: /[\u3400-\u9fff]/.test(turn.question) ? "zh" : "en" }, turn.question),
    answerBox,
  );
  fillAnswer(article, answerBox, turn);
  return article;
}

function fillAnswer(article, box, turn) {
  box.replaceChildren();
  if (turn.answer) {
    article.dataset.state = turn.answer.refused ? "refused" : "answered";
    box.append(...answerBlock(turn.answer, openSource));
  } else if (turn.error) {
    article.dataset.state = "error";
    box.append(
      el("p", { class: "error-text" }, el("strong", {}, `${t("error")}: `), turn.error),
      el("button", { type: "button", class: "ghost small", onclick: () => retry(turn) }, t("retry")),
    );
  } else {
    article.dataset.state = "pending";
    box.append(el("p", { class: "thinking" }, t("thinking")));
  }
}

function historyBefore(conv, turn) {
  const messages = [];
  for (const prior of conv.turns) {
    if (prior === turn) break;
    if (!prior.answer) continue;
    messages.push({ role: "user", content: prior.question.slice(0, 20000) });
    messages.push({ role: "assistant", content: (prior.answer.answer || "").slice(0, 20000) });
  }
  return messages.slice(-HISTORY_MESSAGES);
}

async function ask(question) {
  question = question.trim();
  if (!question || state.running) return;
  let conv = current();
  if (!conv) {
    conv = { id: newId(), title: question.slice(0, 60), created: Date.now(), updated: Date.now(), turns: [] };
    state.conversations.unshift(conv);
    state.currentId = conv.id;
  }
  const turn = { id: newId(), question, answer: null, error: null, at: Date.now() };
  conv.turns.push(turn);
  conv.updated = Date.now();
  saveConversations();
  renderConversationList();
  $("empty-state").hidden = true;
  $("question").value = "";
  const article = turnElement(turn);
  $("thread").append(article);
  await runTurn(conv, turn, article);
}

function retry(turn) {
  const conv = current();
  const article = document.querySelector(`.turn[data-id="${turn.id}"]`);
  if (!conv || !article || state.running) return;
  turn.error = null;
  fillAnswer(article, article.querySelector(".bubble.answer"), turn);
  runTurn(conv, turn, article);
}

async function runTurn(conv, turn, article) {
  const box = article.querySelector(".bubble.answer");
  const thread = $("thread");
  const controller = new AbortController();
  state.running = controller;
  setBusy(true);
  let streamed = "";
  let tokens = 0;
  let live = null;
  thread.scrollTop = thread.scrollHeight;
  try {
    const answer = await askStream(
      { question: turn.question, history: historyBefore(conv, turn) },
      {
        signal: controller.signal,
        onToken: (delta) => {
          tokens += 1;
          streamed += delta;
          if (!live) {
            live = el("div", { class: "answer-text streaming" });
            box.replaceChildren(live);
            article.dataset.state = "streaming";
          }
          live.textContent = streamed;
          article.dataset.tokens = String(tokens);
          thread.scrollTop = thread.scrollHeight;
        },
      },
    );
    turn.answer = answer;
  } catch (err) {
    if (err.name === "AbortError") turn.error = t("stopped");
    else {
      turn.error = explain(err);
      if (err.status === 401) state.pendingAfterKey = () => retry(turn);
    }
  } finally {
    state.running = null;
    setBusy(false);
  }
  article.dataset.tokens = String(tokens);
  conv.updated = Date.now();
  saveConversations();
  renderConversationList();
  fillAnswer(article, box, turn);
  article.scrollIntoView({ block: "nearest" });
  if (turn.answer) $("question").focus({ preventScroll: true });
}

function setBusy(busy) {
  $("send-button").disabled = busy;
  $("stop-button").hidden = !busy;
  document.body.classList.toggle("busy", busy);
}

// --- the source panel ----------------------------------------------------------------------

let sourceRequest = 0;

async function openSource(citation, button, context = 400) {
  if (!citation) return;
  const panel = $("source-panel");
  state.activeCite?.classList.remove("active");
  state.activeCite = button || null;
  button?.classList.add("active");
  panel.hidden = false;
  document.body.classList.add("source-open");
  $("source-title").textContent = `《${citation.title || citation.source}》`;
  const section = $("source-section");
  section.textContent = citation.section ? citation.section.split(" > ").join(" › ") : "";
  section.hidden = !citation.section;
  $("source-file").textContent = `${citation.source} · ${t("offsets", citation.start, citation.end)}`;
  const check = $("source-check");
  check.hidden = true;
  const box = $("source-text");
  box.replaceChildren(el("p", { class: "thinking" }, t("loading")));
  const mine = ++sourceRequest;
  let span;
  try {
    const q = new URLSearchParams({ start: citation.start, end: citation.end, context });
    span = await getJSON(`${documentPath(citation.source, "/span")}?${q}`);
  } catch (err) {
    if (mine !== sourceRequest) return;
    box.replaceChildren(el("p", { class: "error-text" }, explain(err)));
    return;
  }
  if (mine !== sourceRequest) return;
  if (span.title) $("source-title").textContent = `《${span.title}》`;
  if (!citation.section && span.section) {
    section.textContent = span.section.split(" > ").join(" › ");
    section.hidden = false;
  }
  const match = compareQuote(citation.quote, span.text);
  check.replaceChildren(
    el("span", { class: "check-mark", "aria-hidden": "true" }, match === "differs" ? "⚠" : "✓"),
    t(`quote_${match}`),
    span.changed ? el("span", { class: "changed" }, ` ${t("file_changed")}`) : "",
  );
  check.dataset.ok = String(match !== "differs" && !span.changed);
  check.dataset.match = match;
  check.hidden = false;
  const mark = el("mark", { id: "source-mark", dataset: { start: String(span.start), end: String(span.end) } }, span.text);
  const more = (label, disabled) =>
    el("button", { type: "button", class: "ghost small more", disabled, onclick: () => openSource(citation, button, Math.min(5000, context * 3)) }, label);
  // The clicked sentence may quote another sentence of the same passage than the citation's
  // quote: when its words are in the context, they are highlighted too (a second colour).
  const claim = findClaim(button?.closest(".sentence")?.dataset.text, span);
  const pieces = [span.before, mark, span.after];
  if (claim) {
    const whole = span.before + span.text + span.after;
    const claimMark = el("mark", { class: "claim", id: "claim-mark" }, whole.slice(claim[0], claim[1]));
    const inBefore = claim[1] <= span.before.length;
    const base = inBefore ? 0 : span.before.length + span.text.length;
    const host = inBefore ? span.before : span.after;
    const piece = [host.slice(0, claim[0] - base), claimMark, host.slice(claim[1] - base)];
    if (inBefore) pieces.splice(0, 1, ...piece);
    else pieces.splice(2, 1, ...piece);
    check.append(el("span", { class: "claim-note" }, ` ${t("claim_here")}`));
  }
  box.replaceChildren(
    span.context_start > 0 ? more(t("show_more_before"), context >= 5000) : "",
    el("div", { class: "original", lang: "zh" }, span.context_start > 0 ? "…" : "", ...pieces, span.context_end < span.length ? "…" : ""),
    span.context_end < span.length ? more(t("show_more_after"), context >= 5000) : "",
  );
  box.focus({ preventScroll: true }); // arrow keys scroll the passage; Escape goes back to the marker
  const target = box.querySelector("#claim-mark") || mark; // what the clicked sentence says first
  box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
}

/** How the quote shown in the answer compares with the original at its offsets: identical, the
 * same once line breaks and character width are set aside (what cleaning changes), or different. */
function compareQuote(quote, original) {
  if (typeof quote !== "string" || quote === original) return "matches";
  const fold = (s) => s.normalize("NFKC").replace(/\s+/gu, "");
  return fold(quote) === fold(original) ? "reflowed" : "differs";
}

/** Text with whitespace dropped and width folded (NFKC), and where each folded character came from. */
function folded(text) {
  let chars = "";
  const from = [];
  for (let i = 0; i < text.length; i++) {
    if (/\s/u.test(text[i])) continue;
    for (const c of text[i].normalize("NFKC")) {
      chars += c;
      from.push(i);
    }
  }
  return { chars, from };
}

/** [start, end) in before+text+after of the words a sentence quotes, when they lie outside the
 * citation's own quote; null when absent (another script, a paraphrase, out of the context). */
function findClaim(sentence, span) {
  if (!sentence) return null;
  let words = sentence.replace(/\[\d+(?:\s*[,，]\s*\d+)*\]|【\d+】/g, "");
  const quoted = [...words.matchAll(/“([^”]+)”/g)].map((m) => m[1]).sort((a, b) => b.length - a.length)[0];
  words = (quoted || words).replace(/^[\s，,：:]+|[\s。．.！!？?；;，,]+$/gu, "");
  const needle = folded(words).chars;
  if (needle.length < 8) return null;
  const whole = span.before + span.text + span.after;
  const hay = folded(whole);
  const at = hay.chars.indexOf(needle);
  if (at < 0) return null;
  const start = hay.from[at];
  const end = hay.from[at + needle.length - 1] + 1;
  const markStart = span.before.length;
  const markEnd = markStart + span.text.length;
  if (start < markEnd && end > markStart) return null; // it is the citation's quote itself
  return [start, end];
}

function closeSource() {
  $("source-panel").hidden = true;
  document.body.classList.remove("source-open");
  state.activeCite?.classList.remove("active");
  const back = state.activeCite;
  state.activeCite = null;
  sourceRequest += 1;
  if (back && document.contains(back)) back.focus({ preventScroll: true });
}

// --- documents -----------------------------------------------------------------------------

async function refreshDocuments() {
  loadStatus();
  let data;
  try {
    data = await getJSON("/v1/documents");
  } catch (err) {
    if (err.status !== 401) showStatusError(explain(err));
    else openKeyDialog(err);
    return;
  }
  const rows = $("doc-rows");
  rows.replaceChildren();
  for (const d of data.documents) {
    rows.append(
      el(
        "tr",
        { dataset: { source: d.source } },
        el("td", { class: "doc-title" }, d.title || d.source),
        el("td", { class: "doc-source" }, el("code", {}, d.source)),
        el("td", { class: "num" }, String(d.chunks)),
        el("td", { class: "doc-added" }, formatDate(d.added)),
        el(
          "td",
          { class: "doc-actions" },
          el("button", { type: "button", class: "danger small", onclick: () => confirmDelete(d) }, t("delete")),
        ),
      ),
    );
  }
  $("no-documents").hidden = data.documents.length > 0;
  $("doc-table").hidden = data.documents.length === 0;
}

function confirmDialog(title, body) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-body").textContent = body;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}

async function confirmDelete(doc) {
  if (!(await confirmDialog(t("confirm_delete_title"), t("confirm_delete_body", doc.title || doc.source, doc.source.startsWith("uploads/"))))) return;
  try {
    const out = await deleteJSON(documentPath(doc.source));
    $("upload-message").hidden = true; // an earlier "added" note would now be stale
    toast(t("deleted", doc.source, out.removed_chunks), "ok");
  } catch (err) {
    toast(explain(err), "error");
  }
  refreshDocuments();
}

function uploadMessage(text, kind) {
  const box = $("upload-message");
  box.replaceChildren(...(Array.isArray(text) ? text : [text]));
  box.dataset.kind = kind;
  box.hidden = false;
}

/** Checks the browser can make before sending: type and size (the server checks again). */
function precheck(file) {
  const dot = file.name.lastIndexOf(".");
  const suffix = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
  if (!supportedTypes().includes(suffix)) return t("unsupported", file.name, supportedTypes().join(" "));
  if (file.size > maxMb() * 1024 * 1024) return t("too_large", file.name, formatBytes(file.size), maxMb());
  if (file.size === 0) return t("empty_file", file.name);
  return null;
}

let uploading = false;

async function handleFiles(fileList) {
  const files = [...(fileList || [])];
  if (!files.length || uploading) return;
  for (const file of files) {
    const problem = precheck(file);
    if (problem) {
      uploadMessage(problem, "error");
      continue;
    }
    uploading = true;
    const bar = $("upload-bar");
    $("upload-progress").hidden = false;
    $("upload-progress").classList.remove("indeterminate");
    bar.style.width = "0%";
    uploadMessage(t("uploading", file.name, 0), "info");
    try {
      const out = await upload(file, {
        onProgress: (f) => {
          bar.style.width = `${Math.round(f * 100)}%`;
          uploadMessage(t("uploading", file.name, Math.round(f * 100)), "info");
        },
        onSent: () => {
          bar.style.width = "100%";
          $("upload-progress").classList.add("indeterminate");
          uploadMessage(t("indexing", file.name), "info");
        },
      });
      const status = t("upload_status")[out.status] || out.status;
      uploadMessage(t("uploaded", out.source, status, out.chunks), "ok");
    } catch (err) {
      uploadMessage([el("strong", {}, `${t("upload_failed", file.name)}: `), explain(err)], "error");
    } finally {
      uploading = false;
      $("upload-progress").hidden = true;
      $("file-input").value = "";
    }
    await refreshDocuments();
  }
}

function wireUpload() {
  const zone = $("dropzone");
  const input = $("file-input");
  input.addEventListener("change", () => handleFiles(input.files));
  zone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      input.click();
    }
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    handleFiles(e.dataTransfer?.files);
  });
  // A file dropped next to the zone must not make the browser navigate away to it.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
}

// --- evaluation ----------------------------------------------------------------------------

async function loadEval(split) {
  const none = $("eval-none");
  const frame = $("eval-frame");
  let reports;
  try {
    reports = (await getJSON("/v1/eval/reports")).reports;
  } catch (err) {
    none.textContent = explain(err);
    none.hidden = false;
    frame.hidden = true;
    return;
  }
  if (!reports.length) {
    none.textContent = t("eval_none");
    none.hidden = false;
    frame.hidden = true;
    $("eval-pick").hidden = true;
    $("eval-when").textContent = "";
    return;
  }
  none.hidden = true;
  const chosen = reports.find((r) => r.split === split) || reports[0];
  const select = $("eval-split");
  select.replaceChildren(...reports.map((r) => el("option", { value: r.split, selected: r === chosen }, r.split)));
  $("eval-pick").hidden = reports.length < 2;
  $("eval-when").textContent = `${chosen.split} · ${t("eval_generated")} ${formatDate(chosen.modified)}`;
  try {
    frame.srcdoc = await getText(`/v1/eval/reports/${encodeURIComponent(chosen.split)}`);
    frame.hidden = false;
  } catch (err) {
    none.textContent = explain(err);
    none.hidden = false;
  }
}

// --- start ---------------------------------------------------------------------------------

function wire() {
  const select = $("lang-select");
  for (const [code, name] of Object.entries(LANGS)) select.append(el("option", { value: code, selected: code === lang }, name));
  select.addEventListener("change", () => {
    localStorage.setItem("rag.lang", select.value);
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.replace(url);
  });

  const question = $("question");
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    ask(question.value);
  });
  question.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      ask(question.value);
    }
  });
  $("stop-button").addEventListener("click", () => state.running?.abort());
  for (const b of document.querySelectorAll("#examples .example")) b.addEventListener("click", () => ask(b.textContent));
  $("new-conversation").addEventListener("click", newConversation);
  $("source-close").addEventListener("click", closeSource);
  $("menu-button").addEventListener("click", () => {
    const open = document.body.classList.toggle("sidebar-open");
    $("menu-button").setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    if (!$("source-panel").hidden) closeSource();
    document.body.classList.remove("sidebar-open");
  });
  $("key-form").addEventListener("submit", submitKey);
  $("key-button").addEventListener("click", () => openKeyDialog(null));
  $("key-forget").addEventListener("click", () => {
    setKey("");
    $("key-input").value = "";
    $("key-error").hidden = true;
  });
  $("eval-split").addEventListener("change", (e) => loadEval(e.target.value));
  wireUpload();
  window.addEventListener("hashchange", route);
}

function start() {
  applyLabels();
  loadConversations();
  wire();
  renderConversationList();
  renderThread();
  route();
  loadStatus();
  document.body.dataset.ready = "true";
}

start();
