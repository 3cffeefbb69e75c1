// Review page for lapor-nlp: plain JavaScript over the /v1 API, keyboard first.
// The admin key lives in sessionStorage (gone when the tab closes); data is only ever put in the page
// with textContent, never as HTML.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { key: sessionStorage.getItem("lapor-key") || "", reviewer: localStorage.getItem("lapor-reviewer") || "",
                  items: [], index: 0, dupIndex: 0, dupCache: new Map(), labels: { category: [], agency: [] } };

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers["X-API-Key"] = state.key;
    if (opts.body) opts.headers["Content-Type"] = "application/json";
    const res = await fetch(path, opts);
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      const err = new Error((body && (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail))) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return body;
  }

  function toast(message, isError) {
    const t = $("toast");
    t.textContent = message;
    t.className = "toast" + (isError ? " error" : "");
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 2500);
  }

  function pct(score) { return Math.round(score * 100) + "%"; }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

  function showLogin(message) {
    $("app").hidden = true; $("logout").hidden = true; $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("reviewer-name").value = state.reviewer;
    $("key").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    state.key = $("key").value.trim();
    state.reviewer = $("reviewer-name").value.trim();
    try {
      await api("/v1/suggestions?status=review&limit=1");
    } catch (e) {
      showLogin(e.status === 403 ? "That key is not an admin key." : e.status === 401 ? "Unknown key." : e.message);
      return;
    }
    sessionStorage.setItem("lapor-key", state.key);
    localStorage.setItem("lapor-reviewer", state.reviewer);
    $("key").value = "";
    start();
  }

  function signOut() {
    sessionStorage.removeItem("lapor-key");
    state.key = "";
    showLogin("Signed out.");
  }

  async function start() {
    $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
    try {
      const info = await api("/v1/model");
      state.labels = info.labels;
      $("model-version").textContent = info.version;
      fillOptions("category-options", info.labels.category);
      fillOptions("agency-options", info.labels.agency);
    } catch (e) {
      if (e.status === 401 || e.status === 403) { showLogin("Please sign in again."); return; }
      toast("Could not load the model labels: " + e.message, true);
    }
    await loadQueue();
  }

  function fillOptions(id, labels) {
    const list = $(id);
    list.replaceChildren(...labels.map((label) => { const o = document.createElement("option"); o.value = label; return o; }));
  }

  async function loadQueue() {
    let page;
    try {
      page = await api("/v1/suggestions?status=review&order=oldest&limit=200");
    } catch (e) {
      if (e.status === 401 || e.status === 403) { showLogin("Please sign in again."); return; }
      toast("Could not load the queue: " + e.message, true);
      return;
    }
    state.items = page.items;
    $("backlog").textContent = String(page.total);
    state.index = Math.min(state.index, Math.max(0, state.items.length - 1));
    renderQueue();
    select(state.index);
  }

  function renderQueue() {
    const list = $("queue-list");
    list.replaceChildren(...state.items.map((item, i) => {
      const li = document.createElement("li");
      li.dataset.id = item.suggestion_id;
      li.tabIndex = -1;
      const head = document.createElement("div");
      head.className = "q-head";
      const id = document.createElement("span"); id.className = "q-id"; id.textContent = "#" + item.suggestion_id;
      const date = document.createElement("span"); date.className = "q-date"; date.textContent = when(item.created_at);
      head.append(id, date);
      const text = document.createElement("div"); text.className = "q-text"; text.textContent = item.text;
      const agency = document.createElement("div"); agency.className = "q-agency";
      agency.textContent = item.agency.label + " · " + pct(item.agency.score);
      if (item.duplicates.some((d) => d.is_duplicate)) {
        const dup = document.createElement("span"); dup.className = "q-dup"; dup.textContent = "duplicate?";
        agency.append(" ", dup);
      }
      li.append(head, text, agency);
      li.addEventListener("click", () => select(i));
      return li;
    }));
    $("queue-empty").hidden = state.items.length > 0;
  }

  function select(i) {
    if (!state.items.length) { $("current").hidden = true; $("no-selection").hidden = false; return; }
    state.index = Math.max(0, Math.min(i, state.items.length - 1));
    state.dupIndex = 0;
    document.querySelectorAll("#queue-list li").forEach((li, j) => {
      li.classList.toggle("selected", j === state.index);
      if (j === state.index) { li.setAttribute("aria-current", "true"); li.scrollIntoView({ block: "nearest" }); }
      else li.removeAttribute("aria-current");
    });
    renderDetail(state.items[state.index]);
  }

  function highlighted(text, words) {
    const wanted = new Set(words.map((w) => w.toLowerCase()));
    const nodes = [];
    for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
      if (part && wanted.has(part.toLowerCase())) {
        const m = document.createElement("mark"); m.textContent = part; nodes.push(m);
      } else if (part) nodes.push(document.createTextNode(part));
    }
    return nodes;
  }

  function renderTarget(el, target) {
    el.querySelector(".label").textContent = target.label;
    const badge = el.querySelector(".badge");
    badge.textContent = target.decision;
    badge.className = "badge " + target.decision;
    el.querySelector(".fill").style.width = pct(target.score);
    el.querySelector(".fill").className = "fill " + (target.score >= 0.8 ? "high" : target.score >= 0.5 ? "mid" : "low");
    el.querySelector(".pct").textContent = pct(target.score);
    el.querySelector(".topk").replaceChildren(...target.top_k.slice(0, 3).map((c) => {
      const li = document.createElement("li");
      const name = document.createElement("span"); name.className = "k-label"; name.textContent = c.label;
      const bar = document.createElement("span"); bar.className = "k-bar";
      const fill = document.createElement("span"); fill.className = "k-fill"; fill.style.width = pct(c.score);
      bar.append(fill);
      const val = document.createElement("span"); val.className = "k-pct"; val.textContent = pct(c.score);
      li.append(name, bar, val);
      return li;
    }));
    el.querySelector(".why").replaceChildren(...(target.explanation.length ? target.explanation : ["(none)"]).map((w) => {
      const li = document.createElement("li"); li.textContent = w; return li;
    }));
  }

  function renderDetail(item) {
    $("no-selection").hidden = true;
    $("current").hidden = false;
    $("cur-id").textContent = "#" + item.suggestion_id + (item.id ? " (" + item.id + ")" : "");
    const loc = Object.entries(item.location || {}).map(([k, v]) => k + ": " + v).join(" · ");
    $("cur-meta").textContent = [when(item.submitted_at || item.created_at), loc].filter(Boolean).join(" · ");
    $("cur-text").replaceChildren(...highlighted(item.text, item.explanation));
    renderTarget($("target-category"), item.category);
    renderTarget($("target-agency"), item.agency);
    $("in-category").value = item.category.label;
    $("in-agency").value = item.agency.label;
    renderDuplicate(item);
  }

  async function renderDuplicate(item) {
    const dups = item.duplicates;
    const none = dups.length === 0;
    $("dup-none").hidden = !none;
    $("dup-text").hidden = none; $("dup-evidence").hidden = none;
    $("btn-dup").disabled = none;
    if (none) { $("dup-pos").textContent = ""; $("dup-meta").textContent = ""; return; }
    const d = dups[state.dupIndex];
    $("dup-pos").textContent = "#" + d.suggestion_id + " · " + (state.dupIndex + 1) + "/" + dups.length;
    $("dup-meta").textContent = "similarity " + pct(d.score) + (d.is_duplicate ? " · likely duplicate" : "");
    $("dup-evidence").replaceChildren(...d.evidence.map((e) => { const li = document.createElement("li"); li.textContent = e; return li; }));
    let other = state.dupCache.get(d.suggestion_id);
    if (!other) {
      $("dup-text").textContent = "…";
      try { other = await api("/v1/suggestions/" + d.suggestion_id); state.dupCache.set(d.suggestion_id, other); }
      catch (e) { $("dup-text").textContent = "(could not load: " + e.message + ")"; return; }
    }
    if (state.items[state.index] !== item) return;  // moved on meanwhile
    $("dup-text").textContent = other.text;
    $("dup-meta").textContent += " · " + when(other.submitted_at || other.created_at) + " · " + other.agency.label;
  }

  async function decide(body, what) {
    const item = state.items[state.index];
    if (!item) return;
    body.reviewer = state.reviewer || "admin";
    try {
      const saved = await api("/v1/suggestions/" + item.suggestion_id + "/decision", { method: "POST", body: JSON.stringify(body) });
      const flags = [saved.decision.unknown_agency ? "agency not known to the model" : "", saved.decision.unknown_category ? "category not known to the model" : ""].filter(Boolean);
      toast("#" + item.suggestion_id + " " + saved.decision.outcome + (what ? " (" + what + ")" : "") + (flags.length ? " — flagged: " + flags.join(", ") : ""));
    } catch (e) {
      toast("Not saved: " + e.message, true);
      return;
    }
    state.items.splice(state.index, 1);
    $("backlog").textContent = String(Math.max(0, Number($("backlog").textContent) - 1));
    renderQueue();
    select(state.index);
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
  }

  function accept() {
    const item = state.items[state.index];
    if (item) decide({ category: item.category.label, agency: item.agency.label }, "");
  }

  function saveChange(event) {
    if (event) event.preventDefault();
    const category = $("in-category").value.trim();
    const agency = $("in-agency").value.trim();
    if (!category || !agency) { toast("Category and agency are both needed.", true); return; }
    decide({ category: category, agency: agency }, "");
  }

  function markDuplicate() {
    const item = state.items[state.index];
    if (!item || !item.duplicates.length) { toast("No possible duplicate to mark.", true); return; }
    const d = item.duplicates[state.dupIndex];
    decide({ category: $("in-category").value.trim() || item.category.label,
             agency: $("in-agency").value.trim() || item.agency.label, duplicate_of: d.suggestion_id }, "of #" + d.suggestion_id);
  }

  function cycleDuplicate(step) {
    const item = state.items[state.index];
    if (!item || item.duplicates.length < 2) return;
    state.dupIndex = (state.dupIndex + step + item.duplicates.length) % item.duplicates.length;
    renderDuplicate(item);
  }

  function toggleHelp() { const h = $("help"); if (h.open) h.close(); else h.showModal(); }

  function onKey(event) {
    if ($("app").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const inField = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
    if (inField) {
      if (event.key === "Escape") event.target.blur();
      return;  // Enter in a field submits the form (save change)
    }
    const actions = {
      j: () => select(state.index + 1), ArrowDown: () => select(state.index + 1),
      k: () => select(state.index - 1), ArrowUp: () => select(state.index - 1),
      a: accept, d: markDuplicate, r: loadQueue, "?": toggleHelp,
      c: () => { $("in-category").select(); $("in-category").focus(); },
      g: () => { $("in-agency").select(); $("in-agency").focus(); },
      "[": () => cycleDuplicate(-1), "]": () => cycleDuplicate(1),
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  }

  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  $("decide-form").addEventListener("submit", saveChange);
  $("btn-accept").addEventListener("click", accept);
  $("btn-dup").addEventListener("click", markDuplicate);
  $("help-btn").addEventListener("click", toggleHelp);
  $("help-close").addEventListener("click", () => $("help").close());
  document.addEventListener("keydown", onKey);

  if (state.key) start(); else showLogin("");
})();
