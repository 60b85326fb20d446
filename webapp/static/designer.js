// The process designer (templates/designer/modeler.html): the bpmn-js Modeler, loaded before this file,
// with our own side panel for what the engine reads from a diagram: a user task's form, allotted hours,
// status and assignee field (spiff:property), lane names, Python conditions and the gateway's default
// flow, scripts. The draft is checked, dry-run, deployed, uploaded and downloaded through the server
// (webapp/designer.py). Plain browser JavaScript, no bundler; nothing inline (the page's CSP forbids it).
(function () {
  "use strict";

  const root = document.getElementById("designer");
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("designer-config").textContent);
  const processKey = root.dataset.processKey;
  const csrf = root.dataset.csrf;
  const urls = {
    xml: root.dataset.xmlUrl,
    check: root.dataset.checkUrl,
    trial: root.dataset.trialUrl,
    deploy: root.dataset.deployUrl,
    upload: root.dataset.uploadUrl,
  };
  const canvasBox = $("designer-canvas");
  const stateLine = $("designer-state");
  const message = $("designer-message");
  const propertiesBody = $("designer-properties-body");
  const formsByName = Object.fromEntries(config.forms.map((f) => [f.name, f]));

  // The spiff extension as bpmn-js reads and writes it: <bpmn:extensionElements><spiff:properties>
  // <spiff:property name="form" value="examine"/></spiff:properties>, and the pre/post scripts SpiffWorkflow
  // knows, so that they survive a round trip through the modeler.
  const SPIFF_MODDLE = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiff",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      {
        name: "Properties",
        superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }],
      },
      {
        name: "Property",
        superClass: ["Element"],
        properties: [
          { name: "name", isAttr: true, type: "String" },
          { name: "value", isAttr: true, type: "String" },
        ],
      },
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
    ],
  };

  const TYPE_LABELS = {
    "bpmn:UserTask": "Tác vụ người dùng (bước xử lý)",
    "bpmn:ScriptTask": "Tác vụ kịch bản",
    "bpmn:ManualTask": "Tác vụ thủ công",
    "bpmn:Task": "Tác vụ (chưa chọn loại)",
    "bpmn:ServiceTask": "Tác vụ dịch vụ (chưa được hỗ trợ)",
    "bpmn:SendTask": "Tác vụ gửi (chưa được hỗ trợ)",
    "bpmn:ReceiveTask": "Tác vụ nhận (chưa được hỗ trợ)",
    "bpmn:BusinessRuleTask": "Tác vụ quy tắc (chưa được hỗ trợ)",
    "bpmn:Lane": "Làn",
    "bpmn:Participant": "Bể (quy trình)",
    "bpmn:SequenceFlow": "Nhánh (luồng tuần tự)",
    "bpmn:ExclusiveGateway": "Cổng rẽ nhánh (chọn một)",
    "bpmn:ParallelGateway": "Cổng song song",
    "bpmn:InclusiveGateway": "Cổng bao hàm (chưa được hỗ trợ)",
    "bpmn:StartEvent": "Sự kiện bắt đầu",
    "bpmn:EndEvent": "Sự kiện kết thúc",
    "bpmn:IntermediateCatchEvent": "Sự kiện chờ",
    "bpmn:BoundaryEvent": "Sự kiện biên",
    "bpmn:TextAnnotation": "Ghi chú",
    "bpmn:Process": "Quy trình",
  };

  // --- Small DOM helpers: every text goes in as text, never as HTML ---------------------------------------

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let fieldCounter = 0;
  function field(label, control, hint) {
    const id = control.id || "designer-field-" + ++fieldCounter;
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id, text: label }), control, hint ? h("small", { text: hint }) : null);
  }

  function say(kind, text) {
    message.hidden = !text;
    message.className = "flash " + (kind || "");
    message.textContent = text || "";
  }

  function fold(text) {
    return String(text || "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .join(" ");
  }
  const roleByLane = Object.fromEntries(config.lanes.map((lane) => [fold(lane.name), lane.role]));

  // --- Talking to the server -------------------------------------------------------------------------------

  async function post(url, body) {
    const headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    const isForm = body instanceof FormData;
    if (!isForm) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: headers,
        body: isForm ? body : JSON.stringify(body),
      });
    } catch (err) {
      return { status: 0, data: { error: "Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.", problems: [] } };
    }
    if (response.redirected && /\/dang-nhap/.test(response.url)) {
      return {
        status: 401,
        data: { error: "Phiên đăng nhập đã hết hạn. Hãy tải xuống sơ đồ để giữ bản nháp, rồi đăng nhập lại.", problems: [] },
      };
    }
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = {
        error:
          response.status === 413
            ? "Dữ liệu gửi lên quá lớn."
            : "Máy chủ trả lời không đúng định dạng (mã " + response.status + "). Hãy thử lại.",
        problems: [],
      };
    }
    return { status: response.status, data: data || {} };
  }

  // --- The modeler ---------------------------------------------------------------------------------------

  if (typeof window.BpmnJS !== "function") {
    canvasBox.replaceChildren(
      h("p", {
        class: "diagram-error",
        role: "alert",
        text: "Không tải được thư viện thiết kế sơ đồ (bpmn-js). Hãy tải lại trang hoặc báo quản trị hệ thống.",
      })
    );
    stateLine.textContent = "";
    return;
  }

  canvasBox.replaceChildren();
  const modeler = new window.BpmnJS({ container: canvasBox, moddleExtensions: { spiff: SPIFF_MODDLE } });
  window.motcuaModeler = modeler; // for tests and for the curious: the bpmn-js API of this page
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const registry = modeler.get("elementRegistry");
  const canvas = modeler.get("canvas");
  const selection = modeler.get("selection");
  const overlays = modeler.get("overlays");
  const eventBus = modeler.get("eventBus");

  let current = null; // the element the panel shows
  let ownChange = false; // the panel itself is changing the diagram: do not redraw the panel under the user
  let dirty = false;
  let loaded = false;

  function is(element, type) {
    const bo = element && (element.businessObject || element);
    return Boolean(bo && bo.$instanceOf && bo.$instanceOf(type));
  }

  function setDirty(value) {
    dirty = value;
    stateLine.textContent = value ? "Có thay đổi chưa triển khai." : "Bản nháp giống phiên bản đang dùng.";
  }

  function apply(change) {
    ownChange = true;
    try {
      change();
    } finally {
      ownChange = false;
    }
  }

  async function load(xml) {
    const result = await modeler.importXML(xml);
    canvas.zoom("fit-viewport", "auto");
    current = null;
    renderPanel();
    loaded = true;
    for (const id of ["designer-check", "designer-trial-toggle", "designer-deploy", "designer-download"]) {
      $(id).disabled = false;
    }
    return result.warnings || [];
  }

  async function draftXml() {
    const { xml } = await modeler.saveXML({ format: true });
    return xml;
  }

  function label(element) {
    const bo = element.businessObject || element;
    return bo.name ? "“" + bo.name + "” (" + bo.id + ")" : bo.id;
  }

  eventBus.on("selection.changed", (event) => {
    const chosen = event.newSelection.length === 1 ? event.newSelection[0] : null;
    current = chosen && chosen.labelTarget ? chosen.labelTarget : chosen;
    renderPanel();
  });
  eventBus.on("element.changed", (event) => {
    if (!ownChange && current && event.element === current) renderPanel();
  });
  eventBus.on("commandStack.changed", () => {
    if (loaded) setDirty(true);
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // --- spiff:property values --------------------------------------------------------------------------------

  function spiffContainer(bo) {
    const ext = bo.extensionElements;
    if (!ext) return null;
    return (ext.get("values") || []).find((value) => is(value, "spiff:Properties")) || null;
  }

  function getProperty(element, name) {
    const container = spiffContainer(element.businessObject);
    if (!container) return "";
    const prop = container.get("properties").find((p) => p.name === name);
    return prop && prop.value !== undefined ? String(prop.value) : "";
  }

  function setProperty(element, name, raw) {
    const value = String(raw === undefined || raw === null ? "" : raw).trim();
    const bo = element.businessObject;
    apply(() => {
      let ext = bo.extensionElements;
      if (!ext) {
        if (!value) return;
        ext = moddle.create("bpmn:ExtensionElements", { values: [] });
        ext.$parent = bo;
        modeling.updateProperties(element, { extensionElements: ext });
      }
      let container = spiffContainer(bo);
      if (!container) {
        if (!value) return;
        container = moddle.create("spiff:Properties", { properties: [] });
        container.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: [...ext.get("values"), container] });
      }
      const list = container.get("properties");
      const existing = list.find((p) => p.name === name);
      if (!value) {
        if (existing) modeling.updateModdleProperties(element, container, { properties: list.filter((p) => p !== existing) });
      } else if (existing) {
        if (existing.value !== value) modeling.updateModdleProperties(element, existing, { value: value });
      } else {
        const prop = moddle.create("spiff:Property", { name: name, value: value });
        prop.$parent = container;
        modeling.updateModdleProperties(element, container, { properties: [...list, prop] });
      }
    });
  }

  // --- The side panel ----------------------------------------------------------------------------------------

  function nameField(element, labelText) {
    const input = h("input", { type: "text", id: "designer-name", value: element.businessObject.name || "" });
    input.addEventListener("change", () => apply(() => modeling.updateLabel(element, input.value.trim())));
    return field(labelText || "Tên", input);
  }

  function renderPanel() {
    const element = current;
    propertiesBody.replaceChildren();
    if (!element || element === canvas.getRootElement()) {
      propertiesBody.append(
        h("p", { class: "muted", text: "Chọn một bước, làn, nhánh, cổng hoặc tác vụ kịch bản trên sơ đồ để sửa thuộc tính." })
      );
      return;
    }
    const bo = element.businessObject;
    propertiesBody.append(
      h(
        "p",
        { class: "designer-element" },
        h("strong", { text: TYPE_LABELS[bo.$type] || bo.$type }),
        h("br"),
        "Mã phần tử: ",
        h("code", { id: "designer-element-id", text: bo.id })
      )
    );
    if (is(bo, "bpmn:UserTask")) userTaskPanel(element);
    else if (is(bo, "bpmn:Lane")) lanePanel(element);
    else if (is(bo, "bpmn:SequenceFlow")) flowPanel(element);
    else if (is(bo, "bpmn:ScriptTask")) scriptPanel(element);
    else if (is(bo, "bpmn:ExclusiveGateway") || is(bo, "bpmn:InclusiveGateway")) gatewayPanel(element);
    else if (is(bo, "bpmn:FlowNode") || is(bo, "bpmn:Participant")) propertiesBody.append(nameField(element));
  }

  function userTaskPanel(element) {
    propertiesBody.append(nameField(element, "Tên bước"));

    const form = getProperty(element, "form");
    const formSelect = h("select", { id: "designer-form" }, h("option", { value: "", text: "— Chọn biểu mẫu —" }));
    for (const f of config.forms) {
      formSelect.append(h("option", { value: f.name, text: f.title + " (" + f.name + ")", selected: f.name === form }));
    }
    if (form && !formsByName[form]) {
      formSelect.append(h("option", { value: form, text: form + " (không có trong danh mục biểu mẫu)", selected: true }));
    }
    formSelect.addEventListener("change", () => setProperty(element, "form", formSelect.value));
    propertiesBody.append(field("Biểu mẫu", formSelect, "Biểu mẫu người xử lý điền ở bước này (thư mục forms/)."));

    const hours = h("input", {
      type: "number",
      id: "designer-hours",
      min: "0.5",
      step: "0.5",
      inputmode: "decimal",
      value: getProperty(element, "allotted_hours"),
    });
    hours.addEventListener("change", () => setProperty(element, "allotted_hours", hours.value));
    propertiesBody.append(field("Thời gian xử lý (giờ làm việc)", hours, "Ví dụ 8 là một ngày làm việc."));

    const status = getProperty(element, "status");
    const statusSelect = h("select", { id: "designer-status" }, h("option", { value: "", text: "— Không đặt —" }));
    for (const s of config.statuses) {
      statusSelect.append(
        h("option", { value: String(s.value), text: s.value + " – " + s.label, selected: String(s.value) === status })
      );
    }
    statusSelect.addEventListener("change", () => setProperty(element, "status", statusSelect.value));
    propertiesBody.append(field("Trạng thái hồ sơ ở bước này", statusSelect));

    const assignee = h("input", { type: "text", id: "designer-assignee", value: getProperty(element, "assignee") });
    assignee.addEventListener("change", () => setProperty(element, "assignee", assignee.value));
    propertiesBody.append(
      field(
        "Trường dữ liệu chỉ định người thực hiện",
        assignee,
        "Tên trường mà một bước trước ghi người được giao, ví dụ specialist. Để trống: giao cho những người có vai trò của làn."
      )
    );

    // The documents this step produces: offered to the person at the step beside its form.
    const chosen = (getProperty(element, "documents") || "").split(",").map((d) => d.trim()).filter(Boolean);
    const documents = h("div", { id: "designer-documents", class: "choices" });
    for (const d of config.documents) {
      const box = h("input", { type: "checkbox", value: d.value, checked: chosen.includes(d.value) });
      box.addEventListener("change", () => {
        const picked = [...documents.querySelectorAll("input:checked")].map((b) => b.value);
        setProperty(element, "documents", picked.join(","));
      });
      documents.append(h("label", { class: "choice" }, box, " " + d.label));
    }
    propertiesBody.append(field("Văn bản bước này tạo", documents, "Người xử lý bước này tải hoặc in các văn bản đã chọn."));

    const lanes = element.businessObject.get("lanes") || [];
    const lane = lanes[lanes.length - 1];
    const role = lane ? roleByLane[fold(lane.name)] : undefined;
    propertiesBody.append(
      h(
        "p",
        { class: lane && role ? "muted" : "error" },
        lane
          ? "Làn: “" + (lane.name || lane.id) + "” — " + (role ? "vai trò " + role + "." : "tên làn chưa ứng với vai trò nào.")
          : "Bước này chưa nằm trong làn nào: hãy kéo nó vào làn của người thực hiện."
      )
    );
  }

  function lanePanel(element) {
    const input = h("input", { type: "text", id: "designer-name", value: element.businessObject.name || "" });
    const roleLine = h("p", { id: "designer-lane-role" });
    const showRole = () => {
      const role = roleByLane[fold(input.value)];
      roleLine.className = role ? "muted" : "error";
      roleLine.textContent = role ? "Làn này do " + role.toLowerCase() + " thực hiện." : "Tên làn chưa ứng với vai trò nào.";
    };
    input.addEventListener("input", showRole);
    input.addEventListener("change", () => apply(() => modeling.updateLabel(element, input.value.trim())));
    showRole();
    propertiesBody.append(field("Tên làn", input, "Tên làn quyết định vai trò thực hiện. Dùng một trong: " + config.laneHint + "."), roleLine);
  }

  function isGateway(element) {
    return is(element, "bpmn:ExclusiveGateway") || is(element, "bpmn:InclusiveGateway");
  }

  function flowPanel(element) {
    const bo = element.businessObject;
    propertiesBody.append(nameField(element, "Tên nhánh"));
    const source = element.source;
    if (!source || !isGateway(source)) {
      propertiesBody.append(
        h("p", { class: "muted", text: "Nhánh này đi ra từ một bước, không từ cổng rẽ nhánh, nên không cần điều kiện." })
      );
      return;
    }
    const isDefault = source.businessObject.default === bo;
    const defaultBox = h("input", { type: "checkbox", id: "designer-default", checked: isDefault });
    const condition = h("textarea", {
      id: "designer-condition",
      rows: "3",
      class: "code-input",
      spellcheck: "false",
      disabled: isDefault,
    });
    condition.value = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
    defaultBox.addEventListener("change", () => {
      apply(() => {
        if (defaultBox.checked) {
          modeling.updateProperties(element, { conditionExpression: undefined });
          modeling.updateProperties(source, { default: bo });
        } else {
          modeling.updateProperties(source, { default: undefined });
        }
      });
      renderPanel();
    });
    condition.addEventListener("change", () => {
      const text = condition.value.trim();
      const expression = text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined;
      apply(() => modeling.updateProperties(element, { conditionExpression: expression }));
    });
    propertiesBody.append(
      h(
        "div",
        { class: "field" },
        h("label", { class: "choice" }, defaultBox, " Nhánh mặc định của cổng " + label(source)),
        h("small", { text: "Đi theo nhánh này khi không nhánh nào khác thỏa điều kiện. Nhánh mặc định không có điều kiện." })
      ),
      field(
        "Điều kiện (biểu thức Python)",
        condition,
        'Đọc dữ liệu của hồ sơ, ví dụ decision == "approve" hoặc area > 250.'
      )
    );
  }

  function gatewayPanel(element) {
    const bo = element.businessObject;
    propertiesBody.append(nameField(element));
    const outgoing = element.outgoing.filter((c) => is(c, "bpmn:SequenceFlow"));
    const select = h("select", { id: "designer-gateway-default" }, h("option", { value: "", text: "— Không có —" }));
    for (const flow of outgoing) {
      select.append(
        h("option", {
          value: flow.id,
          text: (flow.businessObject.name ? flow.businessObject.name + " " : "") + "→ " + label(flow.target) + " [" + flow.id + "]",
          selected: bo.default === flow.businessObject,
        })
      );
    }
    select.addEventListener("change", () => {
      const chosen = outgoing.find((flow) => flow.id === select.value);
      apply(() => {
        if (chosen) modeling.updateProperties(chosen, { conditionExpression: undefined });
        modeling.updateProperties(element, { default: chosen ? chosen.businessObject : undefined });
      });
    });
    propertiesBody.append(
      field("Nhánh mặc định", select, "Các nhánh khác cần điều kiện; chọn một nhánh trên sơ đồ để sửa điều kiện của nó.")
    );
  }

  function scriptPanel(element) {
    const bo = element.businessObject;
    propertiesBody.append(nameField(element));
    const script = h("textarea", { id: "designer-script", rows: "8", class: "code-input", spellcheck: "false" });
    script.value = bo.script || "";
    script.addEventListener("change", () =>
      apply(() => modeling.updateProperties(element, { script: script.value, scriptFormat: bo.scriptFormat || "python" }))
    );
    propertiesBody.append(
      field("Kịch bản (Python)", script, "Chạy trên dữ liệu của hồ sơ, ví dụ fee = 50000 if area > 250 else 0.")
    );
  }

  // --- Problems: in the panel and on the diagram ------------------------------------------------------------

  function elementFor(id) {
    if (!id) return null;
    const direct = registry.get(id);
    if (direct) return direct;
    // A process in a collaboration is drawn as its pool.
    return registry.find((e) => is(e, "bpmn:Participant") && e.businessObject.processRef && e.businessObject.processRef.id === id) || null;
  }

  function focus(element) {
    selection.select(element);
    try {
      canvas.scrollToElement(element);
    } catch (err) {
      /* an element outside the visible diagram: selecting it is enough */
    }
  }

  function clearMarks() {
    overlays.remove({ type: "motcua-problem" });
    registry.forEach((element) => {
      for (const marker of ["has-problem", "trial-taken", "trial-ready"]) canvas.removeMarker(element, marker);
    });
  }

  function showProblems(problems, summary) {
    clearMarks();
    const section = $("designer-problems");
    const list = $("designer-problem-list");
    list.replaceChildren();
    section.hidden = false;
    $("designer-problems-summary").textContent = summary;
    $("designer-problems-summary").className = problems.length ? "error" : "ok";
    const counted = new Map();
    for (const problem of problems) {
      const element = elementFor(problem.element_id);
      const where = problem.element_id
        ? (problem.element_name ? "“" + problem.element_name + "” (" + problem.element_id + ")" : problem.element_id)
        : "";
      const item = h("li", { "data-element-id": problem.element_id || "" });
      if (element) {
        item.append(
          h("button", { type: "button", class: "link-button", onclick: () => focus(element), text: where }),
          ": " + problem.message
        );
        canvas.addMarker(element, "has-problem");
        counted.set(element, (counted.get(element) || []).concat(problem.message));
      } else {
        item.append(where ? where + ": " + problem.message : problem.message);
      }
      list.append(item);
    }
    for (const [element, messages] of counted) {
      const badge = h("span", {
        class: "problem-badge",
        title: messages.join("\n"),
        text: messages.length > 1 ? "!" + messages.length : "!",
      });
      badge.addEventListener("click", () => focus(element));
      const position = element.waypoints ? { top: -10, left: -10 } : { top: -10, right: 10 };
      overlays.add(element, "motcua-problem", { position: position, html: badge });
    }
  }

  // --- Kiểm tra -------------------------------------------------------------------------------------------------

  async function check() {
    say("", "Đang kiểm tra sơ đồ…");
    const { status, data } = await post(urls.check, { xml: await draftXml() });
    if (status === 200 && data.ok) {
      showProblems([], "Không có vấn đề nào: sơ đồ sẵn sàng để triển khai.");
      say("success", "Không có vấn đề nào: sơ đồ sẵn sàng để triển khai.");
      return true;
    }
    const problems = data.problems || [];
    showProblems(problems, data.error || "Sơ đồ còn vấn đề cần sửa.");
    say("error", data.error || "Không kiểm tra được sơ đồ.");
    return false;
  }

  // --- Triển khai -------------------------------------------------------------------------------------------------

  async function deploy() {
    const ok = window.confirm(
      "Triển khai bản nháp này thành phiên bản mới của quy trình “" +
        processKey +
        "”?\nHồ sơ tiếp nhận sau đó chạy theo phiên bản mới; hồ sơ đang xử lý giữ phiên bản cũ."
    );
    if (!ok) return;
    say("", "Đang triển khai…");
    const { status, data } = await post(urls.deploy, { xml: await draftXml() });
    if ((status === 201 || status === 200) && data.number) {
      clearMarks();
      $("designer-problems").hidden = true;
      $("latest-number").textContent = String(data.number);
      say("success", data.message);
      setDirty(false);
      return;
    }
    const problems = data.problems || [];
    if (problems.length) showProblems(problems, data.error);
    say("error", data.error || "Không triển khai được (mã " + status + ").");
  }

  // --- Tải xuống / tải lên ---------------------------------------------------------------------------------

  async function download() {
    const blob = new Blob([await draftXml()], { type: "application/xml" });
    const href = URL.createObjectURL(blob);
    const link = h("a", { href: href, download: processKey + ".bpmn", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10000);
  }

  // The draft must stay the process of this page: a file saved elsewhere gets this page's process id.
  function keepProcessKey() {
    const definitions = modeler.getDefinitions();
    const processes = definitions.get("rootElements").filter((e) => is(e, "bpmn:Process"));
    const process = processes.find((p) => p.isExecutable) || processes[0];
    if (!process || process.id === processKey) return null;
    const before = process.id;
    const rootElement = canvas.getRootElement();
    if (rootElement.businessObject === process) {
      modeling.updateProperties(rootElement, { id: processKey });
    } else {
      if (moddle.ids) {
        moddle.ids.unclaim(before);
        moddle.ids.claim(processKey, process);
      }
      process.id = processKey;
    }
    return before;
  }

  function listInto(list, items, empty) {
    list.replaceChildren(...(items.length ? items : [empty]).map((text) => h("li", { text: text })));
  }

  async function upload(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    if (dirty && !window.confirm("Bản nháp hiện tại có thay đổi chưa triển khai. Thay bằng tệp “" + file.name + "”?")) {
      input.value = "";
      return;
    }
    say("", "Đang đọc tệp “" + file.name + "”…");
    const body = new FormData();
    body.append("file", file);
    const { status, data } = await post(urls.upload, body);
    input.value = "";
    if (status !== 200 || !data.xml) {
      say("error", data.error || "Không đọc được tệp (mã " + status + ").");
      if ((data.problems || []).length) showProblems(data.problems, "Tệp “" + file.name + "” không nạp được.");
      return;
    }
    let warnings;
    try {
      warnings = await load(data.xml);
    } catch (err) {
      say("error", "Trình thiết kế không vẽ được tệp “" + file.name + "”: " + (err && err.message ? err.message : err));
      return;
    }
    const renamed = keepProcessKey();
    const section = $("designer-import");
    section.hidden = false;
    const notes = [];
    if (data.camunda) notes.push("Tệp được lưu bởi Camunda Modeler nên đã được chuyển sang quy ước Một Cửa.");
    if (renamed) notes.push("Mã quy trình “" + renamed + "” trong tệp được đổi thành “" + processKey + "”.");
    if (warnings.length) notes.push("Trình thiết kế bỏ qua " + warnings.length + " phần không đọc được trong tệp.");
    notes.push("Sơ đồ chưa được triển khai: hãy kiểm tra, sửa rồi bấm Triển khai.");
    $("designer-import-summary").textContent = "Đã nạp “" + file.name + "”. " + notes.join(" ");
    listInto($("designer-mapped"), data.mapped || [], data.camunda ? "Không có gì cần chuyển." : "Tệp đã theo quy ước Một Cửa.");
    listInto($("designer-unmapped"), data.unmapped || [], "Không có.");
    const problems = data.problems || [];
    showProblems(
      problems,
      problems.length ? "Sơ đồ vừa tải lên còn " + problems.length + " vấn đề cần sửa." : "Không có vấn đề nào."
    );
    say(problems.length ? "warning" : "success", "Đã nạp tệp “" + file.name + "” vào trình thiết kế (chưa triển khai).");
    setDirty(true);
    section.scrollIntoView({ block: "nearest" });
  }

  // --- Chạy thử -------------------------------------------------------------------------------------------------

  const trialSection = $("designer-trial");
  const trialBody = document.querySelector("#designer-trial-steps tbody");
  const trialResult = $("designer-trial-result");

  function userTasks() {
    return registry.filter((e) => is(e, "bpmn:UserTask") && !e.labelTarget);
  }

  // The user tasks in the order a dossier meets them: depth first from the start, conditioned branches
  // before the default one (the usual "approve" path first), each task once.
  function taskOrder() {
    const order = [];
    const seen = new Set();
    const visit = (node) => {
      if (!node || seen.has(node.id)) return;
      seen.add(node.id);
      if (is(node, "bpmn:UserTask")) order.push(node);
      const fallback = node.businessObject.default;
      const outgoing = (node.outgoing || [])
        .filter((c) => is(c, "bpmn:SequenceFlow"))
        .sort((a, b) => (a.businessObject === fallback ? 1 : 0) - (b.businessObject === fallback ? 1 : 0));
      for (const flow of outgoing) visit(flow.target);
      for (const boundary of node.attachers || []) visit(boundary);
    };
    registry.filter((e) => is(e, "bpmn:StartEvent") && !e.labelTarget).forEach(visit);
    for (const task of userTasks()) if (!seen.has(task.id)) order.push(task);
    return order;
  }

  function sampleData(formName) {
    const form = formsByName[formName];
    const data = {};
    if (!form) return data;
    for (const f of form.fields) {
      if (!f.required) continue;
      if (f.type === "choice") data[f.name] = f.choices.length ? String(f.choices[0][0]) : "";
      else if (f.type === "integer" || f.type === "number") data[f.name] = f.min !== null && f.min !== undefined ? f.min : 1;
      else if (f.type === "date") data[f.name] = new Date().toISOString().slice(0, 10);
      else if (f.type === "boolean") data[f.name] = true;
      else if (f.type === "user") data[f.name] = "1";
      else data[f.name] = "Nội dung chạy thử";
    }
    return data;
  }

  function renumber() {
    [...trialBody.rows].forEach((row, index) => {
      row.cells[0].textContent = String(index + 1);
      row.querySelector("select").setAttribute("aria-label", "Bước " + (index + 1));
      row.querySelector("textarea").setAttribute("aria-label", "Dữ liệu bước " + (index + 1));
    });
  }

  function addRow(stepId, data) {
    const select = h("select", { class: "trial-step" });
    const tasks = userTasks();
    for (const task of tasks) {
      select.append(h("option", { value: task.id, text: label(task), selected: task.id === stepId }));
    }
    if (stepId && !tasks.some((t) => t.id === stepId)) {
      select.append(h("option", { value: stepId, text: stepId + " (không còn trong sơ đồ)", selected: true }));
    }
    const text = h("textarea", { class: "trial-data code-input", rows: "2", spellcheck: "false" });
    text.value = JSON.stringify(data || {});
    select.addEventListener("change", () => {
      if (text.value.trim() === "" || text.value.trim() === "{}") {
        const task = registry.get(select.value);
        if (task) text.value = JSON.stringify(sampleData(getProperty(task, "form")));
      }
    });
    const row = h(
      "tr",
      {},
      h("td", { class: "trial-number" }),
      h("td", {}, select),
      h("td", {}, text),
      h(
        "td",
        { class: "row-actions" },
        h("button", { type: "button", title: "Lên", "aria-label": "Chuyển bước lên trên", onclick: () => move(row, -1), text: "↑" }),
        h("button", { type: "button", title: "Xuống", "aria-label": "Chuyển bước xuống dưới", onclick: () => move(row, 1), text: "↓" }),
        h("button", { type: "button", class: "danger", onclick: () => { row.remove(); renumber(); }, text: "Xóa" })
      )
    );
    trialBody.append(row);
    renumber();
    return row;
  }

  function move(row, delta) {
    if (delta < 0 && row.previousElementSibling) row.previousElementSibling.before(row);
    if (delta > 0 && row.nextElementSibling) row.nextElementSibling.after(row);
    renumber();
  }

  function prefill() {
    trialBody.replaceChildren();
    for (const task of taskOrder()) addRow(task.id, sampleData(getProperty(task, "form")));
    trialResult.replaceChildren();
  }

  function titled(items) {
    return items.map((item) => (item.title && item.title !== item.step ? item.title + " (" + item.step + ")" : item.step));
  }

  async function runTrial() {
    const steps = [];
    const errors = [];
    [...trialBody.rows].forEach((row, index) => {
      const step = row.querySelector("select").value;
      const raw = row.querySelector("textarea").value.trim() || "{}";
      row.classList.remove("has-error");
      try {
        const data = JSON.parse(raw);
        if (data === null || typeof data !== "object" || Array.isArray(data)) throw new Error("không phải đối tượng");
        steps.push({ step: step, data: data });
      } catch (err) {
        row.classList.add("has-error");
        errors.push("Dòng " + (index + 1) + ": dữ liệu phải là một đối tượng JSON, ví dụ {\"decision\": \"approve\"}.");
      }
    });
    if (errors.length) {
      trialResult.replaceChildren(h("ul", { class: "error" }, errors.map((e) => h("li", { text: e }))));
      return;
    }
    trialResult.replaceChildren(h("p", { class: "muted", text: "Đang chạy thử…" }));
    const { status, data } = await post(urls.trial, { xml: await draftXml(), steps: steps });
    if (status !== 200) {
      trialResult.replaceChildren(h("p", { class: "error", text: data.error || "Không chạy thử được (mã " + status + ")." }));
      if ((data.problems || []).length) showProblems(data.problems, data.error);
      return;
    }
    const problems = data.problems || [];
    if (problems.length) {
      showProblems(problems, data.error);
      trialResult.replaceChildren(
        h("p", { class: "error", text: "Sơ đồ có vấn đề nên chưa chạy thử được; xem danh sách bên cạnh sơ đồ." })
      );
      return;
    }
    clearMarks();
    for (const item of data.taken) if (registry.get(item.step)) canvas.addMarker(item.step, "trial-taken");
    for (const item of data.ready) if (registry.get(item.step)) canvas.addMarker(item.step, "trial-ready");
    const where = data.ended
      ? "Quy trình đã kết thúc."
      : data.ready.length
        ? "Quy trình đang chờ ở: " + titled(data.ready).join(", ") + "."
        : "Quy trình đang chờ một sự kiện (ví dụ hẹn giờ).";
    const summary = h(
      "dl",
      { class: "summary", id: "designer-trial-summary" },
      h("dt", { text: "Kết quả" }),
      h("dd", { class: data.ok ? "ok" : "error", text: (data.ok ? "Chạy hết kịch bản. " : "Dừng giữa chừng. ") + where }),
      h("dt", { text: "Các bước đã đi qua" }),
      h("dd", {}, data.taken.length ? h("ol", {}, titled(data.taken).map((t) => h("li", { text: t }))) : "Chưa bước nào."),
      h("dt", { text: "Trạng thái hồ sơ" }),
      h("dd", { text: data.status ? data.status + " – " + data.status_label : "—" })
    );
    const parts = [summary];
    if (data.failures.length) {
      parts.push(h("h3", { text: "Lỗi" }), h("ul", { class: "error", id: "designer-trial-failures" }, data.failures.map((f) => h("li", { text: f }))));
    }
    trialResult.replaceChildren(...parts);
  }

  // --- Wiring ---------------------------------------------------------------------------------------------------

  function guarded(action) {
    return async (event) => {
      const button = event && event.currentTarget;
      if (button) button.disabled = true;
      try {
        await action(event);
      } catch (err) {
        say("error", "Có lỗi khi thao tác: " + (err && err.message ? err.message : err));
      } finally {
        if (button) button.disabled = false;
      }
    };
  }

  $("designer-check").addEventListener("click", guarded(check));
  $("designer-deploy").addEventListener("click", guarded(deploy));
  $("designer-download").addEventListener("click", guarded(download));
  $("designer-upload").addEventListener("change", (event) => guarded(() => upload(event.target))());
  $("designer-trial-toggle").addEventListener("click", (event) => {
    trialSection.hidden = !trialSection.hidden;
    event.currentTarget.setAttribute("aria-expanded", String(!trialSection.hidden));
    if (!trialSection.hidden && !trialBody.rows.length) prefill();
    if (!trialSection.hidden) trialSection.scrollIntoView({ block: "nearest" });
  });
  $("designer-trial-add").addEventListener("click", () => addRow("", {}));
  $("designer-trial-prefill").addEventListener("click", prefill);
  $("designer-trial-run").addEventListener("click", guarded(runTrial));

  async function start() {
    const response = await fetch(urls.xml, { credentials: "same-origin", headers: { Accept: "application/xml" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    await load(await response.text());
    setDirty(false);
    root.classList.add("ready");
  }

  start().catch((err) => {
    stateLine.textContent = "";
    say("error", "Không tải được sơ đồ quy trình vào trình thiết kế: " + (err && err.message ? err.message : err) + ". Hãy tải lại trang.");
  });
})();
