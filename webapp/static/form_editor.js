// The form editor: add, remove and reorder field rows; a live preview rendered by the server
// with the task page's own macro (POST JSON, HTML fragment back), 300 ms after the last change.
(function () {
  "use strict";
  const root = document.getElementById("form-editor");
  if (!root) return;
  const form = document.getElementById("form-editor-form");
  const rows = document.getElementById("form-field-rows");
  const template = document.getElementById("form-field-template");
  const preview = document.getElementById("form-preview");
  const csrf = form.querySelector('input[name="csrf_token"]').value;
  const maxFields = Number(root.dataset.maxFields || 50);
  const KEYS = ["name", "label", "type", "required", "max_length", "min", "max", "choices", "role", "help"];

  function renumber() {
    Array.from(rows.querySelectorAll("tr.form-field-row")).forEach((tr, index) => {
      tr.dataset.index = String(index);
      tr.querySelectorAll("[name]").forEach((input) => {
        input.name = input.name.replace(/^fields-[^-]+-/, "fields-" + index + "-");
      });
    });
  }

  function definition() {
    const fields = Array.from(rows.querySelectorAll("tr.form-field-row")).map((tr) => {
      const item = {};
      for (const key of KEYS) {
        const input = tr.querySelector('[name$="-' + key + '"]');
        if (!input) continue;
        item[key] = input.type === "checkbox" ? input.checked : input.value;
      }
      return item;
    });
    return { title: form.querySelector('input[name="title"]').value, fields: fields };
  }

  let timer = null;
  let sequence = 0;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  }

  async function refreshPreview() {
    const mine = ++sequence;
    try {
      const response = await fetch(root.dataset.previewUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "text/html" },
        body: JSON.stringify(definition()),
        credentials: "same-origin",
      });
      const html = await response.text();
      if (mine !== sequence) return; // a newer preview is on its way
      preview.innerHTML = html;
      root.dataset.previewState = response.ok ? "ok" : "invalid";
    } catch (err) {
      if (mine === sequence) preview.textContent = "Không tải được bản xem trước. Hãy kiểm tra kết nối.";
    }
  }

  document.getElementById("add-field").addEventListener("click", () => {
    if (rows.querySelectorAll("tr.form-field-row").length >= maxFields) {
      window.alert("Một biểu mẫu có tối đa " + maxFields + " trường.");
      return;
    }
    const fragment = template.content.cloneNode(true);
    rows.appendChild(fragment);
    renumber();
    const last = rows.querySelector("tr.form-field-row:last-child input");
    if (last) last.focus();
    schedulePreview();
  });

  rows.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const tr = button.closest("tr.form-field-row");
    if (button.classList.contains("row-remove")) tr.remove();
    else if (button.classList.contains("row-up") && tr.previousElementSibling) tr.parentNode.insertBefore(tr, tr.previousElementSibling);
    else if (button.classList.contains("row-down") && tr.nextElementSibling) tr.parentNode.insertBefore(tr.nextElementSibling, tr);
    else return;
    renumber();
    schedulePreview();
  });

  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);
  refreshPreview();
})();
