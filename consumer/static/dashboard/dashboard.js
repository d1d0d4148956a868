// call-insights dashboard: reads the sidecar's JSON API and redraws every few seconds.
// Plain DOM and inline SVG; every value from the API is set as text, never parsed as HTML.
(() => {
  "use strict";

  const REFRESH_MS = 5000;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SENTIMENTS = ["Positive", "Neutral", "Negative"];
  const SENTIMENT_COLOURS = { Positive: "#2f9e44", Neutral: "#868e96", Negative: "#e03131" };
  const INTENTS = [
    "promise_to_pay", "already_paid", "dispute", "hardship", "settlement_request", "refuse_to_pay",
    "callback_request", "wrong_party", "information_request", "complaint", "other",
  ];
  const INTENT_COLOURS = {
    promise_to_pay: "#1c7ed6", already_paid: "#37b24d", dispute: "#f76707", hardship: "#ae3ec9",
    settlement_request: "#0ca678", refuse_to_pay: "#c92a2a", callback_request: "#f59f00",
    wrong_party: "#495057", information_request: "#74c0fc", complaint: "#d6336c", other: "#ced4da",
  };
  const PRIORITY_RANK = { high: 0, normal: 1, low: 2 };

  const inr = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", maximumFractionDigits: 0 });
  const count = new Intl.NumberFormat("en-IN");
  const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const cents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });
  let serviceProvider = null;  // the analyzer this instance runs, from GET /
  let zone = "UTC";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (_) { /* keep UTC */ }

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  const label = (value) => String(value).replace(/_/g, " ");
  const chip = (text, kind) => el("span", { class: `chip ${kind || ""}` }, label(text));

  function time(iso) {
    const d = new Date(iso);
    const today = new Date();
    const sameDay = d.toDateString() === today.toDateString();
    return d.toLocaleString(undefined, sameDay
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  // Estimated spend: cents for a dollar or more, up to 4 decimals below; null when nothing had a price.
  function usd(value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return "–";
    if (value > 0 && value < 0.0001) return "< $0.0001";
    return value >= 1 ? dollars.format(value) : cents.format(value);
  }

  const tokens = (value) => count.format(Number(value) || 0);

  function dueDate(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-").map(Number);
    const due = new Date(y, m - 1, d);
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    const text = due.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
    return due < today ? el("span", { class: "overdue", title: "past due" }, text) : text;
  }

  // With API_KEYS set the data routes need a key: asked for once, kept for this tab only.
  const KEY_ITEM = "call-insights.api-key";

  async function fetchWithKey(url) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_ITEM);
    if (key) headers["X-API-Key"] = key;
    const response = await fetch(url, { headers, cache: "no-store" });
    if (response.status !== 401) return response;
    const entered = window.prompt(key ? "That API key was refused. API key:" : "This service needs an API key:");
    if (!entered) return response;
    sessionStorage.setItem(KEY_ITEM, entered.trim());
    return fetchWithKey(url);
  }

  async function getJSON(url) {
    const response = await fetchWithKey(url);
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const err = new Error((body && (body.detail && JSON.stringify(body.detail))) || response.statusText);
      err.status = response.status;
      err.body = body;
      throw err;
    }
    return body;
  }

  // --- charts ---------------------------------------------------------------------------------------

  function niceMax(value) {
    if (value <= 4) return 4;
    const step = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
    return 10 * step;
  }

  function bucketLabel(iso, bucket) {
    const d = new Date(iso);
    return bucket === "day"
      ? d.toLocaleDateString(undefined, { day: "numeric", month: "short" })
      : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }

  function stackedBars(container, series, field, keys, colours, bucket) {
    const W = 600, H = 230, left = 34, right = 8, top = 10, bottom = 26;
    const plotW = W - left - right, plotH = H - top - bottom;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${field} per ${bucket}` });
    const peak = Math.max(0, ...series.map((b) => b.total));
    const max = niceMax(peak);
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      chart.append(svg("line", { class: "grid", x1: left, x2: W - right, y1: y, y2: y }));
      chart.append(svg("text", { class: "axis", x: left - 6, y: y + 3, "text-anchor": "end" }, count.format((max * i) / 4)));
    }
    const n = Math.max(series.length, 1);
    const slot = plotW / n;
    const barW = Math.max(2, Math.min(36, slot * 0.72));
    const every = Math.ceil(n / 8);
    series.forEach((b, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      let y = top + plotH;
      for (const key of keys) {
        const value = b[field][key] || 0;
        if (!value) continue;
        const h = (plotH * value) / max;
        y -= h;
        const rect = svg("rect", { x: x.toFixed(2), y: y.toFixed(2), width: barW.toFixed(2), height: h.toFixed(2), fill: colours[key] });
        rect.append(svg("title", {}, `${bucketLabel(b.start, bucket)} · ${label(key)}: ${value}`));
        chart.append(rect);
      }
      if (i % every === 0) {
        const cx = left + i * slot + slot / 2;
        const anchor = cx < left + 24 ? "start" : cx > W - right - 24 ? "end" : "middle";
        const lx = anchor === "start" ? cx - slot / 2 : anchor === "end" ? cx + slot / 2 : cx;
        chart.append(svg("text", { class: "axis", x: lx.toFixed(2), y: H - 8, "text-anchor": anchor },
          bucketLabel(b.start, bucket)));
      }
    });
    if (!peak) {
      chart.append(svg("text", { class: "empty", x: left + plotW / 2, y: top + plotH / 2, "text-anchor": "middle" }, "No calls in this window"));
    }
    container.replaceChildren(chart);
  }

  function legend(container, keys, colours, totals) {
    container.replaceChildren(...keys
      .filter((key) => totals[key] || keys.length <= 3)
      .map((key) => el("li", {},
        el("span", { class: "swatch", dataset: { key } }), label(key), " ", el("b", {}, count.format(totals[key] || 0)))));
    // swatch colours are set through the CSSOM, which the page's Content-Security-Policy allows
    container.querySelectorAll(".swatch").forEach((s) => { s.style.background = colours[s.dataset.key]; });
  }

  // --- tables ---------------------------------------------------------------------------------------

  function callLink(item) {
    const button = el("button", { type: "button", class: "link", title: "Show the call" }, el("code", {}, item.call_id));
    button.addEventListener("click", () => showCall(item.unique_id));
    return button;
  }

  function fillTable(table, rows, empty) {
    const body = table.tBodies[0];
    if (!rows.length) {
      const cols = table.tHead.rows[0].cells.length;
      body.replaceChildren(el("tr", {}, el("td", { class: "none", colspan: cols }, empty)));
      return;
    }
    body.replaceChildren(...rows);
  }

  function actionRow(item) {
    const ptp = item.promise_to_pay;
    const amount = ptp && ptp.amount_inr !== null && ptp.amount_inr !== undefined ? ptp.amount_inr : null;
    return el("tr", { dataset: { callId: item.call_id, priority: item.priority } },
      el("td", { class: "time" }, time(item.created_at)),
      el("td", {}, callLink(item)),
      el("td", {}, label(item.intent_category)),
      el("td", {}, chip(item.sentiment, item.sentiment)),
      el("td", {}, chip(item.priority, item.priority)),
      el("td", { class: "num", dataset: amount === null ? {} : { amountInr: amount } }, amount === null ? "" : inr.format(amount)),
      el("td", { class: "time" }, ptp ? (dueDate(ptp.due_date) || ptp.due_text || "") : ""),
      el("td", { class: "summary" }, item.summary));
  }

  function flagRow(item) {
    const distress = item.distress ? item.distress.kinds.map((k) => chip(k, "distress")) : [];
    const flags = (item.compliance_flags || [])
      .filter((f) => f.severity !== "low")
      .map((f) => {
        const c = chip(f.rule, f.severity);
        if (f.quote) c.title = `${f.severity}: “${f.quote}”`;
        return c;
      });
    return el("tr", { dataset: { callId: item.call_id } },
      el("td", { class: "time" }, time(item.created_at)),
      el("td", {}, callLink(item)),
      el("td", {}, distress),
      el("td", {}, flags),
      el("td", {}, chip(item.priority, item.priority)),
      el("td", { class: "summary" }, item.summary));
  }

  function deadRow(item) {
    return el("tr", {},
      el("td", { class: "time" }, time(item.failed_at)),
      el("td", {}, chip(item.reason, "high")),
      el("td", { class: "error" }, item.error),
      el("td", {}, el("code", {}, `${item.original_topic}[${item.original_partition}]@${item.original_offset}`)),
      el("td", {}, item.key === null ? "" : el("code", {}, item.key)),
      el("td", { class: "num" }, item.attempts));
  }

  // --- detail dialog --------------------------------------------------------------------------------

  async function showCall(uniqueId) {
    const dialog = $("detail");
    let record;
    try {
      record = await getJSON(`/calls/${encodeURIComponent(uniqueId)}`);
    } catch (err) {
      $("updated").textContent = `Could not load the call: ${err.message}`;
      return;
    }
    $("detail-title").textContent = `Call ${record.call_id}`;
    const ptp = record.promise_to_pay;
    const fields = [
      ["Intent", `${record.customer_intent} (${label(record.intent_category)})`],
      ["Sentiment", chip(record.sentiment, record.sentiment)],
      ["Action required", record.action_required ? "yes" : "no"],
      ["Priority", chip(record.priority, record.priority)],
      ["Contact", label(record.contact_status)],
      ["Promise", ptp ? [ptp.amount_inr !== null ? inr.format(ptp.amount_inr) : "amount not stated", " · ",
        ptp.due_date ? dueDate(ptp.due_date) : (ptp.due_text || "date not stated")] : "none"],
      ["Distress", record.distress ? record.distress.kinds.map((k) => chip(k, "distress")) : "none"],
      ["Conduct flags", record.compliance_flags.length ? record.compliance_flags.map((f) => chip(f.rule, f.severity)) : "none"],
      ["Summary", record.summary],
      ["Analyzer", analyzerText(record.analyzer)],
      ["Stored", new Date(record.created_at).toLocaleString()],
    ];
    $("detail-fields").replaceChildren(...fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    $("detail-transcript").textContent = record.raw_transcript;
    history.replaceState(null, "", `#call=${encodeURIComponent(uniqueId)}`);
    if (!dialog.open) dialog.showModal();
  }

  function analyzerText(analyzer) {
    if (!analyzer) return "unknown";
    const text = `${analyzer.provider} / ${analyzer.model}`;
    const u = analyzer.usage;
    if (!u) return text;
    const cost = analyzer.estimated_cost_usd === null || analyzer.estimated_cost_usd === undefined
      ? "" : ` · ≈ ${usd(analyzer.estimated_cost_usd)}`;
    return `${text} · ${tokens(u.prompt_tokens)} prompt (${tokens(u.cached_tokens)} cached), ` +
      `${tokens(u.thought_tokens)} thinking, ${tokens(u.output_tokens)} output tokens${cost}`;
  }

  function showLinkedCall() {
    const match = /^#call=([0-9a-fA-F-]{32,36})$/.exec(location.hash);
    if (match) showCall(match[1]);
  }

  // --- refresh --------------------------------------------------------------------------------------

  function renderStats(stats) {
    $("kpi-total").textContent = count.format(stats.total);
    $("kpi-action").textContent = count.format(stats.action_required.true);
    $("kpi-ptp").textContent = count.format(stats.promises_to_pay);
    $("kpi-ptp-amount").textContent = stats.promised_amount_inr ? `${inr.format(stats.promised_amount_inr)} promised` : "";
    $("kpi-distress").textContent = count.format(stats.distress);
    $("kpi-compliance").textContent = count.format(stats.compliance_high);
    $("kpi-dead").textContent = count.format(stats.dead_letters);
    stackedBars($("chart-sentiment"), stats.series, "sentiment", SENTIMENTS, SENTIMENT_COLOURS, stats.bucket);
    legend($("legend-sentiment"), SENTIMENTS, SENTIMENT_COLOURS, stats.sentiment);
    stackedBars($("chart-intent"), stats.series, "intent_category", INTENTS, INTENT_COLOURS, stats.bucket);
    legend($("legend-intent"), INTENTS, INTENT_COLOURS, stats.intent_category);
    renderLLM(stats);
  }

  function llmRow(m) {
    return el("tr", { dataset: { model: m.model } },
      el("td", {}, el("code", {}, m.model)),
      el("td", { class: "num" }, tokens(m.calls)),
      el("td", { class: "num" }, tokens(m.requests)),
      el("td", { class: "num" }, tokens(m.prompt_tokens)),
      el("td", { class: "num" }, tokens(m.cached_tokens)),
      el("td", { class: "num" }, tokens(m.thought_tokens)),
      el("td", { class: "num" }, tokens(m.output_tokens)),
      el("td", { class: "num", dataset: m.estimated_cost_usd === null ? {} : { usd: m.estimated_cost_usd } },
        m.estimated_cost_usd === null ? "no price" : usd(m.estimated_cost_usd)));
  }

  function renderLLM(stats) {
    const llm = stats.llm || { calls: 0, by_model: [] };
    const used = llm.calls > 0;
    $("llm-totals").hidden = !used;
    $("llm-empty").hidden = used;
    $("llm-models").hidden = !used || llm.by_model.length < 2;
    if (!used) {
      $("llm-note").textContent = "";
      let text = "No LLM calls in this window — no LLM cost.";
      if (stats.total > 0) {
        const calls = stats.total === 1 ? "call" : "calls";
        text = `Offline analyzer — no LLM cost: the ${count.format(stats.total)} ${calls} in this window were analysed without an LLM.`;
      } else if (serviceProvider === "offline") {
        text = "Offline analyzer — no LLM cost.";
      }
      $("llm-empty").textContent = text;
      return;
    }
    const parts = [];
    if (llm.by_model.length === 1) parts.push(llm.by_model[0].model);
    parts.push(`${tokens(llm.calls)} ${llm.calls === 1 ? "call" : "calls"}`);
    if (llm.requests !== llm.calls) parts.push(`${tokens(llm.requests)} requests`);
    if (llm.calls < stats.total) parts.push(`${tokens(stats.total - llm.calls)} analysed offline`);
    $("llm-note").textContent = parts.join(" · ");
    $("llm-prompt").textContent = tokens(llm.prompt_tokens);
    $("llm-cached").textContent = tokens(llm.cached_tokens);
    $("llm-thought").textContent = tokens(llm.thought_tokens);
    $("llm-output").textContent = tokens(llm.output_tokens);
    const cost = $("llm-cost");
    cost.textContent = usd(llm.estimated_cost_usd);
    if (llm.estimated_cost_usd === null) delete cost.dataset.usd;
    else cost.dataset.usd = String(llm.estimated_cost_usd);
    const unpriced = llm.calls - llm.priced_calls;
    $("llm-cost-note").textContent = llm.estimated_cost_usd === null
      ? "no price configured for the model"
      : unpriced > 0 ? `USD, without ${tokens(unpriced)} unpriced ${unpriced === 1 ? "call" : "calls"}` : "USD";
    if (llm.by_model.length > 1) fillTable($("table-llm"), llm.by_model.map(llmRow), "");
  }

  function renderHealth(health) {
    const components = (health && health.components) || {};
    $("health").replaceChildren(...Object.entries(components).map(([name, c]) =>
      el("li", { class: c.status === "up" ? "up" : "down", title: c.error || c.status }, name)));
  }

  async function statsFor(hours) {
    const until = new Date();
    const since = new Date(until.getTime() - hours * 3600 * 1000);
    const params = new URLSearchParams({ since: since.toISOString(), until: until.toISOString(), tz: zone });
    try {
      return await getJSON(`/stats?${params}`);
    } catch (err) {
      if (err.status === 400 && zone !== "UTC") {
        zone = "UTC";  // a zone the server does not know: align buckets to UTC instead
        return statsFor(hours);
      }
      throw err;
    }
  }

  async function refresh() {
    const hours = Number($("window").value);
    const since = new Date(Date.now() - hours * 3600 * 1000).toISOString();
    const recent = `since=${encodeURIComponent(since)}`;
    const [stats, action, urgent, distress, conduct, dead, health] = await Promise.allSettled([
      statsFor(hours),
      getJSON(`/calls?action_required=true&limit=25&${recent}`),
      getJSON(`/calls?action_required=true&priority=high&limit=25&${recent}`),
      getJSON(`/calls?has_distress=true&limit=15&${recent}`),
      getJSON(`/calls?compliance_severity=high&limit=15&${recent}`),
      getJSON("/dead_letters?limit=10"),
      getJSON("/health").catch((err) => err.body),
    ]);
    if (health.status === "fulfilled") renderHealth(health.value);
    const failed = [stats, action, urgent, distress, conduct, dead].filter((r) => r.status === "rejected");
    if (stats.status === "fulfilled") renderStats(stats.value);
    if (action.status === "fulfilled" && urgent.status === "fulfilled") {
      // the latest calls, with high-priority ones first even when they are older
      const byId = new Map();
      for (const item of [...urgent.value.items, ...action.value.items]) byId.set(item.id, item);
      const items = [...byId.values()].sort((a, b) =>
        (PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]) || (a.created_at < b.created_at ? 1 : -1)).slice(0, 25);
      fillTable($("table-action"), items.map(actionRow), "Nothing waiting in this window.");
      const more = action.value.next_cursor || urgent.value.next_cursor || byId.size > items.length;
      $("count-action").textContent = more ? `top ${items.length}` : `${items.length}`;
    }
    if (distress.status === "fulfilled" && conduct.status === "fulfilled") {
      const seen = new Map();
      for (const item of [...distress.value.items, ...conduct.value.items]) seen.set(item.id, item);
      const items = [...seen.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
      fillTable($("table-flags"), items.map(flagRow), "No distress or serious conduct flags in this window.");
      $("count-flags").textContent = `${items.length}`;
    }
    if (dead.status === "fulfilled") {
      fillTable($("table-dead"), dead.value.items.map(deadRow), "No dead letters.");
      $("count-dead").textContent = dead.value.next_cursor ? `latest ${dead.value.items.length}` : `${dead.value.items.length}`;
    }
    const status = $("updated");
    if (failed.length) {
      status.textContent = `Update failed (${failed[0].reason.message}); retrying`;
      status.classList.add("stale");
    } else {
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      status.classList.remove("stale");
    }
  }

  async function loop() {
    try {
      await refresh();
    } catch (err) {
      $("updated").textContent = `Update failed (${err.message}); retrying`;
    }
    setTimeout(loop, REFRESH_MS);
  }

  async function describeService() {
    try {
      const info = await getJSON("/");
      serviceProvider = info.analyzer ? info.analyzer.provider : null;
      const analyzer = info.analyzer ? ` · analyzer ${info.analyzer.provider}/${info.analyzer.model}` : "";
      $("service").textContent = `v${info.version}${analyzer} · times in ${zone}`;
    } catch (_) { /* the header keeps its default text */ }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("window").addEventListener("change", () => { refresh().catch(() => {}); });
    $("detail-close").addEventListener("click", () => $("detail").close());
    $("detail").addEventListener("close", () => history.replaceState(null, "", location.pathname + location.search));
    window.addEventListener("hashchange", showLinkedCall);
    describeService();
    showLinkedCall();
    loop();
  });
})();
