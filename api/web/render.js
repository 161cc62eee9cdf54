// Turning an answer object (the `rag ask --json` shape) into DOM: sentences marked supported or
// flagged, [n] markers as buttons that open the cited passage, refusal, warnings, sources.
// All text goes in through textContent: document text is data, never markup.

import { t } from "./i18n.js";

const MARKER = /\[(\d+(?:\s*[,，]\s*\d+)*)\]|【(\d+)】/g;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function citeButton(n, citation, onCite) {
  return el(
    "button",
    {
      type: "button",
      class: "cite",
      dataset: { n: String(n) },
      title: citation ? `${citation.title}${citation.section ? " — " + citation.section : ""}` : undefined,
      onclick: (e) => {
        e.preventDefault();
        onCite(citation, e.currentTarget);
      },
    },
    `[${n}]`,
  );
}

/** Text with its [n] markers turned into buttons (markers naming no citation stay text). */
export function withMarkers(text, citations, onCite) {
  const byN = new Map((citations || []).map((c) => [c.n, c]));
  const out = [];
  let last = 0;
  for (const m of text.matchAll(MARKER)) {
    const numbers = (m[1] ?? m[2]).split(/[,，]/).map((s) => parseInt(s.trim(), 10));
    if (!numbers.every((n) => byN.has(n))) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    for (const n of numbers) out.push(citeButton(n, byN.get(n), onCite));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function sentenceKind(s) {
  if (!s.supported) return "flagged";
  if (!(s.citations || []).length) return "neutral";
  return "supported";
}

function sentenceTitle(s) {
  const kind = sentenceKind(s);
  const label = kind === "flagged" ? t("flagged") : kind === "neutral" ? t("no_claim") : t("supported");
  const reasons = (s.reasons || []).join("; ");
  return `${label}${typeof s.score === "number" ? ` (${t("score")} ${s.score.toFixed(2)})` : ""}${reasons ? ": " + reasons : ""}`;
}

/** The answer text with each verified sentence wrapped (located in order; gaps kept as they are). */
export function answerBody(answer, onCite) {
  const text = answer.answer || "";
  const citations = answer.citations || [];
  const body = el("div", { class: "answer-text", lang: answer.language === "en" ? "en" : "zh" });
  let cursor = 0;
  for (const s of answer.sentences || []) {
    if (!s || typeof s.text !== "string" || !s.text) continue;
    const at = text.indexOf(s.text, cursor);
    if (at < 0) continue;
    if (at > cursor) body.append(...withMarkers(text.slice(cursor, at), citations, onCite));
    const kind = sentenceKind(s);
    const span = el("span", { class: `sentence ${kind}`, title: sentenceTitle(s), dataset: { kind, text: s.text } });
    span.append(...withMarkers(s.text, citations, onCite));
    if (kind === "flagged") span.append(el("span", { class: "flag", "aria-label": t("flagged") }, "⚠"));
    body.append(span);
    cursor = at + s.text.length;
  }
  if (cursor < text.length) body.append(...withMarkers(text.slice(cursor), citations, onCite));
  return body;
}

function sourceItem(c, onCite, cls) {
  return el(
    "li",
    { class: cls },
    el(
      "button",
      { type: "button", class: "source-link", dataset: { n: String(c.n) }, onclick: (e) => onCite(c, e.currentTarget) },
      el("span", { class: "source-n" }, `[${c.n}]`),
      el("span", { class: "source-name" }, `《${c.title || c.source}》`),
      c.section ? el("span", { class: "source-sec" }, c.section) : null,
    ),
    c.quote ? el("blockquote", { class: "source-quote" }, c.quote) : null,
  );
}

/** Everything under the question once the final answer object has arrived. */
export function answerBlock(answer, onCite) {
  const parts = [];
  const refused = Boolean(answer.refused);
  if (refused) {
    parts.push(
      el(
        "div",
        { class: "refusal-head" },
        el("span", { class: "refusal-icon", "aria-hidden": "true" }, "⊘"),
        el("strong", {}, t("refused_title")),
      ),
    );
    if (answer.refusal_reason) {
      parts.push(
        el("p", { class: "refusal-reason" }, el("span", { class: "label" }, `${t("refused_reason")}: `), answer.refusal_reason),
      );
    }
  }
  parts.push(answerBody(answer, onCite));

  const warnings = (answer.warnings || []).filter(Boolean);
  if (warnings.length) {
    parts.push(
      el("div", { class: "warnings" }, el("strong", {}, t("warnings")), el("ul", {}, warnings.map((w) => el("li", {}, w)))),
    );
  }

  const claims = (answer.sentences || []).filter((s) => s && (s.citations || []).length + (s.supported ? 0 : 1) > 0);
  if (claims.length) {
    const ok = claims.filter((s) => s.supported).length;
    parts.push(
      el(
        "details",
        { class: "checks" },
        el("summary", {}, t("checks_summary", ok, claims.length - ok)),
        el(
          "ul",
          {},
          claims.map((s) =>
            el(
              "li",
              { class: s.supported ? "supported" : "flagged" },
              el("span", { class: "check-mark", "aria-hidden": "true" }, s.supported ? "✓" : "⚠"),
              el("span", { class: "check-text" }, s.text),
              el("span", { class: "check-why" }, sentenceTitle(s)),
            ),
          ),
        ),
      ),
    );
  }

  const citations = answer.citations || [];
  if (citations.length && !refused) {
    parts.push(el("h3", { class: "sources-heading" }, t("sources")));
    parts.push(el("ol", { class: "sources" }, citations.map((c) => sourceItem(c, onCite, "source"))));
  }
  const suggestions = answer.suggestions || [];
  if (refused && suggestions.length) {
    parts.push(el("h3", { class: "sources-heading" }, t("closest")));
    parts.push(el("ol", { class: "sources suggestions" }, suggestions.map((c) => sourceItem(c, onCite, "suggestion"))));
  }

  const timings = answer.timings_ms || {};
  const total = Object.values(timings).reduce((a, b) => a + (Number(b) || 0), 0);
  parts.push(
    el(
      "p",
      { class: "answer-meta" },
      answer.generator ? `${t("generator")}: ${answer.generator}` : "",
      total ? ` · ${t("timings")}: ${Math.round(total)} ms` : "",
    ),
  );
  return parts;
}
