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
                  items: [], index: 0, dupIndex: 0, dupCache: new Map(), labels: { category: [], agency: [] },
                  known: { category: new Set(), agency: new Set() }, aliases: {}, routing: ["agency"], guard: null,
                  view: "review", undo: [], pick: null, proposal: null, agencyTouched: false };
  const TARGETS = ["category", "agency"];
  const field = (target) => $("in-" + target);

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
  // Excel's "_x000D_" escapes (carriage returns) are dropped.
  function lines(text) {
    return String(text == null ? "" : text).replace(/_x000[dD]_/g, "").replace(/_x000[aA]_/g, "\n")
      .replace(/\\r\\n|\\n|\\r/g, "\n");
  }

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
      state.known = { category: new Set(info.labels.category), agency: new Set(info.labels.agency) };
      state.aliases = info.aliases || {};
      state.routing = info.routing_targets || ["agency"];
      state.guard = info.guard || null;
      $("model-version").textContent = info.version;
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

  // -- claims (issue 21): the page shows only complaints claimed for this reviewer, so two reviewers
  // never see the same one; the claims are renewed while shown and released on sign-out.
  const CLAIM_BATCH = 10;
  function reviewerName() { return state.reviewer || "admin"; }

  async function claimNext() {
    const claimed = await call("/v1/suggestions/claim", { method: "POST",
                                                          body: JSON.stringify({ reviewer: reviewerName(), limit: CLAIM_BATCH,
                                                                                  status: state.view === "audit" ? "audit" : "review" }) });
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
      if (state.view === "categorise") {  // dispatched, only the category to confirm: listed, not claimed
        page = await call("/v1/suggestions?status=categorise&order=oldest&limit=200");
        items = page.items;
      } else {
        items = await claimNext();
        page = await call("/v1/suggestions?status=" + encodeURIComponent(state.view) + "&limit=1");
      }
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
    const keyPrefix = el.id === "target-category" ? "⇧" : "";
    el.querySelector(".topk").replaceChildren(...target.top_k.slice(0, 3).map((c, i) => {
      const li = document.createElement("li");
      li.dataset.label = c.label;
      const name = document.createElement("span"); name.className = "k-label";
      const key = document.createElement("kbd"); key.className = "k-key"; key.textContent = keyPrefix + (i + 1);
      name.append(key, c.label);
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
    renderWhy(item);
    closePick();
    state.proposal = null;
    state.agencyTouched = false;
    $("policy-note").textContent = "";
    field("category").value = item.category.label;
    field("agency").value = item.agency.label;
    markStaged();
    renderDuplicate(item);
  }

  // -- why the complaint waits, in words -----------------------------------------------------------
  function targetName(target) { return t("target." + target); }

  function targetReason(item, target) {
    const s = item[target];
    const params = { target: targetName(target), score: pct(s.score), threshold: s.threshold == null ? "–" : pct(s.threshold) };
    if (!state.routing.includes(target)) return s.decision === "review" ? t("why.not_routing", params) : "";
    if (s.decision !== "review") return t("why.decided_auto", params);
    if ((item.guard_held || []).includes(target)) return t("why.guard", params);
    if (s.threshold == null) return t("why.never_auto", params);
    if (s.score < s.threshold) return t("why.below", params);
    return t("why.no_place", params);
  }

  function renderWhy(item) {
    const reasons = [];
    if (item.audit) reasons.push(t("why.audit"));
    if (item.status === "auto" && item.category.decision === "review" && !item.audit) reasons.push(t("why.categorise"));
    for (const target of TARGETS) { const r = targetReason(item, target); if (r) reasons.push(r); }
    $("why-list").replaceChildren(...reasons.map((r) => { const li = document.createElement("li"); li.textContent = r; return li; }));
  }

  // The top-k entry currently in each field is marked, so the reviewer sees what will be saved.
  function markStaged() {
    for (const target of TARGETS) {
      const value = field(target).value.trim();
      document.querySelectorAll("#target-" + target + ">.topk>li").forEach((li) => li.classList.toggle("staged", li.dataset.label === value));
    }
  }

  // -- pick-lists: known labels only, found by name, short name or initials ------------------------
  function initials(label) {
    return label.split(/[^\p{L}\p{N}]+/u).filter((w) => w && w[0] === w[0].toUpperCase()).map((w) => w[0]).join("").toLowerCase();
  }

  function searchLabels(target, query) {
    const q = query.trim().toLowerCase();
    const labels = state.labels[target] || [];
    if (!q) return labels.slice(0, 50).map((label) => ({ label: label, rank: 9 }));
    const found = [];
    for (const label of labels) {
      const low = label.toLowerCase();
      const aliases = (target === "agency" && state.aliases[label]) || [];
      let rank = null;
      if (low === q || aliases.some((a) => a.toLowerCase() === q)) rank = 0;
      else if (aliases.some((a) => a.toLowerCase().startsWith(q)) || initials(label) === q.replace(/\s+/g, "")) rank = 1;
      else if (low.startsWith(q)) rank = 2;
      else if (low.split(/\s+/).some((w) => w.startsWith(q))) rank = 3;
      else if (low.includes(q) || aliases.some((a) => a.toLowerCase().includes(q))) rank = 4;
      if (rank !== null) found.push({ label: label, rank: rank });
    }
    found.sort((a, b) => a.rank - b.rank || a.label.length - b.label.length || a.label.localeCompare(b.label));
    return found.slice(0, 50);
  }

  function openPick(input) {
    state.pick = { input: input, target: input.dataset.target, matches: [], index: 0 };
    renderPick();
  }

  function renderPick() {
    const pick = state.pick;
    if (!pick) return;
    pick.matches = searchLabels(pick.target, pick.input.value === pick.startValue ? "" : pick.input.value);
    pick.index = Math.min(pick.index, Math.max(0, pick.matches.length - 1));
    const list = $("pick-list");
    const items = pick.matches.map((m, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === pick.index));
      li.textContent = m.label;
      const aliases = (pick.target === "agency" && state.aliases[m.label]) || [];
      if (aliases.length) {
        const span = document.createElement("span"); span.className = "alias";
        span.textContent = t("pick.alias", { aliases: aliases.join(", ") });
        li.append(span);
      }
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick.index = i; takePick(); });
      return li;
    });
    if (!items.length) { const li = document.createElement("li"); li.className = "none"; li.textContent = t("pick.none"); items.push(li); }
    list.replaceChildren(...items);
    const box = pick.input.getBoundingClientRect(), form = $("decide-form").getBoundingClientRect();
    list.style.left = (box.left - form.left) + "px";
    list.style.top = (box.bottom - form.top + 2) + "px";
    list.hidden = false;
    pick.input.setAttribute("aria-expanded", "true");
    const selected = list.querySelector('[aria-selected="true"]');
    if (selected) selected.scrollIntoView({ block: "nearest" });
  }

  function movePick(step) {
    const pick = state.pick;
    if (!pick || !pick.matches.length) return;
    pick.index = (pick.index + step + pick.matches.length) % pick.matches.length;
    renderPick();
  }

  function closePick() {
    if (state.pick) state.pick.input.setAttribute("aria-expanded", "false");
    state.pick = null;
    $("pick-list").hidden = true;
  }

  // Enter in a field: take the highlighted known label. Nothing matches: leave the field and save,
  // which asks for a confirmation before a new label is stored.
  function takePick() {
    const pick = state.pick;
    if (!pick) return;
    const input = pick.input;
    const match = pick.matches[pick.index];
    closePick();
    input.blur();
    if (match) setField(pick.target, match.label);
    else save();
  }

  function setField(target, label, fromPolicy) {
    field(target).value = label;
    if (target === "agency") state.agencyTouched = !fromPolicy;
    markStaged();
    if (target === "category") proposeAgency();
  }

  function pickSuggestion(target, n) {
    const item = state.items[state.index];
    const choice = item && item[target].top_k[n];
    if (!choice) return;
    setField(target, choice.label);
    toast(t("toast.picked", { target: targetName(target), label: choice.label }));
  }

  // -- the agency table: changing the category proposes (and fills) the table's agency -------------
  // Keys may come faster than the table's answer: taking it (p) and saving wait for the pending one.
  function proposeAgency() {
    state.proposalRequest = askTable().finally(() => { state.proposalRequest = null; });
    return state.proposalRequest;
  }

  async function askTable() {
    const item = state.items[state.index];
    const category = field("category").value.trim();
    if (!item || !category) return;
    const params = new URLSearchParams({ category: category });
    for (const place of ["kecamatan", "kelurahan"]) if (item.location && item.location[place]) params.set(place, item.location[place]);
    let answer;
    try { answer = await call("/v1/policy/agency?" + params.toString()); }
    catch (e) { $("policy-note").textContent = ""; return; }
    if (state.items[state.index] !== item || field("category").value.trim() !== category) return;  // moved on
    state.proposal = answer;
    if (answer.agency) {
      $("policy-note").textContent = t("policy.proposal", { agency: answer.agency, share: pct(answer.share), n: answer.n });
      if (!state.agencyTouched) setField("agency", answer.agency, true);
    } else if (answer.role) {
      $("policy-note").textContent = t("policy.no_place", { role: answer.role });
    } else {
      $("policy-note").textContent = t("policy.none");
    }
  }

  async function takeProposal() {
    if (state.proposalRequest) await state.proposalRequest;
    if (state.proposal && state.proposal.agency) setField("agency", state.proposal.agency, true);
  }

  // The duplicate evidence in the page's language, from the structured facts the service stores.
  function evidenceWords(d) {
    const f = d.facts;
    if (!f) return [t("evidence.similarity", { pct: pct(d.score) })];
    const out = [t("evidence.similarity", { pct: pct(f.text_similarity == null ? d.score : f.text_similarity) })];
    if (f.same_kelurahan != null) out.push(t(f.same_kelurahan ? "evidence.same_kelurahan" : "evidence.different_kelurahan"));
    else if (f.same_kecamatan != null) out.push(t(f.same_kecamatan ? "evidence.same_kecamatan" : "evidence.different_kecamatan"));
    if (f.shared_places && f.shared_places.length) out.push(t("evidence.same_place", { places: f.shared_places.join(", ") }));
    if (f.conflicting_places && f.conflicting_places.length) out.push(t("evidence.different_place", { places: f.conflicting_places.join("; ") }));
    if (f.days_apart != null) out.push(t("evidence.days_apart", { days: Math.round(f.days_apart * 10) / 10 }));
    if (f.shared_phrases && f.shared_phrases.length) out.push(t("evidence.phrases", { phrases: f.shared_phrases.join(", ") }));
    return out;
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
    $("dup-evidence").replaceChildren(...evidenceWords(d).map((e) => { const li = document.createElement("li"); li.textContent = e; return li; }));
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
      state.undo.push({ item: item, index: state.index });
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

  // Save the fields as shown (at first the model's suggestion). A label outside the model's lists is
  // saved only after an explicit confirmation in a dialog whose default button cancels.
  async function save(event) {
    if (event) event.preventDefault();
    const item = state.items[state.index];
    if (!item) return;
    if (state.proposalRequest) await state.proposalRequest;  // the table may still fill the agency
    const body = { category: field("category").value.trim(), agency: field("agency").value.trim() };
    if (!body.category || !body.agency) { toast(t("toast.need_both"), true); return; }
    const unknown = TARGETS.filter((target) => !state.known[target].has(body[target])).map((target) => body[target]);
    if (unknown.length && !(await confirmNew(unknown))) return;
    decide(body, "");
  }

  function confirmNew(labels) {
    return new Promise((resolve) => {
      const dialog = $("confirm-new");
      $("confirm-new-text").textContent = t("confirm.text", { labels: labels.map((l) => "«" + l + "»").join(", ") });
      const finish = (ok) => { dialog.onclose = null; if (dialog.open) dialog.close(); resolve(ok); };
      $("confirm-new-yes").onclick = () => finish(true);
      $("confirm-new-no").onclick = () => finish(false);
      dialog.onclose = () => finish(false);
      dialog.showModal();
      $("confirm-new-no").focus();
    });
  }

  async function undoLast() {
    const last = state.undo.pop();
    if (!last) { toast(t("toast.nothing_to_undo"), true); return; }
    const params = new URLSearchParams({ reviewer: state.reviewer || "admin" });
    let restored;
    try {
      restored = await call("/v1/suggestions/" + last.item.suggestion_id + "/decision?" + params.toString(), { method: "DELETE" });
    } catch (e) {
      toast(t("toast.not_saved", { error: e.message }), true);
      return;
    }
    const at = Math.min(last.index, state.items.length);
    state.items.splice(at, 0, restored);
    $("backlog").textContent = String(Number($("backlog").textContent) + 1);
    renderQueue();
    select(at);
    toast(t("toast.undone", { id: restored.suggestion_id }));
  }

  function markDuplicate() {
    const item = state.items[state.index];
    if (!item || !item.duplicates.length) { toast(t("toast.no_duplicate"), true); return; }
    const d = item.duplicates[state.dupIndex];
    decide({ category: field("category").value.trim() || item.category.label,
             agency: field("agency").value.trim() || item.agency.label, duplicate_of: d.suggestion_id }, t("toast.duplicate_of", { id: d.suggestion_id }));
  }

  function cycleDuplicate(step) {
    const item = state.items[state.index];
    if (!item || item.duplicates.length < 2) return;
    state.dupIndex = (state.dupIndex + step + item.duplicates.length) % item.duplicates.length;
    renderDuplicate(item);
  }

  function toggleHelp() { const h = $("help"); if (h.open) h.close(); else h.showModal(); }

  function focusField(target) {
    const input = field(target);
    input.select();
    input.focus();
    openPick(input);
    state.pick.startValue = input.value;  // the whole list until the reviewer types
    renderPick();
  }

  function onFieldKey(event) {
    const input = event.target;
    const pickKeys = {
      ArrowDown: () => movePick(1), ArrowUp: () => movePick(-1),
      Enter: () => takePick(),
      Escape: () => { closePick(); input.blur(); },
    };
    const action = pickKeys[event.key];
    if (!action) return;
    event.preventDefault();
    if (!state.pick) openPick(input);
    action();
  }

  function onKey(event) {
    if ($("app").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if ($("confirm-new").open || $("help").open && event.key !== "?") return;
    const tag = event.target.tagName;
    if (tag === "INPUT" && event.target.dataset.target) { onFieldKey(event); return; }
    if (["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(tag)) {
      if (event.key === "Escape") event.target.blur();
      if (tag !== "BUTTON" || event.key === "Enter") return;
    }
    const digit = /^Digit([123])$/.exec(event.code || "");
    if (digit) { event.preventDefault(); pickSuggestion(event.shiftKey ? "category" : "agency", Number(digit[1]) - 1); return; }
    const actions = {
      j: () => select(state.index + 1), ArrowDown: () => select(state.index + 1),
      k: () => select(state.index - 1), ArrowUp: () => select(state.index - 1),
      a: save, Enter: save, d: markDuplicate, r: loadQueue, "?": toggleHelp, u: undoLast, p: takeProposal,
      c: () => focusField("category"), g: () => focusField("agency"),
      "[": () => cycleDuplicate(-1), "]": () => cycleDuplicate(1),
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  }

  function onFieldInput(event) {
    if (!state.pick || state.pick.input !== event.target) openPick(event.target);
    state.pick.startValue = null;
    state.pick.index = 0;
    renderPick();
  }

  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  $("decide-form").addEventListener("submit", save);
  $("btn-accept").addEventListener("click", () => save());
  $("btn-undo").addEventListener("click", undoLast);
  $("queue-view").addEventListener("change", (e) => { state.view = e.target.value; state.index = 0; e.target.blur(); loadQueue(); });
  for (const target of TARGETS) {
    field(target).addEventListener("input", onFieldInput);
    field(target).addEventListener("focus", (e) => { if (!state.pick) openPick(e.target); });
    field(target).addEventListener("blur", () => setTimeout(() => { if (state.pick && document.activeElement !== state.pick.input) closePick(); }, 0));
    field(target).addEventListener("change", () => { if (target === "category") proposeAgency(); else state.agencyTouched = true; markStaged(); });
  }
  $("btn-dup").addEventListener("click", markDuplicate);
  $("help-btn").addEventListener("click", toggleHelp);
  $("help-close").addEventListener("click", () => $("help").close());
  document.addEventListener("keydown", onKey);

  if (state.key) start(); else showLogin("");
})();
