// The dossier's process diagram: bpmn-js (the navigated viewer, loaded before this file) draws the
// BPMN the dossier runs on and marks the steps done and the steps open. Without it the page still works.
(function () {
  "use strict";

  const container = document.getElementById("diagram");
  if (!container) return;

  function fail(message) {
    const note = document.createElement("p");
    note.className = "diagram-error";
    note.setAttribute("role", "alert");
    note.textContent = message;
    container.replaceChildren(note);
    container.classList.add("failed");
  }

  if (typeof window.BpmnJS !== "function") {
    fail("Không tải được thư viện hiển thị sơ đồ quy trình. Hãy tải lại trang hoặc báo quản trị hệ thống.");
    return;
  }

  // On a narrow screen the frame scrolls sideways: bring the first open step into view.
  function showCurrent(canvas, ids) {
    const frame = container.parentElement;
    if (!ids.length || frame.scrollWidth <= frame.clientWidth) return;
    const gfx = canvas.getGraphics(ids[0]);
    if (!gfx) return;
    const step = gfx.getBoundingClientRect();
    const view = frame.getBoundingClientRect();
    frame.scrollLeft += step.left + step.width / 2 - view.left - frame.clientWidth / 2;
  }

  async function show() {
    const response = await fetch(container.dataset.src, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const diagram = await response.json();

    container.replaceChildren();
    const viewer = new window.BpmnJS({ container: container });
    await viewer.importXML(diagram.xml);
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const current = new Set(diagram.current || []);
    // A step done before and open again (after a rework) shows as open.
    for (const id of diagram.done || []) {
      if (!current.has(id) && registry.get(id)) canvas.addMarker(id, "step-done");
    }
    const open = [...current].filter((id) => registry.get(id));
    for (const id of open) canvas.addMarker(id, "step-current");
    canvas.zoom("fit-viewport", "auto");
    showCurrent(canvas, open);

    let timer;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        canvas.resized();
        canvas.zoom("fit-viewport", "auto");
        showCurrent(canvas, open);
      }, 150);
    });
  }

  show().catch(() => {
    fail("Không hiển thị được sơ đồ quy trình của hồ sơ này. Hãy tải lại trang.");
  });
})();
