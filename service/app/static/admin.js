// Review page for lapor-nlp: plain JavaScript over the /v1 API, keyboard first.
// The admin key lives in sessionStorage (gone when the tab closes); data is only ever put in the page
// with textContent, never as HTML. Every text shown comes from the message catalogue the server embeds
// (service/app/i18n/<lang>.json): this file refers to message keys only.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const messages = JSON.parse($("i18n").textContent);
  // t("toast.saved", {id: 4}) -> the catalogue text with {id} filled in.
  function t(key, params) {
    const text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (params && name in params ? String(params[name]) : m));
  }
  const MONTHS = t("date.months").split(" ");
  const JAKARTA = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Jakarta", year: "numeric", month: "numeric",
                                                     day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
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
      // The server's detail is English; the page shows the catalogue message for the error's type.
      const type = (body && body.type) || "";
      const key = "error." + type;
      const err = new Error(type && key in messages ? t(key) : t("error.generic", { status: res.status, type: type || res.statusText }));
      err.status = res.status;
      err.type = type;
      err.body = body;
      throw err;
    }
    return body;
  }

  async function call(path, options) {
    try {
      return await api(path, options);
    } catch (e) {
      if (e.status === undefined) { const err = new Error(t("error.network")); err.status = 0; throw err; }
      throw e;
    }
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
  // "15 Feb 2023 03.47" in Asia/Jakarta (WIB), month names from the catalogue.
  function when(iso, zone) {
    if (!iso) return "";
    const date = new Date(iso);
    if (isNaN(date)) return "";
    const parts = {};
    for (const p of JAKARTA.formatToParts(date)) parts[p.type] = p.value;
    const text = t("date.format", { day: Number(parts.day), month: MONTHS[Number(parts.month) - 1], year: parts.year,
                                    hour: parts.hour, minute: parts.minute });
    return zone ? text + " " + t("date.zone") : text;
  }
  // Exports store line breaks as the two characters backslash + n: show them as real line breaks.
  function lines(text) { return String(text == null ? "" : text).replace(/\\r\\n|\\n|\\r/g, "\n"); }

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
      await call("/v1/suggestions?status=review&limit=1");
    } catch (e) {
      showLogin(e.status === 403 ? t("login.not_admin") : e.status === 401 ? t("login.unknown_key") : e.message);
      return;
    }
    sessionStorage.setItem("lapor-key", state.key);
    localStorage.setItem("lapor-reviewer", state.reviewer);
    $("key").value = "";
    start();
  }

  async function signOut() {
    await releaseClaims();
    sessionStorage.removeItem("lapor-key");
    state.key = "";
    showLogin(t("login.signed_out"));
  }

  async function start() {
    $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
    try {
      const info = await call("/v1/model");
      state.labels = info.labels;
      $("model-version").textContent = info.version;
      fillOptions("category-options", info.labels.category);
      fillOptions("agency-options", info.labels.agency);
      renderGuard(info.guard);
    } catch (e) {
      if (e.status === 401 || e.status === 403) { showLogin(t("login.again")); return; }
      toast(t("toast.labels_failed", { error: e.message }), true);
    }
    await loadQueue();
  }

  // Live precision (issue 10): labels whose auto-routing is paused. Absent in older services: hidden.
  function renderGuard(guard) {
    const panel = $("guard");
    if (!guard || typeof guard !== "object" || !guard.targets) { panel.hidden = true; return; }
    const target = guard.target_precision == null ? "–" : pct(guard.target_precision);
    const rows = [];
    for (const [name, labels] of Object.entries(guard.targets || {})) {
      for (const [label, s] of Object.entries(labels || {})) {
        if (!s || s.auto !== false) continue;
        const cells = [("target." + name) in messages ? t("target." + name) : name, label, s.reviewed, s.correct,
                       s.lower_bound == null ? "–" : pct(s.lower_bound), when(s.since, true)];
        const tr = document.createElement("tr");
        tr.append(...cells.map((v) => { const td = document.createElement("td"); td.textContent = String(v == null ? "–" : v); return td; }));
        rows.push(tr);
      }
    }
    $("guard-rows").replaceChildren(...rows);
    $("guard-summary").textContent = rows.length ? t("guard.summary", { count: rows.length, target: target })
                                                 : t("guard.all_active", { target: target });
    panel.classList.toggle("paused", rows.length > 0);
    panel.hidden = false;
  }

  function fillOptions(id, labels) {
    const list = $(id);
    list.replaceChildren(...labels.map((label) => { const o = document.createElement("option"); o.value = label; return o; }));
  }

  // -- claims (issue 21): the page shows only complaints claimed for this reviewer, so two reviewers
  // never see the same one; the claims are renewed while shown and released on sign-out.
  const CLAIM_BATCH = 10;
  function reviewerName() { return state.reviewer || "admin"; }

  async function claimNext() {
    const claimed = await call("/v1/suggestions/claim", { method: "POST",
                                                          body: JSON.stringify({ reviewer: reviewerName(), limit: CLAIM_BATCH }) });
    scheduleRenewal(claimed.claimed_until);
    return claimed.items;
  }

  // Renew at half the time a claim has left (every 5 s at the most often, 2 min at the least).
  function scheduleRenewal(until) {
    clearTimeout(state.renewTimer);
    const left = new Date(until).getTime() - Date.now();
    state.renewTimer = setTimeout(renewClaims, Math.max(5000, Math.min(120000, (left || 0) / 2)));
  }

  async function renewClaims() {
    let until = null;
    for (const item of state.items.slice()) {
      if (!state.key) return;
      try {
        const renewed = await call("/v1/suggestions/" + item.suggestion_id + "/claim", { method: "POST",
                                                                                         body: JSON.stringify({ reviewer: reviewerName() }) });
        until = renewed.claimed_until;
      } catch (e) {
        if (e.status === 409) showClaimedByOther(item, e);
        else if (e.status === 401 || e.status === 403) { showLogin(t("login.again")); return; }
      }
    }
    if (until) scheduleRenewal(until);
  }

  function releaseClaims() {
    clearTimeout(state.renewTimer);
    if (!state.key || !state.items.length) return Promise.resolve(null);
    state.items = [];
    return call("/v1/suggestions/release", { method: "POST", keepalive: true,
                                             body: JSON.stringify({ reviewer: reviewerName() }) }).catch(() => null);
  }

  // Another reviewer holds the complaint (or it was decided meanwhile): take it off this page.
  function showClaimedByOther(item, error) {
    const i = state.items.indexOf(item);
    if (i < 0) return;
    state.items.splice(i, 1);
    const holder = error.body && error.body.claimed_by;
    toast(error.type === "ClaimedByOther" && holder ? t("claim.taken", { id: item.suggestion_id, reviewer: holder })
                                                    : error.message, true);
    renderQueue();
    select(Math.min(state.index, state.items.length - 1));
  }

  async function loadQueue() {
    let items, page;
    try {
      items = await claimNext();
      page = await call("/v1/suggestions?status=review&limit=1");
    } catch (e) {
      if (e.status === 401 || e.status === 403) { showLogin(t("login.again")); return; }
      toast(t("toast.queue_failed", { error: e.message }), true);
      return;
    }
    state.items = items;
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
      const text = document.createElement("div"); text.className = "q-text"; text.textContent = lines(item.text).replace(/\s+/g, " ");
      const agency = document.createElement("div"); agency.className = "q-agency";
      agency.textContent = item.agency.label + " · " + pct(item.agency.score);
      if (item.duplicates.some((d) => d.is_duplicate)) {
        const dup = document.createElement("span"); dup.className = "q-dup"; dup.textContent = t("queue.maybe_duplicate");
        agency.append(" ", dup);
      }
      li.append(head, text, agency);
      if (item.returned) {  // sent back by the receiving office: listed first by the API
        const back = document.createElement("div"); back.className = "q-returned";
        back.textContent = t("queue.returned", { agency: item.returned.agency });
        li.append(back);
      }
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
    badge.textContent = ("decision." + target.decision) in messages ? t("decision." + target.decision) : target.decision;
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
    el.querySelector(".why").replaceChildren(...(target.explanation.length ? target.explanation : [t("target.why_none")]).map((w) => {
      const li = document.createElement("li"); li.textContent = w; return li;
    }));
  }

  function renderDetail(item) {
    $("no-selection").hidden = true;
    $("current").hidden = false;
    $("cur-id").textContent = "#" + item.suggestion_id + (item.id ? " (" + item.id + ")" : "");
    const loc = Object.entries(item.location || {}).map(([k, v]) => k + ": " + v).join(" · ");
    $("cur-meta").textContent = [when(item.submitted_at || item.created_at, true), loc].filter(Boolean).join(" · ");
    const back = item.returned;
    $("cur-returned").hidden = !back;
    $("cur-returned").textContent = back
      ? t("detail.returned", { agency: back.agency, by: back.by, when: when(back.returned_at, true), reason: back.reason })
      : "";
    $("cur-text").replaceChildren(...highlighted(lines(item.text), item.explanation));
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
    $("dup-meta").textContent = t("detail.similarity", { pct: pct(d.score) }) + (d.is_duplicate ? " · " + t("detail.likely_duplicate") : "");
    $("dup-evidence").replaceChildren(...d.evidence.map((e) => { const li = document.createElement("li"); li.textContent = e; return li; }));
    let other = state.dupCache.get(d.suggestion_id);
    if (!other) {
      $("dup-text").textContent = "…";
      try { other = await call("/v1/suggestions/" + d.suggestion_id); state.dupCache.set(d.suggestion_id, other); }
      catch (e) { $("dup-text").textContent = t("detail.load_failed", { error: e.message }); return; }
    }
    if (state.items[state.index] !== item) return;  // moved on meanwhile
    $("dup-text").textContent = lines(other.text);
    $("dup-meta").textContent += " · " + when(other.submitted_at || other.created_at, true) + " · " + other.agency.label;
  }

  async function decide(body, what) {
    const item = state.items[state.index];
    if (!item) return;
    body.reviewer = state.reviewer || "admin";
    try {
      const saved = await call("/v1/suggestions/" + item.suggestion_id + "/decision", { method: "POST", body: JSON.stringify(body) });
      const flags = [saved.decision.unknown_agency ? t("flag.unknown_agency") : "", saved.decision.unknown_category ? t("flag.unknown_category") : ""].filter(Boolean);
      toast([t("toast.saved", { id: item.suggestion_id, outcome: what || t("outcome." + saved.decision.outcome) }),
             flags.length ? t("toast.flagged", { flags: flags.join(", ") }) : ""].filter(Boolean).join(" — "));
    } catch (e) {
      if (e.type === "ClaimedByOther" || e.type === "AlreadyDecided") { showClaimedByOther(item, e); return; }
      toast(t("toast.not_saved", { error: e.message }), true);
      return;
    }
    state.items.splice(state.index, 1);
    $("backlog").textContent = String(Math.max(0, Number($("backlog").textContent) - 1));
    renderQueue();
    select(state.index);
    if (!state.items.length) loadQueue();  // claim the next ones
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
    if (!category || !agency) { toast(t("toast.need_both"), true); return; }
    decide({ category: category, agency: agency }, "");
  }

  function markDuplicate() {
    const item = state.items[state.index];
    if (!item || !item.duplicates.length) { toast(t("toast.no_duplicate"), true); return; }
    const d = item.duplicates[state.dupIndex];
    decide({ category: $("in-category").value.trim() || item.category.label,
             agency: $("in-agency").value.trim() || item.agency.label, duplicate_of: d.suggestion_id }, t("toast.duplicate_of", { id: d.suggestion_id }));
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
