// The staff console's script: live events (SSE), new-lead sound + notification, CSRF on fetch,
// small form helpers. Plain JavaScript, no build step. Other pages listen to live events with
//   document.addEventListener("console:<event>", (e) => e.detail)
// and POST with fetch through window.consoleFetch(url, options) (adds the CSRF header).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const text = (name) => document.querySelector(`template[data-text="${name}"]`)?.innerHTML.trim() || name;

  window.consoleFetch = function (url, options = {}) {
    const headers = new Headers(options.headers || {});
    headers.set("X-CSRF-Token", csrf);
    return fetch(url, { credentials: "same-origin", ...options, headers });
  };

  // ---- sound: a short two-note chime made with Web Audio (no audio file to ship)
  let audio;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [880, 1320].forEach((freq, i) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq; osc.type = "sine";
        const t0 = audio.currentTime + i * 0.16;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.3);
        osc.connect(gain).connect(audio.destination); osc.start(t0); osc.stop(t0 + 0.32);
      });
    } catch (e) { /* no audio available: the toast and badge still show */ }
  }
  document.addEventListener("click", () => { if (audio && audio.state === "suspended") audio.resume(); }, { once: true });

  // ---- browser notifications (asked for only when the agent clicks the bell)
  const bell = document.querySelector("[data-enable-notifications]");
  if (bell && "Notification" in window && Notification.permission === "default") {
    bell.hidden = false;
    bell.addEventListener("click", () => Notification.requestPermission().then(() => { bell.hidden = true; }));
  }

  function toast(title, body, url) {
    const box = document.querySelector("[data-toasts]");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    const span = document.createElement("span");
    span.textContent = body ? `${title}: ${body}` : title;
    span.dir = "auto";
    el.appendChild(span);
    if (url) {
      const a = document.createElement("a");
      a.href = url; a.textContent = text("open");
      el.appendChild(a);
    }
    box.appendChild(el);
    setTimeout(() => el.remove(), 12000);
  }

  // A customer waiting for a person (webservice/console/conversations): chime, toast, notification.
  function onHandoff(h) {
    toast(text("new-handoff"), h.customer, h.url);
    chime();
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      const n = new Notification(text("new-handoff"), { body: h.customer || "", tag: `handoff-${h.id}` });
      n.onclick = () => { window.focus(); location.href = h.url; };
    }
  }

  let newLeads = 0;
  function onLead(lead) {
    newLeads += 1;
    if (lead.kind === "handoff") { // the "handoff" event already rang for it
      document.querySelectorAll("[data-new-leads]").forEach((b) => { b.textContent = String(newLeads); b.hidden = false; });
      return;
    }
    document.querySelectorAll("[data-new-leads]").forEach((b) => { b.textContent = String(newLeads); b.hidden = false; });
    const body = [lead.customer, lead.part, lead.vehicle].filter(Boolean).join(" · ");
    toast(text("new-lead"), body, lead.url);
    chime();
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      const n = new Notification(text("new-lead"), { body, tag: `lead-${lead.id}` });
      n.onclick = () => { window.focus(); location.href = lead.url; };
    }
  }

  // ---- live events: one EventSource per tab, re-dispatched as DOM events for page scripts
  if (document.body.classList.contains("signed-in") && "EventSource" in window) {
    const source = new EventSource("/console/events");
    const forward = (name) => source.addEventListener(name, (ev) => {
      let data = {};
      try { data = JSON.parse(ev.data); } catch (e) { /* keep {} */ }
      if (name === "lead") onLead(data);
      if (name === "handoff") onHandoff(data);
      if (name === "signed_out") { source.close(); location.href = "/console/sign-in"; }
      document.dispatchEvent(new CustomEvent(`console:${name}`, { detail: data }));
    });
    const forwarded = new Set(["lead", "handoff", "signed_out", "unavailable"].concat(window.consoleEvents || []));
    forwarded.forEach(forward);
    window.consoleEventSource = source;
    window.consoleListen = (name) => { if (!forwarded.has(name)) { forwarded.add(name); forward(name); } };
  }

  // ---- lead page: the reason field matters only for "lost"
  document.querySelectorAll("[data-status-form]").forEach((form) => {
    const reason = form.querySelector("[data-reason]");
    const input = reason?.querySelector("input");
    const sync = () => {
      const lost = form.querySelector('input[name="status"]:checked')?.value === "lost";
      if (reason) reason.hidden = !lost && !(input && input.value);
      if (input) input.required = lost;
    };
    form.addEventListener("change", sync); sync();
  });
})();
