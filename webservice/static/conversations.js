// Live conversations (webservice/console/conversations): the queue refreshes itself, a conversation
// page receives new lines by server-sent events, what the agent types survives a reload.
// Plain JavaScript, no build step; console.js (loaded first) provides consoleListen/consoleFetch.
(function () {
  "use strict";
  const text = (name) => document.querySelector(`template[data-text="${name}"]`)?.innerHTML.trim() || name;

  // ---- the waiting queue: re-fetched when a handoff starts or anything changes
  const queue = document.querySelector("[data-live-queue]");
  if (queue) {
    const refresh = () => fetch(queue.dataset.queueUrl, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => { queue.innerHTML = html; })
      .catch(() => { /* keep the last list; the next event or tick tries again */ });
    if (window.consoleListen) window.consoleListen("handoff");
    document.addEventListener("console:handoff", refresh);
    setInterval(refresh, 20000); // waiting times move on
  }

  // ---- one conversation
  const conv = document.querySelector("[data-conversation]");
  if (!conv) return;
  const id = conv.dataset.conversation;
  const list = conv.querySelector("[data-transcript]");
  const box = conv.querySelector("textarea[data-reply-text]:not([readonly])");
  const draftKey = `console-draft:${id}`;
  const params = new URLSearchParams(location.search);

  // What the agent typed is kept in this tab until it is sent (a reload or a live refresh keeps it).
  if (params.get("done") === "sent") sessionStorage.removeItem(draftKey);
  if (box) {
    if (!box.value && sessionStorage.getItem(draftKey)) box.value = sessionStorage.getItem(draftKey);
    box.addEventListener("input", () => sessionStorage.setItem(draftKey, box.value));
  }
  const keepDraft = () => { if (box && box.value) sessionStorage.setItem(draftKey, box.value); };

  conv.querySelectorAll("[data-reuse]").forEach((button) => button.addEventListener("click", () => {
    const kept = button.closest("li")?.querySelector("[data-journal-text]")?.textContent || "";
    if (box) { box.value = kept; box.focus(); sessionStorage.setItem(draftKey, kept); }
  }));

  // One click, one send: the button says "Sending…" while WhatsApp answers.
  conv.querySelectorAll("form[method=post]").forEach((form) => form.addEventListener("submit", () => {
    keepDraft();
    const button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = text("sending"); }
  }));

  const scrollDown = () => { list.scrollTop = list.scrollHeight; };
  scrollDown();

  // The 24-hour window: when it closes while the page is open, show the template form.
  const closesAt = Number(conv.dataset.windowCloses || 0) * 1000;
  if (closesAt && conv.querySelector("[data-reply-form]")) {
    setInterval(() => { if (Date.now() > closesAt) { keepDraft(); location.reload(); } }, 30000);
  }

  if (!("EventSource" in window) || !conv.dataset.streamUrl) return;
  let lastId = conv.dataset.lastId || "0";
  let banner;
  const source = new EventSource(`${conv.dataset.streamUrl}?after=${encodeURIComponent(lastId)}`);
  source.addEventListener("open", () => { if (banner) { banner.remove(); banner = null; } });
  source.addEventListener("error", () => {
    if (banner) return;
    banner = document.createElement("p");
    banner.className = "alert alert-error"; banner.setAttribute("role", "status");
    banner.textContent = text("reconnecting");
    conv.prepend(banner);
  });
  source.addEventListener("line", (ev) => {
    let data = {};
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    lastId = ev.lastEventId || lastId;
    if (data.reload) {
      // who answers changed: reload for the right controls, unless the page already shows them
      // (the take-over's own "pause" can arrive just after the page it led to was drawn)
      const paused = conv.dataset.paused === "true";
      const already = (data.type === "pause" && paused) || (data.type === "resume" && !paused);
      if (!already) { keepDraft(); location.reload(); }
      return;
    }
    if (data.html && !list.querySelector(`[data-event-id="${CSS.escape(ev.lastEventId)}"]`)) {
      list.querySelector(".msg-system:only-child")?.remove();
      list.insertAdjacentHTML("beforeend", data.html); // rendered and escaped by the server
      scrollDown();
    }
    if (data.customer) {
      if (data.window_closes_at && !conv.querySelector("[data-reply-form]") && conv.querySelector("[data-template-form]")) {
        keepDraft(); location.reload(); return; // the window reopened: free replies again
      }
      if (document.visibilityState !== "visible") document.title = `• ${text("new-message")} — ${document.title.replace(/^• .*? — /, "")}`;
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") document.title = document.title.replace(/^• .*? — /, "");
  });
  window.addEventListener("beforeunload", () => source.close());
})();
