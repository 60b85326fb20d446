// The counter's screens: live procedure search, the appointment preview, outcome-specific fields.
// Everything works without this file; it only saves keystrokes and round trips.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function text(tag, value, label) {
    const cell = document.createElement(tag);
    cell.textContent = value;
    if (label) cell.dataset.label = label;
    return cell;
  }

  // Procedure search: the list follows what the officer types; Enter opens the first match.
  const search = document.getElementById("q");
  const table = document.getElementById("procedures");
  if (search && table) {
    const body = table.querySelector("tbody");
    let first = null;
    const refresh = debounce(async () => {
      const response = await fetch(search.dataset.source + "?q=" + encodeURIComponent(search.value), {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const items = await response.json();
      body.replaceChildren();
      first = items.length ? items[0].url : null;
      if (!items.length) {
        const row = document.createElement("tr");
        const cell = text("td", "Không tìm thấy thủ tục phù hợp.");
        cell.colSpan = 5;
        row.append(cell);
        body.append(row);
      }
      for (const item of items) {
        const row = document.createElement("tr");
        const link = document.createElement("a");
        link.className = "button";
        link.href = item.url;
        link.textContent = "Tiếp nhận";
        const action = document.createElement("td");
        action.append(link);
        row.append(text("td", item.code, "Mã"), text("td", item.name, "Thủ tục"),
          text("td", item.field, "Lĩnh vực"), text("td", item.processing_time, "Thời hạn"), action);
        body.append(row);
      }
    }, 120);
    search.addEventListener("input", refresh);
    search.form.addEventListener("submit", (event) => {
      if (first) { event.preventDefault(); window.location.href = first; }
    });
  }

  // Reception form: organisation fields, appointment preview for a back-dated reception.
  const form = document.getElementById("reception");
  if (form) {
    const kinds = form.querySelectorAll('input[name="kind"]');
    const showKind = () => {
      const organisation = form.querySelector('input[name="kind"]:checked').value === "organisation";
      form.querySelectorAll(".organisation-only").forEach((el) => { el.hidden = !organisation; });
    };
    kinds.forEach((el) => el.addEventListener("change", showKind));
    showKind();

    const receivedAt = form.querySelector('input[name="received_at"]');
    const target = document.getElementById("appointment-date");
    if (receivedAt && target) {
      receivedAt.addEventListener("change", async () => {
        const url = form.dataset.appointment + "&received_at=" + encodeURIComponent(receivedAt.value);
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (response.ok) target.textContent = (await response.json()).due_label;
      });
    }
  }
})();
