// Conversation review: mark entity spans by selecting text in a customer's message.
// Select words in the message, pick the entity (and the catalog's canonical value when the
// customer's spelling differs), press "Mark"; the spans travel as JSON in a hidden field and
// the server writes the Rasa example ([text](entity) / [text]{"entity": ..., "value": ...}).
(function () {
  "use strict";

  function annotate(text, spans) {
    let out = "", at = 0;
    spans.slice().sort((a, b) => a.start - b.start).forEach((s) => {
      const said = text.slice(s.start, s.end);
      out += text.slice(at, s.start);
      out += s.value && s.value !== said
        ? `[${said}]${JSON.stringify({ entity: s.entity, value: s.value }).replace(/,"/g, ', "').replace(/":/g, '": ')}`
        : `[${said}](${s.entity})`;
      at = s.end;
    });
    return out + text.slice(at);
  }

  function setUp(form) {
    const hidden = form.querySelector("[data-spans]");
    const selectable = form.querySelector("[data-selectable]");
    const list = form.querySelector("[data-span-list]");
    const preview = form.querySelector("[data-preview]");
    const entity = form.querySelector("[data-entity-select]");
    const value = form.querySelector("[data-value-input]");
    const removeLabel = form.parentElement.querySelector("template[data-remove-label]")?.innerHTML.trim() || "×";
    const text = selectable.textContent;
    let spans = [];
    try { spans = JSON.parse(hidden.value || "[]"); } catch (e) { spans = []; }
    let chosen = null; // the last selection inside this message: {start, end}

    function render() {
      hidden.value = JSON.stringify(spans);
      list.replaceChildren(...spans.map((s, i) => {
        const li = document.createElement("li");
        li.className = "span-chip";
        li.dataset.entity = s.entity;
        const said = document.createElement("bdi");
        said.textContent = text.slice(s.start, s.end);
        li.append(said, ` → ${s.entity}${s.value && s.value !== text.slice(s.start, s.end) ? " = " + s.value : ""} `);
        const remove = document.createElement("button");
        remove.type = "button"; remove.className = "link-button"; remove.textContent = removeLabel;
        remove.addEventListener("click", () => { spans.splice(i, 1); render(); });
        li.append(remove);
        return li;
      }));
      preview.textContent = annotate(text, spans);
    }

    function selectionInside() {
      const sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      const range = sel.getRangeAt(0);
      if (!selectable.contains(range.startContainer) || !selectable.contains(range.endContainer)) return null;
      const offset = (node, off) => (node === selectable ? (off === 0 ? 0 : text.length) : off);
      let start = offset(range.startContainer, range.startOffset);
      let end = offset(range.endContainer, range.endOffset);
      if (start > end) [start, end] = [end, start];
      while (start < end && /\s/.test(text[start])) start++;
      while (end > start && /\s/.test(text[end - 1])) end--;
      return start < end ? { start, end } : null;
    }

    document.addEventListener("selectionchange", () => {
      const inside = selectionInside();
      if (inside) { chosen = inside; selectable.dataset.chosen = `${inside.start}-${inside.end}`; }
    });

    form.querySelector("[data-mark]").addEventListener("click", () => {
      const range = selectionInside() || chosen;
      if (!range) { selectable.classList.add("needs-selection"); return; }
      selectable.classList.remove("needs-selection");
      spans = spans.filter((s) => s.end <= range.start || s.start >= range.end);
      spans.push({ start: range.start, end: range.end, entity: entity.value, value: value.value.trim() || null });
      value.value = ""; chosen = null;
      render();
    });
    render();
  }

  document.querySelectorAll("[data-correct-form]").forEach(setUp);
})();
