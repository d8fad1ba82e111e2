/* licet's question page: the composer, the answer, the lineage, filing.
 *
 * The question lives here as the scenario the composer shows; every change is
 * sent to the server (/api/check), which answers with licet's engine and
 * renders the answer and the lineage. Nothing about licenses is decided here.
 * No framework, no build step: this file is served as it is.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("licet-data").textContent);
  var VOCAB = DATA.vocabulary;
  var COMPONENT_FIELDS = ["kind", "license", "description", "relations"];
  var ROW_LIMIT = 120; // rows drawn before "show all": a 1,000-component SBOM stays quick to draw
  var CHECK_DELAY = 350; // ms after the last edit before the question is checked

  var nextId = 1;
  function newId() { return "r" + (nextId++); }
  function $(id) { return document.getElementById(id); }

  var state = emptyState();
  var origin = null; // {text, name} while the question is a file as it was loaded
  var undoStack = [];
  var showAllComponents = false;
  var showAllRelations = false;
  var lastAnswer = null;
  var checkSeq = 0;
  var controller = null;
  var timer = null;
  var ticking = null;

  function emptyState() {
    return {
      components: [], relations: [],
      use: { target: "", actions: [], commercial: null, purposes: [], facts: [], release: "" },
      assume: [], waivers: []
    };
  }

  function snapshot() { return { state: JSON.parse(JSON.stringify(state)), origin: origin }; }
  function pushUndo() {
    undoStack.push(snapshot());
    if (undoStack.length > 50) undoStack.shift();
    $("undo").disabled = false;
  }

  // ------------------------------------------------------------ scenario <-> composer

  function toScenario() {
    var components = {};
    state.components.forEach(function (c) {
      var name = c.name.trim();
      if (!name) return;
      var entry = { kind: c.kind };
      if (c.license.trim()) entry.license = c.license.trim();
      if (c.description.trim()) entry.description = c.description.trim();
      components[name] = entry;
    });
    state.relations.forEach(function (r) {
      var from = r.from.trim(), to = r.to.trim();
      if (!from || !to || !components[from]) return;
      var entry = components[from];
      if (!entry[r.relation]) entry[r.relation] = [];
      if (entry[r.relation].indexOf(to) < 0) entry[r.relation].push(to);
    });
    var use = { target: state.use.target, actions: state.use.actions.slice() };
    if (state.use.commercial !== null) use.commercial = state.use.commercial;
    if (state.use.purposes.length) use.purposes = state.use.purposes.slice();
    var facts = {};
    state.use.facts.forEach(function (f) {
      if (!f.name) return;
      facts[f.name] = factValue(f.value);
    });
    if (Object.keys(facts).length) use.facts = facts;
    if (state.use.release.trim()) use["release-license"] = state.use.release.trim();
    var scenario = { components: components, use: use };
    var assume = {};
    state.assume.forEach(function (a) { if (a.name) assume[a.name] = a.value; });
    if (Object.keys(assume).length) scenario.assume = assume;
    if (state.waivers.length) scenario.waivers = state.waivers;
    return scenario;
  }

  function factValue(text) {
    var t = String(text).trim().toLowerCase();
    if (t === "yes" || t === "true") return true;
    if (t === "no" || t === "false") return false;
    var n = Number(String(text).replace(/[,_\s]/g, ""));
    return t !== "" && isFinite(n) ? n : text;
  }

  function fromScenario(data) {
    var s = emptyState();
    var comps = (data && typeof data.components === "object" && data.components) || {};
    Object.keys(comps).forEach(function (name) {
      var c = comps[name] || {};
      s.components.push({ id: newId(), name: name, kind: c.kind || "", license: c.license || "", description: c.description || "" });
      var relations = Object.assign({}, c.relations || {});
      Object.keys(c).forEach(function (key) { if (COMPONENT_FIELDS.indexOf(key) < 0) relations[key] = c[key]; });
      Object.keys(relations).forEach(function (relation) {
        var targets = relations[relation];
        (Array.isArray(targets) ? targets : [targets]).forEach(function (t) {
          s.relations.push({ id: newId(), from: name, relation: relation, to: String(t) });
        });
      });
    });
    var use = (data && data.use) || {};
    s.use.target = use.target || "";
    s.use.actions = toList(use.actions);
    s.use.commercial = typeof use.commercial === "boolean" ? use.commercial : null;
    s.use.purposes = toList(use.purposes);
    var facts = use.facts || {};
    Object.keys(facts).forEach(function (name) {
      var v = facts[name];
      s.use.facts.push({ id: newId(), name: name, value: typeof v === "boolean" ? (v ? "yes" : "no") : String(v) });
    });
    s.use.release = use["release-license"] || "";
    var assume = (data && data.assume) || {};
    Object.keys(assume).forEach(function (name) { s.assume.push({ id: newId(), name: name, value: String(assume[name]) }); });
    s.waivers = (data && Array.isArray(data.waivers)) ? data.waivers : [];
    return s;
  }

  function toList(value) {
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).map(String);
  }

  // ------------------------------------------------------------ drawing the composer

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") node[key] = !!attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function hiddenLabel(forId, text) { return el("label", { "for": forId, "class": "visually-hidden", text: text }); }

  function select(id, options, value, label) {
    var node = el("select", { id: id });
    options.forEach(function (o) { node.appendChild(el("option", { value: o.value, text: o.text, selected: o.value === value })); });
    if (value && !options.some(function (o) { return o.value === value; })) {
      node.appendChild(el("option", { value: value, text: value + " (not in the vocabulary)", selected: true }));
    }
    return [hiddenLabel(id, label), node];
  }

  function changed() {
    origin = null;
    scheduleCheck();
  }

  function renderComponents() {
    var body = document.querySelector("#components tbody");
    body.textContent = "";
    var kinds = [{ value: "", text: "kind…" }].concat(VOCAB.kinds.map(function (k) { return { value: k.name, text: k.name }; }));
    var shown = showAllComponents ? state.components : state.components.slice(0, ROW_LIMIT);
    shown.forEach(function (c, index) {
      var n = index + 1;
      var name = el("input", { type: "text", id: "c-name-" + c.id, value: c.name, autocomplete: "off", spellcheck: "false", "data-field": "name" });
      name.addEventListener("change", function () { renameComponent(c, name.value.trim()); });
      var kind = select("c-kind-" + c.id, kinds, c.kind, "Kind of component " + n);
      kind[1].addEventListener("change", function () { c.kind = kind[1].value; changed(); });
      var lic = el("input", { type: "text", id: "c-license-" + c.id, value: c.license, list: "license-spellings", autocomplete: "off", spellcheck: "false" });
      lic.addEventListener("input", function () { c.license = lic.value; changed(); });
      var desc = el("input", { type: "text", id: "c-desc-" + c.id, value: c.description, autocomplete: "off" });
      desc.addEventListener("input", function () { c.description = desc.value; changed(); });
      var remove = el("button", { type: "button", "class": "remove", "aria-label": "Remove component " + (c.name || n), text: "Remove" });
      remove.addEventListener("click", function () { pushUndo(); removeComponent(c); });
      body.appendChild(el("tr", { "data-component": c.name }, [
        el("td", {}, [hiddenLabel(name.id, "Name of component " + n), name]),
        el("td", {}, kind),
        el("td", {}, [hiddenLabel(lic.id, "License of component " + n), lic]),
        el("td", {}, [hiddenLabel(desc.id, "Description of component " + n), desc]),
        el("td", {}, [remove])
      ]));
    });
    moreRows("components-more", state.components.length, shown.length, function () { showAllComponents = true; renderComponents(); });
    renderNames();
  }

  function moreRows(id, total, shown, showAll) {
    var box = $(id);
    box.textContent = "";
    box.hidden = total <= shown;
    if (total <= shown) return;
    box.appendChild(document.createTextNode(shown + " of " + total.toLocaleString("en") + " shown (all are checked). "));
    var button = el("button", { type: "button", text: "Show all " + total.toLocaleString("en") });
    button.addEventListener("click", showAll);
    box.appendChild(button);
  }

  function renderNames() {
    var list = $("component-names");
    list.textContent = "";
    state.components.forEach(function (c) { if (c.name) list.appendChild(el("option", { value: c.name })); });
    renderTarget();
  }

  function renameComponent(c, name) {
    if (name === c.name) return;
    var old = c.name;
    c.name = name;
    if (old) {
      state.relations.forEach(function (r) { if (r.from === old) r.from = name; if (r.to === old) r.to = name; });
      if (state.use.target === old) state.use.target = name;
    } else if (!state.use.target) {
      state.use.target = name;
    }
    renderRelations();
    renderNames();
    changed();
  }

  function removeComponent(c) {
    state.components = state.components.filter(function (x) { return x !== c; });
    state.relations = state.relations.filter(function (r) { return r.from !== c.name && r.to !== c.name; });
    if (state.use.target === c.name) state.use.target = state.components.length ? state.components[0].name : "";
    renderComponents();
    renderRelations();
    changed();
  }

  function renderRelations() {
    var body = document.querySelector("#relations tbody");
    body.textContent = "";
    var relations = VOCAB.relations.map(function (r) { return { value: r.name, text: r.words }; });
    var shown = showAllRelations ? state.relations : state.relations.slice(0, ROW_LIMIT);
    shown.forEach(function (r, index) {
      var n = index + 1;
      var from = el("input", { type: "text", id: "r-from-" + r.id, value: r.from, list: "component-names", autocomplete: "off", spellcheck: "false" });
      from.addEventListener("change", function () { r.from = from.value.trim(); changed(); });
      var kind = select("r-kind-" + r.id, relations, r.relation, "Relation " + n);
      kind[1].addEventListener("change", function () { r.relation = kind[1].value; changed(); });
      var to = el("input", { type: "text", id: "r-to-" + r.id, value: r.to, list: "component-names", autocomplete: "off", spellcheck: "false" });
      to.addEventListener("change", function () { r.to = to.value.trim(); changed(); });
      var remove = el("button", { type: "button", "class": "remove", "aria-label": "Remove relation " + n, text: "Remove" });
      remove.addEventListener("click", function () {
        pushUndo();
        state.relations = state.relations.filter(function (x) { return x !== r; });
        renderRelations();
        changed();
      });
      body.appendChild(el("tr", {}, [
        el("td", {}, [hiddenLabel(from.id, "Component of relation " + n), from]),
        el("td", {}, kind),
        el("td", {}, [hiddenLabel(to.id, "Other component of relation " + n), to]),
        el("td", {}, [remove])
      ]));
    });
    moreRows("relations-more", state.relations.length, shown.length, function () { showAllRelations = true; renderRelations(); });
  }

  function renderTarget() {
    var target = $("target");
    target.textContent = "";
    target.appendChild(el("option", { value: "", text: "Pick the target…" }));
    state.components.forEach(function (c) {
      if (c.name) target.appendChild(el("option", { value: c.name, text: c.name, selected: c.name === state.use.target }));
    });
  }

  function renderUse() {
    document.querySelectorAll("input[name=action]").forEach(function (box) { box.checked = state.use.actions.indexOf(box.value) >= 0; });
    var commercial = state.use.commercial === null ? "" : (state.use.commercial ? "yes" : "no");
    document.querySelectorAll("input[name=commercial]").forEach(function (radio) { radio.checked = radio.value === commercial; });
    $("release-license").value = state.use.release;
    renderPurposes();
    renderFacts();
    renderAssumptions();
  }

  function renderPurposes() {
    var chosen = $("purposes-chosen");
    chosen.textContent = "";
    if (!state.use.purposes.length) chosen.appendChild(el("span", { "class": "hint", text: "None stated." }));
    state.use.purposes.forEach(function (p) {
      var chip = el("button", { type: "button", "class": "chip", "aria-label": "Remove the purpose " + p, text: p + " ×" });
      chip.addEventListener("click", function () { setPurpose(p, false); });
      chosen.appendChild(chip);
    });
    var query = $("purpose-search").value.trim().toLowerCase();
    var list = $("purpose-list");
    list.textContent = "";
    var matches = VOCAB.purposes.filter(function (p) {
      return !query || p.name.indexOf(query) >= 0 || p.description.toLowerCase().indexOf(query) >= 0;
    });
    matches.slice(0, query ? 40 : 12).forEach(function (p) {
      var id = "purpose-" + p.name;
      var box = el("input", { type: "checkbox", id: id, value: p.name, checked: state.use.purposes.indexOf(p.name) >= 0 });
      box.addEventListener("change", function () { setPurpose(p.name, box.checked); });
      list.appendChild(el("div", { "class": "check" }, [box, el("label", { "for": id }, [
        el("strong", { text: p.name }), document.createTextNode(" " + p.description)
      ])]));
    });
    if (matches.length > (query ? 40 : 12)) {
      list.appendChild(el("p", { "class": "hint", text: (matches.length - (query ? 40 : 12)) + " more: type to narrow the list." }));
    }
  }

  function setPurpose(name, on) {
    state.use.purposes = state.use.purposes.filter(function (p) { return p !== name; });
    if (on) state.use.purposes.push(name);
    renderPurposes();
    changed();
  }

  function renderFacts() {
    var body = document.querySelector("#facts tbody");
    body.textContent = "";
    var names = [{ value: "", text: "fact…" }]
      .concat(VOCAB.numbers.map(function (w) { return { value: w.name, text: w.name + " (a number): " + w.description }; }))
      .concat(VOCAB.flags.map(function (w) { return { value: w.name, text: w.name + " (yes/no): " + w.description }; }));
    state.use.facts.forEach(function (f, index) {
      var n = index + 1;
      var name = select("f-name-" + f.id, names, f.name, "Fact " + n);
      name[1].addEventListener("change", function () { f.name = name[1].value; changed(); });
      var value = el("input", { type: "text", id: "f-value-" + f.id, value: f.value, autocomplete: "off", placeholder: "a number, or yes / no" });
      value.addEventListener("input", function () { f.value = value.value; changed(); });
      var remove = el("button", { type: "button", "class": "remove", "aria-label": "Remove fact " + n, text: "Remove" });
      remove.addEventListener("click", function () {
        state.use.facts = state.use.facts.filter(function (x) { return x !== f; });
        renderFacts();
        changed();
      });
      body.appendChild(el("tr", {}, [el("td", {}, name), el("td", {}, [hiddenLabel(value.id, "Value of fact " + n), value]), el("td", {}, [remove])]));
    });
  }

  function renderAssumptions() {
    var body = document.querySelector("#assumptions tbody");
    body.textContent = "";
    var names = [{ value: "", text: "assumption…" }].concat(VOCAB.assumptions.map(function (w) { return { value: w.name, text: w.name + ": " + w.description }; }));
    var answers = [{ value: "yes", text: "yes" }, { value: "no", text: "no" }, { value: "unknown", text: "unknown (check both)" }];
    state.assume.forEach(function (a, index) {
      var n = index + 1;
      var name = select("a-name-" + a.id, names, a.name, "Assumption " + n);
      name[1].addEventListener("change", function () { a.name = name[1].value; changed(); });
      var value = select("a-value-" + a.id, answers, a.value, "Answer to assumption " + n);
      value[1].addEventListener("change", function () { a.value = value[1].value; changed(); });
      var remove = el("button", { type: "button", "class": "remove", "aria-label": "Remove assumption " + n, text: "Remove" });
      remove.addEventListener("click", function () {
        state.assume = state.assume.filter(function (x) { return x !== a; });
        renderAssumptions();
        changed();
      });
      body.appendChild(el("tr", {}, [el("td", {}, name), el("td", {}, value), el("td", {}, [remove])]));
    });
  }

  function renderAll() {
    showAllComponents = state.components.length <= ROW_LIMIT;
    showAllRelations = state.relations.length <= ROW_LIMIT;
    renderComponents();
    renderRelations();
    renderUse();
  }

  // ------------------------------------------------------------ checking

  function question(extra) {
    var body = origin && !extra ? { yaml: origin.text, name: origin.name } : { scenario: toScenario() };
    return Object.assign(body, extra || {});
  }

  function missing() {
    if (origin) return "";
    if (!state.components.some(function (c) { return c.name.trim(); })) return "Add components, or start from an example, a file or a Hugging Face id.";
    if (!state.use.target) return "Pick the target: the work in question.";
    if (!state.use.actions.length) return "Tick what you do with the target (run, modify, distribute, serve) to see the answer.";
    return "";
  }

  function scheduleCheck() {
    clearTimeout(timer);
    timer = setTimeout(function () { runCheck(); }, CHECK_DELAY);
  }

  function setBusy(text) {
    var started = Date.now();
    clearInterval(ticking);
    $("progress").hidden = false;
    $("status").classList.add("busy");
    var budget = Math.round(DATA.timeout_ms / 1000);
    var write = function () {
      var seconds = ((Date.now() - started) / 1000).toFixed(1);
      $("status-text").textContent = text + " " + seconds + " s (the engine gives up after " + budget + " s).";
    };
    write();
    ticking = setInterval(write, 200);
    return started;
  }

  function setIdle(text) {
    clearInterval(ticking);
    $("progress").hidden = true;
    $("status").classList.remove("busy");
    $("status-text").textContent = text;
  }

  function showError(message) {
    var box = $("error");
    box.hidden = !message;
    box.querySelector("pre").textContent = message || "";
    if (message) $("answer").classList.add("stale");
  }

  function count(n) { return n.toLocaleString("en") + (n === 1 ? " component" : " components"); }

  function runCheck(extra) {
    clearTimeout(timer);
    var prompt = extra ? "" : missing();
    if (prompt) {
      setIdle(prompt);
      showError("");
      return Promise.resolve(null);
    }
    var seq = ++checkSeq;
    if (controller) controller.abort();
    controller = new AbortController();
    var size = origin ? null : state.components.length;
    var started = setBusy("Checking" + (size ? " " + count(size) : "") + "…");
    return fetch("/api/check", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(question(extra)), signal: controller.signal
    }).then(function (response) { return response.json(); }).then(function (json) {
      if (seq !== checkSeq) return null;
      if (json.scenario && extra) {
        pushUndo();
        state = fromScenario(json.scenario);
        origin = null;
        renderAll();
      }
      if (!json.ok) {
        setIdle("The question cannot be checked as it is: see the message.");
        showError(json.message || "error");
        return json;
      }
      showAnswer(json);
      var seconds = ((Date.now() - started) / 1000).toFixed(1);
      setIdle("Answered in " + seconds + " s (" + count(json.components) + "; the engine took " + (json.engine_ms / 1000).toFixed(1) + " s)." +
        (json.note ? " " + json.note : ""));
      return json;
    }).catch(function (err) {
      if (err && err.name === "AbortError") return null;
      setIdle("The page could not reach licet: is `licet serve` still running?");
      showError("error: " + err);
      return null;
    });
  }

  function showAnswer(json) {
    lastAnswer = json;
    showError("");
    var answer = $("answer");
    answer.classList.remove("stale");
    answer.innerHTML = json.answer_html; // rendered by the server's templates, every value escaped
    answer.setAttribute("data-verdict", json.verdict.verdict);
    $("lineage").innerHTML = json.graph_svg;
    $("lineage-section").hidden = false;
    var wrap = $("lineage");
    wrap.scrollLeft = Math.max(0, (wrap.scrollWidth - wrap.clientWidth) / 2); // the target is drawn in the middle
    $("mermaid").textContent = json.mermaid;
    $("yaml-text").value = json.yaml;
    encodeQuestion(json.scenario).then(function (fragment) {
      history.replaceState(null, "", "#" + fragment);
      $("share-link").value = location.href;
    });
  }

  // ------------------------------------------------------------ the link that reproduces the question

  function toBase64Url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64Url(text) {
    var plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(plain.length);
    for (var i = 0; i < plain.length; i++) bytes[i] = plain.charCodeAt(i);
    return bytes;
  }

  function encodeQuestion(scenario) {
    var stream = new Blob([JSON.stringify(scenario)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return "q=" + toBase64Url(new Uint8Array(buffer)); });
  }

  function decodeQuestion(fragment) {
    var bytes = fromBase64Url(fragment.replace(/^#?q=/, ""));
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text().then(JSON.parse);
  }

  // ------------------------------------------------------------ loading a question

  function showNotes(notes) {
    var box = $("source-notes");
    box.textContent = "";
    if (!notes || !notes.length) return;
    box.appendChild(el("p", { text: "What the file did not settle (as licet scan reports it):" }));
    var list = el("ul");
    notes.forEach(function (n) {
      var where = n.origin ? " [" + [n.origin.file, n.origin.line, n.origin.column].filter(Boolean).join(":") + "]" : "";
      list.appendChild(el("li", { text: n.level + ": " + n.message + where + (n.hint ? " — " + n.hint : "") }));
    });
    box.appendChild(list);
  }

  function load(loaded, started) {
    pushUndo();
    state = fromScenario(loaded.scenario);
    origin = loaded.yaml ? { text: loaded.yaml, name: loaded.name } : null;
    showNotes(loaded.notes);
    if (!loaded.answer) {
      renderAll();
      return runCheck();
    }
    // a card or SBOM comes back answered, as `licet scan` answers it: the
    // answer is drawn first, the composer (maybe a thousand rows) just after
    clearTimeout(timer);
    checkSeq++;
    loaded.answer.scenario = loaded.scenario;
    showAnswer(loaded.answer);
    setIdle("Answered in " + ((Date.now() - started) / 1000).toFixed(1) + " s (" + count(loaded.answer.components) +
      "; the engine took " + (loaded.answer.engine_ms / 1000).toFixed(1) + " s).");
    setTimeout(renderAll, 0);
    return Promise.resolve(loaded.answer);
  }

  function request(url, options, busyText) {
    var started = setBusy(busyText);
    return fetch(url, options).then(function (response) { return response.json(); }).then(function (json) {
      if (!json.ok) {
        setIdle("That could not be read: see the message.");
        showError(json.message || "error");
        return null;
      }
      showError("");
      json.started = started;
      return json;
    }).catch(function (err) {
      setIdle("The page could not reach licet: is `licet serve` still running?");
      showError("error: " + err);
      return null;
    });
  }

  $("load-example").addEventListener("click", function () {
    var name = $("example").value;
    if (!name) { $("example").focus(); return; }
    request("/api/examples/" + encodeURIComponent(name), {}, "Loading the example…").then(function (json) { if (json) load(json, json.started); });
  });

  $("upload-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var file = $("upload-file").files[0];
    if (!file) { $("upload-file").focus(); return; }
    if (file.size > DATA.max_body) {
      showError("error: the file is larger than licet reads (" + Math.round(DATA.max_body / 1048576) + " MiB)\n  help: split the input");
      return;
    }
    request("/api/upload", { method: "POST", body: new FormData($("upload-form")) }, "Reading and checking " + file.name + "…")
      .then(function (json) { if (json) load(json, json.started); });
  });

  $("hub-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var id = $("hub-id").value.trim();
    if (!id) { $("hub-id").focus(); return; }
    var relation = $("hub-relation").value;
    request("/api/hub?id=" + encodeURIComponent(id), {}, "Looking up " + id + "…").then(function (json) {
      if (!json) return;
      pushUndo();
      var added = fromScenario(json.scenario);
      var names = state.components.map(function (c) { return c.name; });
      added.components.forEach(function (c) { if (names.indexOf(c.name) < 0) state.components.push(c); });
      added.relations.forEach(function (r) { state.relations.push(r); });
      if (state.use.target && relation && state.use.target !== json.target) {
        state.relations.push({ id: newId(), from: state.use.target, relation: relation, to: json.target });
      } else if (!state.use.target) {
        state.use.target = json.target;
      }
      origin = null;
      showNotes(json.notes);
      renderAll();
      $("hub-id").value = "";
      runCheck();
    });
  });

  $("new-question").addEventListener("click", function () {
    pushUndo();
    state = emptyState();
    origin = null;
    showNotes([]);
    renderAll();
    $("answer").textContent = "";
    $("answer").setAttribute("data-verdict", "");
    $("lineage-section").hidden = true;
    history.replaceState(null, "", location.pathname);
    runCheck();
  });

  $("undo").addEventListener("click", function () {
    var before = undoStack.pop();
    if (!before) return;
    state = before.state;
    origin = before.origin;
    $("undo").disabled = undoStack.length === 0;
    renderAll();
    runCheck();
  });

  $("check-yaml").addEventListener("click", function () {
    origin = { text: $("yaml-text").value, name: "scenario.yaml" };
    runCheck().then(function (json) {
      if (json && json.ok) {
        var keep = origin;
        state = fromScenario(json.scenario);
        renderAll();
        origin = keep;
      }
    });
  });

  // ------------------------------------------------------------ composer controls

  $("add-component").addEventListener("click", function () {
    var c = { id: newId(), name: "", kind: "", license: "", description: "" };
    state.components.push(c);
    showAllComponents = true;
    renderComponents();
    $("c-name-" + c.id).focus();
  });

  $("add-relation").addEventListener("click", function () {
    var names = state.components.map(function (c) { return c.name; }).filter(Boolean);
    var r = { id: newId(), from: state.use.target || names[0] || "", relation: VOCAB.relations[0].name, to: "" };
    state.relations.push(r);
    showAllRelations = true;
    renderRelations();
    $("r-from-" + r.id).focus();
  });

  $("add-fact").addEventListener("click", function () {
    var f = { id: newId(), name: "", value: "" };
    state.use.facts.push(f);
    renderFacts();
    $("f-name-" + f.id).focus();
  });

  $("add-assumption").addEventListener("click", function () {
    var a = { id: newId(), name: "", value: "yes" };
    state.assume.push(a);
    renderAssumptions();
    $("a-name-" + a.id).focus();
  });

  $("target").addEventListener("change", function () { state.use.target = $("target").value; changed(); });
  document.querySelectorAll("input[name=action]").forEach(function (box) {
    box.addEventListener("change", function () {
      state.use.actions = state.use.actions.filter(function (a) { return a !== box.value; });
      if (box.checked) state.use.actions.push(box.value);
      changed();
    });
  });
  document.querySelectorAll("input[name=commercial]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      state.use.commercial = radio.value === "" ? null : radio.value === "yes";
      changed();
    });
  });
  $("release-license").addEventListener("input", function () { state.use.release = $("release-license").value; changed(); });
  $("purpose-search").addEventListener("input", renderPurposes);

  // ------------------------------------------------------------ the answer's controls

  $("answer").addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("settle")) {
      runCheck({ settle: { kind: button.dataset.kind, name: button.dataset.name, value: button.dataset.value } });
    } else if (button.classList.contains("apply-fix") && lastAnswer) {
      runCheck({ fix: lastAnswer.verdict.fixes[Number(button.dataset.fix)] });
    }
  });

  $("answer").addEventListener("submit", function (event) {
    var form = event.target.closest("form.settle-number");
    if (!form) return;
    event.preventDefault();
    runCheck({ settle: { kind: "number", name: form.dataset.name, value: form.querySelector("input").value } });
  });

  // ------------------------------------------------------------ the lineage, highlighted

  function svg() { return document.querySelector("#lineage svg"); }

  function highlight(paths) {
    var drawing = svg();
    if (!drawing) return;
    clearHighlight();
    if (!paths.length) return;
    var nodes = {}, edges = {};
    paths.forEach(function (path) {
      path.forEach(function (name, i) {
        nodes[name] = true;
        if (i > 0) edges[path[i - 1] + "\u0000" + name] = true;
      });
    });
    drawing.classList.add("highlighting");
    drawing.querySelectorAll(".node").forEach(function (node) { if (nodes[node.dataset.name]) node.classList.add("hl"); });
    var from = {};
    Object.keys(edges).forEach(function (key) { from[key.split("\u0000")[0]] = true; });
    drawing.querySelectorAll(".edge, .edge-label").forEach(function (edge) {
      // a label shared by a node's edges of one relation has no single target
      var shared = edge.classList.contains("edge-label") && edge.dataset.to === "" && from[edge.dataset.from];
      if (shared || edges[edge.dataset.from + "\u0000" + edge.dataset.to]) edge.classList.add("hl");
    });
  }

  function clearHighlight() {
    var drawing = svg();
    if (!drawing) return;
    drawing.classList.remove("highlighting");
    drawing.querySelectorAll(".hl").forEach(function (node) { node.classList.remove("hl"); });
  }

  function pathsTo(name) {
    var drawing = svg();
    var all = JSON.parse(drawing.dataset.paths || "[]");
    var found = all.filter(function (p) { return p.component === name; }).map(function (p) { return p.path; });
    if (found.length) return found;
    // no clause reaches it: the shortest path from the target along the drawn relations
    var next = {};
    drawing.querySelectorAll(".edge").forEach(function (edge) {
      (next[edge.dataset.from] = next[edge.dataset.from] || []).push(edge.dataset.to);
    });
    var start = drawing.dataset.target, before = {}, queue = [start];
    before[start] = null;
    while (queue.length) {
      var at = queue.shift();
      if (at === name) break;
      (next[at] || []).forEach(function (to) { if (!(to in before)) { before[to] = at; queue.push(to); } });
    }
    if (!(name in before)) return [[name]];
    var path = [];
    for (var step = name; step !== null; step = before[step]) path.unshift(step);
    return [path];
  }

  function onAnswerHover(event) {
    var item = event.target.closest(".clause") || event.target.closest(".conflict");
    if (!item) return;
    var paths = item.classList.contains("clause") ? [JSON.parse(item.dataset.path)] : JSON.parse(item.dataset.paths);
    highlight(paths);
  }
  $("answer").addEventListener("mouseover", onAnswerHover);
  $("answer").addEventListener("focusin", onAnswerHover);
  $("answer").addEventListener("mouseleave", clearHighlight);
  $("answer").addEventListener("focusout", clearHighlight);

  function onNodeHover(event) {
    var node = event.target.closest(".node");
    if (node) highlight(pathsTo(node.dataset.name));
  }
  $("lineage").addEventListener("mouseover", onNodeHover);
  $("lineage").addEventListener("focusin", onNodeHover);
  $("lineage").addEventListener("mouseleave", clearHighlight);
  $("lineage").addEventListener("focusout", clearHighlight);
  function goToComponent(node) {
    var row = state.components.filter(function (c) { return c.name === node.dataset.name; })[0];
    if (!row) return;
    if (!document.getElementById("c-name-" + row.id)) { showAllComponents = true; renderComponents(); }
    var input = document.getElementById("c-name-" + row.id);
    if (input) { input.focus(); input.scrollIntoView({ block: "center" }); }
  }
  $("lineage").addEventListener("click", function (event) {
    var node = event.target.closest(".node");
    if (node) goToComponent(node);
  });
  $("lineage").addEventListener("keydown", function (event) {
    var node = event.target.closest(".node");
    if (node && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); goToComponent(node); }
  });

  // ------------------------------------------------------------ filing

  function download(url, fallback) {
    var started = setBusy("Writing the file…");
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(question()) })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (json) { throw new Error(json.message || "error"); });
        var disposition = response.headers.get("Content-Disposition") || "";
        var match = /filename="([^"]+)"/.exec(disposition);
        return response.blob().then(function (blob) {
          var link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : fallback });
          document.body.appendChild(link);
          link.click();
          setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
          setIdle("Written in " + ((Date.now() - started) / 1000).toFixed(1) + " s: " + (match ? match[1] : fallback) + ".");
        });
      }).catch(function (err) {
        setIdle("The file could not be written: see the message.");
        showError(String(err.message || err));
      });
  }

  $("download-memo").addEventListener("click", function () { download("/api/memo", "licet-memo.html"); });
  $("download-yaml").addEventListener("click", function () { download("/api/scenario", "scenario.yaml"); });
  $("print-form").addEventListener("submit", function () { $("print-question").value = JSON.stringify(question()); });
  $("copy-link").addEventListener("click", function () {
    var field = $("share-link");
    field.select();
    var done = function () { setIdle("The link is copied: it carries the whole question, and opens this answer again."); };
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });

  // ------------------------------------------------------------ start

  renderAll();
  if (location.hash.indexOf("#q=") === 0) {
    decodeQuestion(location.hash).then(function (scenario) {
      state = fromScenario(scenario);
      renderAll();
      runCheck();
    }).catch(function () {
      showError("error: the link does not carry a question licet can read\n  help: copy the whole link again from the page that made it");
    });
  } else {
    runCheck();
  }
  window.licet = { state: function () { return toScenario(); }, lastAnswer: function () { return lastAnswer; } };
})();
