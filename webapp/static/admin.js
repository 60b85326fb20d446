// The procedure editor: show the new-field inputs only when asked for, move component rows up and down.
// Everything works without this file: positions can be typed, the new-field inputs are always there.
(function () {
  "use strict";

  const form = document.getElementById("procedure-form");
  if (!form) return;

  const field = form.querySelector('select[name="field"]');
  const showNewField = () => {
    const wanted = field.value === field.dataset.new;
    form.querySelectorAll(".new-field").forEach((el) => { el.hidden = !wanted; });
  };
  field.addEventListener("change", showNewField);
  showNewField();

  // Moving a row renumbers every row's position, so what is saved is what is seen.
  const body = form.querySelector("#components tbody");
  const renumber = () => {
    body.querySelectorAll("input.position").forEach((input, index) => { input.value = index + 1; });
  };
  const button = (label, title, move) => {
    const el = document.createElement("button");
    el.type = "button";
    el.textContent = label;
    el.title = title;
    el.setAttribute("aria-label", title);
    el.addEventListener("click", () => { move(el.closest("tr")); renumber(); });
    return el;
  };
  body.querySelectorAll("tr").forEach((row) => {
    const slot = row.querySelector(".move");
    if (!slot) return;
    slot.append(
      button("↑", "Chuyển lên", (tr) => { if (tr.previousElementSibling) tr.previousElementSibling.before(tr); }),
      button("↓", "Chuyển xuống", (tr) => { if (tr.nextElementSibling) tr.nextElementSibling.after(tr); }),
    );
  });
})();
