// Labels in English, Simplified and Traditional Chinese, chosen from the browser's language
// (navigator.languages); ?lang=en|zh-Hans|zh-Hant overrides it. Document text is never converted.

const LABELS = {
  en: {
    brand: "Policy Q&A",
    tagline: "Chinese S&T policy documents, every claim checked against its source",
    nav_ask: "Ask",
    nav_docs: "Documents",
    nav_eval: "Evaluation",
    key_button: "API key",
    conversations: "Conversations",
    new_conversation: "New conversation",
    no_conversations: "No conversations yet.",
    delete_conversation: "Delete this conversation",
    untitled: "Untitled",
    ask_placeholder: "Ask a question in Chinese or English…",
    send: "Send",
    stop: "Stop",
    composer_hint: "Enter to send · Shift+Enter for a new line",
    empty_title: "Ask about the documents",
    empty_body:
      "Answers quote the documents. Each [n] opens the cited passage inside the original text, so you can check every claim.",
    examples: "Examples",
    thinking: "Searching the documents…",
    refused_title: "Not answered: the documents do not support an answer",
    refused_reason: "Why",
    closest: "Closest passages",
    sources: "Sources",
    checks_summary: (s, f) => `Checked claims: ${s} supported, ${f} flagged`,
    supported: "supported",
    flagged: "not supported by the cited text",
    no_claim: "no claim",
    score: "score",
    warnings: "Warnings",
    generator: "generator",
    timings: "time",
    error: "Error",
    retry: "Retry",
    stopped: "Stopped.",
    source_panel: "Source",
    close: "Close",
    section: "Section",
    file: "File",
    offsets: (s, e) => `characters ${s}–${e}`,
    quote_matches: "The quote matches the original text at these offsets exactly.",
    quote_reflowed: "The quote matches the original text at these offsets (the file's line breaks and character widths aside).",
    claim_here: "The sentence you clicked quotes the text underlined in blue.",
    quote_differs: "The original text at these offsets differs from the quote shown in the answer.",
    file_changed: "The file has changed since it was indexed; offsets may no longer match.",
    loading: "Loading…",
    show_more_before: "More before",
    show_more_after: "More after",
    status: "Index",
    documents: "Documents",
    chunks: "Chunks",
    embedder: "Embedder",
    not_ready: "Not ready",
    upload_title: "Add a document",
    drop_here: "Drop a file here, or",
    choose_file: "choose a file",
    upload_rules: (mb, types) => `Up to ${mb} MB. Supported: ${types}. The document is indexed right after upload.`,
    uploading: (name, pct) => `Uploading ${name}: ${pct}%`,
    indexing: (name) => `Indexing ${name}…`,
    uploaded: (name, status, chunks) => `${name}: ${status}, ${chunks} ${chunks === 1 ? "chunk" : "chunks"}.`,
    upload_status: { added: "added", updated: "updated", unchanged: "unchanged" },
    too_large: (name, size, mb) => `${name} is ${size}; the limit is ${mb} MB. Split it or compress images in it.`,
    unsupported: (name, types) => `${name}: this file type is not supported. Supported: ${types}.`,
    empty_file: (name) => `${name} is empty.`,
    upload_failed: (name) => `${name} was not added`,
    col_title: "Title",
    col_source: "Source",
    col_chunks: "Chunks",
    col_added: "Added",
    delete: "Delete",
    confirm_delete_title: "Delete this document?",
    confirm_delete_body: (t, uploaded) =>
      `“${t}” will be removed from the index. ` +
      (uploaded
        ? "The uploaded file is deleted from the server too."
        : "Its file stays in the corpus folder; re-indexing that folder would add it again."),
    cancel: "Cancel",
    deleted: (name, n) => `${name} removed (${n} ${n === 1 ? "chunk" : "chunks"}).`,
    no_documents: "The index holds no documents yet.",
    eval_title: "Latest evaluation report",
    eval_none: "No evaluation report yet. Run `make eval` (or `rag eval --split dev`) and reload.",
    eval_split: "Split",
    eval_generated: "written",
    key_title: "API key required",
    key_body: "This server needs an API key. It is kept in this browser only and sent as a bearer token.",
    key_label: "API key",
    key_save: "Use this key",
    key_forget: "Forget key",
    key_missing: "Enter a key.",
    key_wrong: "The server refused this key",
    key_needed: "An API key is required.",
    admin_needed: "This needs an admin key (RAG_ADMIN_KEYS).",
    network_error: "Cannot reach the server.",
    lang_label: "Language",
    menu: "Menu",
  },
  "zh-Hans": {
    brand: "政策问答",
    tagline: "中国科技政策文件 · 每一句都对照原文核实",
    nav_ask: "提问",
    nav_docs: "文档",
    nav_eval: "评测",
    key_button: "API 密钥",
    conversations: "对话",
    new_conversation: "新对话",
    no_conversations: "还没有对话。",
    delete_conversation: "删除此对话",
    untitled: "未命名",
    ask_placeholder: "用中文或英文提问……",
    send: "发送",
    stop: "停止",
    composer_hint: "Enter 发送 · Shift+Enter 换行",
    empty_title: "就文档提问",
    empty_body: "回答引用文档原文。点击 [n] 即可在原文中查看被引用的段落，逐句核对。",
    examples: "示例",
    thinking: "正在检索文档……",
    refused_title: "未作回答：文档中没有能支持回答的内容",
    refused_reason: "原因",
    closest: "最接近的段落",
    sources: "来源",
    checks_summary: (s, f) => `逐句核对：${s} 句有依据，${f} 句存疑`,
    supported: "有依据",
    flagged: "引文不支持此句",
    no_claim: "非陈述",
    score: "得分",
    warnings: "提示",
    generator: "生成器",
    timings: "耗时",
    error: "错误",
    retry: "重试",
    stopped: "已停止。",
    source_panel: "原文",
    close: "关闭",
    section: "章节",
    file: "文件",
    offsets: (s, e) => `第 ${s}–${e} 个字符`,
    quote_matches: "引文与原文在此位置完全一致。",
    quote_reflowed: "引文与原文在此位置一致（原文件的换行和全角/半角差异除外）。",
    claim_here: "您点击的句子引用的是蓝色下划线标出的原文。",
    quote_differs: "原文在此位置的内容与回答中的引文不一致。",
    file_changed: "文件在建立索引后已被修改，位置可能不再对应。",
    loading: "加载中……",
    show_more_before: "显示更多上文",
    show_more_after: "显示更多下文",
    status: "索引",
    documents: "文档",
    chunks: "文本块",
    embedder: "向量模型",
    not_ready: "未就绪",
    upload_title: "添加文档",
    drop_here: "把文件拖到这里，或",
    choose_file: "选择文件",
    upload_rules: (mb, types) => `不超过 ${mb} MB。支持：${types}。上传后立即建立索引。`,
    uploading: (name, pct) => `正在上传 ${name}：${pct}%`,
    indexing: (name) => `正在为 ${name} 建立索引……`,
    uploaded: (name, status, chunks) => `${name}：${status}，${chunks} 个文本块。`,
    upload_status: { added: "已添加", updated: "已更新", unchanged: "未变化" },
    too_large: (name, size, mb) => `${name} 大小为 ${size}，超过 ${mb} MB 的上限。请拆分文件或压缩其中的图片。`,
    unsupported: (name, types) => `${name}：不支持此文件类型。支持：${types}。`,
    empty_file: (name) => `${name} 是空文件。`,
    upload_failed: (name) => `${name} 未能添加`,
    col_title: "标题",
    col_source: "来源文件",
    col_chunks: "文本块",
    col_added: "添加时间",
    delete: "删除",
    confirm_delete_title: "删除此文档？",
    confirm_delete_body: (t, uploaded) =>
      `“${t}”将从索引中移除。` + (uploaded ? "上传的文件也会从服务器删除。" : "其文件仍留在文档目录中，重新索引该目录会再次加入。"),
    cancel: "取消",
    deleted: (name, n) => `已移除 ${name}（${n} 个文本块）。`,
    no_documents: "索引中还没有文档。",
    eval_title: "最新评测报告",
    eval_none: "还没有评测报告。运行 `make eval`（或 `rag eval --split dev`）后刷新。",
    eval_split: "数据集",
    eval_generated: "生成于",
    key_title: "需要 API 密钥",
    key_body: "此服务器需要 API 密钥。密钥只保存在本浏览器中，并作为 Bearer 令牌发送。",
    key_label: "API 密钥",
    key_save: "使用此密钥",
    key_forget: "清除密钥",
    key_missing: "请输入密钥。",
    key_wrong: "服务器拒绝了此密钥",
    key_needed: "需要 API 密钥。",
    admin_needed: "此操作需要管理员密钥（RAG_ADMIN_KEYS）。",
    network_error: "无法连接服务器。",
    lang_label: "语言",
    menu: "菜单",
  },
  "zh-Hant": {
    brand: "政策問答",
    tagline: "中國科技政策文件 · 每一句都對照原文核實",
    nav_ask: "提問",
    nav_docs: "文件",
    nav_eval: "評測",
    key_button: "API 金鑰",
    conversations: "對話",
    new_conversation: "新對話",
    no_conversations: "還沒有對話。",
    delete_conversation: "刪除此對話",
    untitled: "未命名",
    ask_placeholder: "用中文或英文提問……",
    send: "送出",
    stop: "停止",
    composer_hint: "Enter 送出 · Shift+Enter 換行",
    empty_title: "就文件提問",
    empty_body: "回答引用文件原文。點擊 [n] 即可在原文中查看被引用的段落，逐句核對。",
    examples: "範例",
    thinking: "正在檢索文件……",
    refused_title: "未作回答：文件中沒有能支持回答的內容",
    refused_reason: "原因",
    closest: "最接近的段落",
    sources: "來源",
    checks_summary: (s, f) => `逐句核對：${s} 句有依據，${f} 句存疑`,
    supported: "有依據",
    flagged: "引文不支持此句",
    no_claim: "非陳述",
    score: "得分",
    warnings: "提示",
    generator: "生成器",
    timings: "耗時",
    error: "錯誤",
    retry: "重試",
    stopped: "已停止。",
    source_panel: "原文",
    close: "關閉",
    section: "章節",
    file: "檔案",
    offsets: (s, e) => `第 ${s}–${e} 個字元`,
    quote_matches: "引文與原文在此位置完全一致。",
    quote_reflowed: "引文與原文在此位置一致（原檔案的換行和全形/半形差異除外）。",
    claim_here: "您點擊的句子引用的是藍色底線標出的原文。",
    quote_differs: "原文在此位置的內容與回答中的引文不一致。",
    file_changed: "檔案在建立索引後已被修改，位置可能不再對應。",
    loading: "載入中……",
    show_more_before: "顯示更多上文",
    show_more_after: "顯示更多下文",
    status: "索引",
    documents: "文件",
    chunks: "文本塊",
    embedder: "向量模型",
    not_ready: "未就緒",
    upload_title: "新增文件",
    drop_here: "把檔案拖到這裡，或",
    choose_file: "選擇檔案",
    upload_rules: (mb, types) => `不超過 ${mb} MB。支援：${types}。上傳後立即建立索引。`,
    uploading: (name, pct) => `正在上傳 ${name}：${pct}%`,
    indexing: (name) => `正在為 ${name} 建立索引……`,
    uploaded: (name, status, chunks) => `${name}：${status}，${chunks} 個文本塊。`,
    upload_status: { added: "已新增", updated: "已更新", unchanged: "未變化" },
    too_large: (name, size, mb) => `${name} 大小為 ${size}，超過 ${mb} MB 的上限。請拆分檔案或壓縮其中的圖片。`,
    unsupported: (name, types) => `${name}：不支援此檔案類型。支援：${types}。`,
    empty_file: (name) => `${name} 是空檔案。`,
    upload_failed: (name) => `${name} 未能新增`,
    col_title: "標題",
    col_source: "來源檔案",
    col_chunks: "文本塊",
    col_added: "新增時間",
    delete: "刪除",
    confirm_delete_title: "刪除此文件？",
    confirm_delete_body: (t, uploaded) =>
      `「${t}」將從索引中移除。` + (uploaded ? "上傳的檔案也會從伺服器刪除。" : "其檔案仍留在文件目錄中，重新索引該目錄會再次加入。"),
    cancel: "取消",
    deleted: (name, n) => `已移除 ${name}（${n} 個文本塊）。`,
    no_documents: "索引中還沒有文件。",
    eval_title: "最新評測報告",
    eval_none: "還沒有評測報告。執行 `make eval`（或 `rag eval --split dev`）後重新整理。",
    eval_split: "資料集",
    eval_generated: "產生於",
    key_title: "需要 API 金鑰",
    key_body: "此伺服器需要 API 金鑰。金鑰只保存在本瀏覽器中，並作為 Bearer 權杖傳送。",
    key_label: "API 金鑰",
    key_save: "使用此金鑰",
    key_forget: "清除金鑰",
    key_missing: "請輸入金鑰。",
    key_wrong: "伺服器拒絕了此金鑰",
    key_needed: "需要 API 金鑰。",
    admin_needed: "此操作需要管理員金鑰（RAG_ADMIN_KEYS）。",
    network_error: "無法連線伺服器。",
    lang_label: "語言",
    menu: "選單",
  },
};

export const LANGS = { en: "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文" };

/** The label language: ?lang=, else the one chosen on the page, else the first browser language we have labels for. */
export function pickLang(search = location.search, languages = navigator.languages || [navigator.language]) {
  let stored = null;
  try {
    stored = localStorage.getItem("rag.lang");
  } catch {
    /* storage disabled: follow the browser */
  }
  const asked = new URLSearchParams(search).get("lang") || stored;
  if (asked && LABELS[asked]) return asked;
  for (const raw of languages) {
    const tag = (raw || "").toLowerCase();
    if (tag.startsWith("zh")) {
      return /hant|tw|hk|mo/.test(tag) ? "zh-Hant" : "zh-Hans";
    }
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}

export const lang = pickLang();

/** A label; function labels take arguments (counts, names). Falls back to English. */
export function t(key, ...args) {
  const v = LABELS[lang][key] ?? LABELS.en[key] ?? key;
  return typeof v === "function" ? v(...args) : v;
}

/** Fill every [data-i18n] (text), [data-i18n-placeholder], [data-i18n-title] and [data-i18n-aria] element. */
export function applyLabels(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
}

/** A date in the label language. */
export function formatDate(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
