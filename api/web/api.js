// The HTTP side of the page: JSON calls with the stored bearer key, the SSE stream of POST /v1/ask
// (read from fetch, since EventSource cannot POST), and uploads with progress (XMLHttpRequest).

const KEY_STORE = "rag.key";

export function getKey() {
  return localStorage.getItem(KEY_STORE) || "";
}

export function setKey(key) {
  if (key) localStorage.setItem(KEY_STORE, key);
  else localStorage.removeItem(KEY_STORE);
}

/** An error the server described ({"error": {"type", "message"}}), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

function headers(extra = {}) {
  const h = { ...extra };
  const key = getKey();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function errorFrom(response) {
  let type = "error";
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      type = body.error.type || type;
      message = body.error.message || message;
    }
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(response.status, type, message);
}

async function send(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: headers(options.headers) });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "network", err.message || "network error");
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function getJSON(path) {
  return (await send(path)).json();
}

export async function getText(path) {
  return (await send(path)).text();
}

export async function deleteJSON(path) {
  return (await send(path, { method: "DELETE" })).json();
}

/** The path of a document route: each segment of the source encoded, slashes kept. */
export function documentPath(source, suffix = "") {
  return `/v1/documents/${source.split("/").map(encodeURIComponent).join("/")}${suffix}`;
}

/**
 * POST /v1/ask with "stream": true. Calls onToken(delta) per `token` event and resolves with the
 * answer object of the `citations` event; rejects with an ApiError for an HTTP or `error` event.
 */
export async function askStream(body, { onToken, signal } = {}) {
  const response = await send("/v1/ask", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let answer = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    if (done) buffer += decoder.decode();
    buffer = buffer.replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = parseEvent(block);
      if (!event) continue;
      if (event.name === "token") onToken?.(event.data.delta ?? "");
      else if (event.name === "citations") answer = event.data;
      else if (event.name === "error") {
        const e = event.data.error || {};
        throw new ApiError(500, e.type || "error", e.message || "the answer stream failed");
      } else if (event.name === "done") {
        reader.cancel().catch(() => {});
        if (answer) return answer;
      }
    }
    if (done) break;
  }
  if (answer) return answer;
  throw new ApiError(500, "stream", "the answer stream ended without an answer");
}

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { name, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}

/** Multipart upload with progress: onProgress(fraction) while sending, onSent() once the bytes are up. */
export function upload(file, { onProgress, onSent } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/documents");
    const key = getKey();
    if (key) xhr.setRequestHeader("Authorization", `Bearer ${key}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    };
    xhr.upload.onload = () => onSent?.();
    xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* handled below */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
      else {
        const e = (body && body.error) || {};
        reject(new ApiError(xhr.status, e.type || "error", e.message || `${xhr.status} ${xhr.statusText}`));
      }
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
