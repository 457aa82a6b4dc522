// Step Functions Local console: a few views over /console/api/*, redrawn when the server says
// something changed (long poll on /console/api/changes). Text from executions is only ever put
// into the page as text (textContent), never as markup.
"use strict";

const API = "/console/api/";
const OUTCOMES = ["succeeded", "failed", "caught", "retried", "running", "not run"];
// refresh: repaints the view; live: whether a change on the server may change it.
let current = { refresh: null, live: false };
let version = -1;

// -- helpers ---------------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function s(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
async function api(path, params) {
  const query = new URLSearchParams(params || {}).toString();
  const response = await fetch(API + path + (query ? "?" + query : ""));
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}
const time = (ms) => (ms === null || ms === undefined ? "–" : new Date(ms).toLocaleString());
const clock = (ms) => (ms === null || ms === undefined ? "–" : new Date(ms).toLocaleTimeString());
function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}
const statusBadge = (status) => h("span", { class: `status ${status}`, "data-status": status }, status);
const pretty = (value) => {
  if (typeof value === "string") {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch (e) { return value; }
  }
  return JSON.stringify(value, null, 2);
};
const outcomeClass = (outcome) => "outcome-" + (outcome || "none").replace(" ", "-");
function view(...children) {
  const main = document.getElementById("view");
  main.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
}
function tabs(names, active, onSelect) {
  return h("div", { class: "tabs", role: "tablist" }, names.map((name) =>
    h("button", { class: name === active ? "active" : "", "data-tab": name, onclick: () => onSelect(name) }, name)));
}

// -- routing ---------------------------------------------------------------------------------
function route() {
  const hash = decodeURIComponent(location.hash.slice(1) || "/");
  const [, kind, ...rest] = hash.split("/");
  const arg = rest.join("/");
  if (kind === "execution" && arg) return showExecution(arg);
  if (kind === "machine" && arg) return showMachine(arg);
  if (kind === "executions") return showExecutions(new URLSearchParams(location.search));
  return showHome();
}
async function render(load, paint, live) {
  const shown = { live: true };
  shown.refresh = async () => {
    const data = await load();
    if (shown !== current) return; // the user moved on meanwhile
    paint(data);
    shown.live = live ? live(data) : true;
  };
  current = shown;
  try {
    await current.refresh();
  } catch (error) {
    view(h("p", { class: "error" }, String(error.message || error)));
  }
}

// -- home: state machines and the newest executions ------------------------------------------
function showHome() {
  return render(async () => ({ machines: await api("state-machines"), runs: await api("executions", { limit: 20 }) }),
    ({ machines, runs }) => view(
      h("h1", {}, "State machines"),
      machinesTable(machines.stateMachines),
      h("h2", {}, "Latest executions"),
      executionsTable(runs.executions, true)));
}
function machinesTable(machines) {
  return h("table", { id: "machines" },
    h("tr", {}, ["Name", "Type", "Executions on record", "Last status", "Logging"].map((t) => h("th", {}, t))),
    machines.map((m) => h("tr", { class: "machine", "data-arn": m.arn },
      h("td", {}, h("a", { href: `#/machine/${encodeURIComponent(m.arn)}` }, m.name)),
      h("td", {}, m.type), h("td", {}, m.executions),
      h("td", {}, m.lastStatus ? statusBadge(m.lastStatus) : "–"),
      h("td", {}, m.logGroup ? `${m.logging.level} → ${m.logGroup}` : "OFF"))));
}
function executionsTable(executions, withMachine) {
  if (!executions.length) return h("p", { class: "muted", id: "no-executions" }, "No executions yet.");
  return h("table", { id: "executions" },
    h("tr", {}, ["Name", withMachine ? "State machine" : null, "Status", "Started", "Duration", "States"]
      .filter(Boolean).map((t) => h("th", {}, t))),
    executions.map((e) => h("tr", { class: "execution", "data-arn": e.arn, "data-status": e.status },
      h("td", {}, h("a", { href: `#/execution/${encodeURIComponent(e.arn)}` }, e.name)),
      withMachine ? h("td", {}, e.stateMachineName, h("span", { class: "muted" }, ` ${e.type}`)) : null,
      h("td", {}, statusBadge(e.status), e.error ? h("div", { class: "muted" }, e.error) : null),
      h("td", {}, time(e.started)), h("td", {}, duration(e.durationMs)), h("td", {}, e.statesRun))));
}

// -- all executions with filters ---------------------------------------------------------------
function showExecutions() {
  const filters = JSON.parse(sessionStorage.getItem("filters") || "{}");
  return render(async () => ({
    machines: await api("state-machines"),
    runs: await api("executions", { ...filters, limit: 200 }),
  }), ({ machines, runs }) => {
    const set = (key) => (event) => {
      filters[key] = event.target.value;
      sessionStorage.setItem("filters", JSON.stringify(filters));
      current.refresh();
    };
    view(
      h("h1", {}, "Executions"),
      h("div", { class: "filters" },
        h("label", {}, "State machine", h("select", { id: "filter-machine", onchange: set("stateMachineArn") },
          h("option", { value: "" }, "all"),
          machines.stateMachines.map((m) => h("option", { value: m.arn, selected: filters.stateMachineArn === m.arn }, m.name)))),
        h("label", {}, "Status", h("select", { id: "filter-status", onchange: set("status") },
          ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].map((v) =>
            h("option", { value: v, selected: (filters.status || "") === v }, v || "all")))),
        h("label", {}, "Name, ARN or trace id", h("input", { id: "filter-name", value: filters.name || "", onchange: set("name") })),
        h("span", { class: "muted" }, `${runs.total} on record`)),
      executionsTable(runs.executions, true));
  });
}

// -- one state machine -------------------------------------------------------------------------
function showMachine(arn, tab) {
  tab = tab || "Executions";
  return render(async () => {
    const machine = await api("state-machine", { arn });
    const extra = tab === "Executions" ? await api("executions", { stateMachineArn: arn, limit: 200 })
      : tab === "Monitoring" ? await api("monitoring", { stateMachineArn: arn })
        : tab === "Logging" ? await api("logs", { stateMachineArn: arn }) : null;
    return { machine, extra };
  }, ({ machine, extra }) => {
    const body = tab === "Executions" ? executionsTable(extra.executions, false)
      : tab === "Monitoring" ? monitoring(extra.minutes)
        : tab === "Logging" ? logging(extra, machine)
          : h("div", { class: "graph-wrap" }, drawGraph(machine.picture, {}, [], null, () => {}));
    view(
      h("h1", {}, machine.name, " ", h("span", { class: "muted" }, machine.type)),
      h("div", { class: "facts panel" },
        h("div", {}, h("span", {}, "ARN"), h("code", {}, machine.arn)),
        h("div", {}, h("span", {}, "Logging"), machine.logGroup
          ? `${machine.logging.level}, ${machine.logging.includeExecutionData ? "with" : "without"} execution data → ${machine.logGroup}`
          : "OFF")),
      tabs(["Executions", "Definition", "Monitoring", "Logging"], tab, (name) => showMachine(arn, name)),
      body);
  }, () => tab !== "Definition");
}
const METRICS = [
  ["started", "Executions started", "sum"], ["succeeded", "Executions succeeded", "sum"],
  ["failed", "Executions failed", "sum"], ["averageDurationMs", "Execution duration (average, ms)", "avg"],
  ["billedDurationMs", "Billed duration (ms)", "sum"], ["billedMemoryMb", "Billed memory (MB)", "sum"],
];
function monitoring(minutes) {
  // The last 60 minutes, one bar a minute, as the Step Functions console's Monitoring tab.
  const now = Math.floor(Date.now() / 60000) * 60;
  const byMinute = new Map(minutes.map((m) => [m.minute, m]));
  const span = Array.from({ length: 60 }, (_, i) => byMinute.get(now - (59 - i) * 60) || { minute: now - (59 - i) * 60 });
  return h("div", { class: "charts", id: "monitoring" }, METRICS.map(([key, title, how]) => {
    const values = span.map((m) => m[key] || 0);
    const kept = minutes.map((m) => m[key]).filter((v) => v !== null && v !== undefined);
    let total = kept.reduce((a, b) => a + b, 0);
    if (how === "avg") total = kept.length ? total / kept.length : 0;
    const max = Math.max(1, ...values);
    const width = 300, height = 90;
    return h("div", { class: "chart panel", "data-metric": key },
      h("h3", {}, title), h("div", { class: "total" }, how === "avg" ? Math.round(total) : total),
      s("svg", { width, height: height + 14, viewBox: `0 0 ${width} ${height + 14}` },
        s("line", { class: "axis", x1: 0, y1: height, x2: width, y2: height }),
        values.map((v, i) => s("rect", { x: i * 5, y: height - (v / max) * height, width: 4, height: (v / max) * height },
          s("title", {}, `${new Date(span[i].minute * 1000).toLocaleTimeString()}: ${Math.round(v)}`))),
        s("text", { x: 0, y: height + 12 }, "−60 min"), s("text", { x: width - 24, y: height + 12 }, "now")));
  }));
}
function logging(logs, machine) {
  if (!machine.logGroup) return h("p", { class: "muted" }, "Logging is OFF for this state machine.");
  return h("div", { id: "logging" },
    h("p", { class: "muted" }, `Log group ${logs.logGroup || machine.logGroup}, level ${machine.logging.level}: the newest events first.`),
    logs.events.length ? h("table", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Type"), h("th", {}, "Message")),
      logs.events.map((e) => {
        const message = JSON.parse(e.message);
        return h("tr", { class: "log-event", "data-type": message.type }, h("td", {}, time(e.timestamp)),
          h("td", {}, message.type),
          h("td", {}, h("a", { href: `#/execution/${encodeURIComponent(message.execution_arn)}` }, "execution"),
            h("pre", {}, pretty(e.message))));
      })) : h("p", { class: "muted" }, "No log events yet."));
}

// -- one execution -----------------------------------------------------------------------------
let selected = { arn: null, state: null, entered: null, tab: "Graph" };
function showExecution(arn) {
  if (selected.arn !== arn) selected = { arn, state: null, entered: null, tab: "Graph" };
  return render(() => api("execution", { arn }), (run) => {
    const pick = (state, entered) => {
      const last = [...run.timeline].reverse().find((t) => t.state === state);
      selected.state = state;
      selected.entered = entered !== undefined ? entered : (last ? last.enteredEventId : null);
      current.refresh();
    };
    const picture = drawGraph(run.picture, run.states, run.taken, selected.state, (state) => pick(state));
    view(
      h("h1", {}, run.name, " ", statusBadge(run.status)),
      h("div", { class: "facts panel", id: "execution-facts" },
        fact("State machine", h("a", { href: `#/machine/${encodeURIComponent(run.stateMachineArn)}` }, run.stateMachineName), ` (${run.type})`),
        fact("Started", time(run.started)), fact("Duration", duration(run.durationMs)),
        fact("States run", run.statesRun),
        run.billedDurationMs !== null ? fact("Billed", `${run.billedDurationMs} ms, ${run.billedMemoryMb} MB`) : null,
        fact("Trace id", h("code", { id: "trace-id" }, run.traceId || "none")),
        run.error ? fact("Error", h("span", { class: "error", id: "execution-error" }, run.error)) : null,
        fact("Execution ARN", h("code", {}, run.arn))),
      run.related.length ? h("div", { class: "panel related", id: "related" }, h("h2", {}, "What it produced"),
        h("ul", {}, run.related.map((r) => h("li", {},
          r.href ? h("a", { href: r.href, target: "_blank", rel: "noopener" }, r.title) : h("strong", {}, r.title),
          r.text ? h("pre", {}, r.text) : null)))) : null,
      tabs(["Graph", "Events", "Timeline", "Input and output"], selected.tab, (name) => { selected.tab = name; current.refresh(); }),
      selected.tab === "Graph" ? h("div", { class: "split" },
        h("div", {}, legend(), h("div", { class: "graph-wrap", id: "graph" }, picture)),
        h("div", { class: "panel", id: "state-panel" }, statePanel(run)))
        : selected.tab === "Events" ? eventsTable(run.events)
          : selected.tab === "Timeline" ? timeline(run, pick)
            : h("div", { class: "split" },
              h("div", { class: "panel" }, h("h2", {}, "Input"), h("pre", { id: "execution-input" }, pretty(run.input))),
              h("div", { class: "panel" }, h("h2", {}, run.status === "SUCCEEDED" ? "Output" : "Error and cause"),
                h("pre", { id: "execution-output" }, run.status === "SUCCEEDED" ? pretty(run.output)
                  : `${run.error || ""}\n${run.cause ? pretty(run.cause) : ""}`))));
    if (selected.entered !== null && selected.tab === "Graph") loadStateIo(run);
    if (selected.tab === "Graph" && selected.state) {
      const node = document.querySelector(`g.node[data-state="${CSS.escape(selected.state)}"]`);
      if (node) node.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }, (run) => run.status === "RUNNING");
}
const fact = (label, ...value) => h("div", {}, h("span", {}, label), ...value);
function legend() {
  return h("div", { class: "legend" }, OUTCOMES.map((o) => h("span", {}, h("i", { class: outcomeClass(o) }), o)),
    h("span", {}, "— path taken in green"));
}
function statePanel(run) {
  const name = selected.state;
  if (!name || !run.states[name]) {
    const failed = Object.entries(run.states).filter(([, st]) => st.outcome === "failed").map(([n]) => n);
    return h("div", {}, h("h2", {}, "Pick a state"),
      h("p", { class: "muted" }, "Click a state in the picture to see its input and output, step by step."),
      failed.length ? h("p", {}, "Failed: ", h("strong", { id: "failed-states" }, failed.join(", "))) : null);
  }
  const st = run.states[name];
  const entries = run.timeline.filter((t) => t.state === name);
  return h("div", {},
    h("h2", {}, name),
    h("p", {}, h("span", { class: `legend` }, h("i", { class: outcomeClass(st.outcome) }), st.outcome),
      ` · entered ${st.entries}×`, st.attempts ? ` · ${st.attempts} attempt(s), ${st.failures} failed` : "",
      st.error ? h("span", { class: "error" }, ` · ${st.error}`) : ""),
    entries.length > 1 ? h("label", { class: "muted" }, "Entry ", h("select", {
      onchange: (e) => pickEntry(Number(e.target.value)),
    }, entries.map((t, i) => h("option", { value: t.enteredEventId, selected: t.enteredEventId === selected.entered },
      `#${i + 1} at +${duration(t.startMs)}`)))) : null,
    h("div", { id: "state-io" }, h("p", { class: "muted" }, st.entries ? "Loading…" : "This state did not run.")));
}
function pickEntry(entered) {
  selected.entered = entered;
  current.refresh();
}
async function loadStateIo(run) {
  const holder = document.getElementById("state-io");
  try {
    const io = await api("state-io", { arn: run.arn, entered: selected.entered });
    holder.replaceChildren(
      h("p", { class: "muted" }, "Recorded: read from the history. Derived: the definition's field applied to the step before."),
      ...io.steps.map((step) => h("div", { class: "step", "data-step": step.step },
        h("strong", {}, step.step), step.field ? h("code", {}, ` ${step.field}`) : null,
        h("span", { class: `tag ${step.source}` }, step.source),
        "value" in step ? h("pre", {}, pretty(step.value)) : h("div", { class: "muted" }, step.note))));
  } catch (error) {
    holder.replaceChildren(h("p", { class: "error" }, String(error.message || error)));
  }
}
function eventsTable(events) {
  return h("table", { id: "events" },
    h("tr", {}, ["ID", "Type", "Step", "Elapsed", "Details"].map((t) => h("th", {}, t))),
    events.map((e) => {
      const key = Object.keys(e).find((k) => k.endsWith("EventDetails"));
      const details = key ? e[key] : null;
      return h("tr", { class: "event", "data-type": e.type },
        h("td", {}, e.id), h("td", {}, e.type), h("td", {}, details && details.name ? details.name : ""),
        h("td", {}, duration(e.elapsedMs)),
        h("td", {}, details ? h("details", {}, h("summary", {}, "details"), h("pre", {}, pretty(details))) : ""));
    }));
}
function timeline(run, pick) {
  const total = Math.max(1, run.durationMs || Math.max(...run.timeline.map((t) => t.startMs + t.durationMs), 1));
  return h("div", { class: "panel timeline", id: "timeline" },
    h("p", { class: "muted" }, `Trace id ${run.traceId || "none"} · ${duration(run.durationMs)} in all`),
    run.timeline.map((t) => h("div", { class: "row", "data-state": t.state },
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); selected.tab = "Graph"; pick(t.state, t.enteredEventId); } }, t.state),
      h("div", { class: "track" }, h("div", {
        class: `bar ${t.outcome.replace(" ", "-")}`,
        style: `left:${(100 * t.startMs) / total}%;width:${(100 * t.durationMs) / total}%`,
      })),
      h("span", {}, duration(t.durationMs)))));
}

// -- the workflow picture (dagre lays it out, we draw SVG) -------------------------------------
function drawGraph(picture, states, taken, selectedName, onPick) {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of picture.nodes) {
    if (node.kind === "Box" || node.kind === "Branch") g.setNode(node.id, { ...node, paddingTop: 18 });
    else if (node.kind === "Start" || node.kind === "End") g.setNode(node.id, { ...node, width: 54, height: 26 });
    else if (node.kind === "Join") g.setNode(node.id, { ...node, width: 60, height: 8 });
    else g.setNode(node.id, { ...node, width: Math.max(120, node.label.length * 7 + 28), height: 36 });
  }
  for (const node of picture.nodes) if (node.parent) g.setParent(node.id, node.parent);
  const isTaken = new Set(taken.map(([a, b]) => `${a}\u0000${b}`));
  picture.edges.forEach((edge, i) => g.setEdge(edge.source, edge.target, {
    ...edge, taken: isTaken.has(`${edge.transition[0]}\u0000${edge.transition[1]}`),
  }, String(i)));
  dagre.layout(g);
  const size = g.graph();
  const boxes = [], nodes = [], edges = [];
  for (const id of g.nodes()) {
    const n = g.node(id);
    const x = n.x - n.width / 2, y = n.y - n.height / 2;
    if (n.kind === "Box" || n.kind === "Branch") {
      boxes.push(s("g", { class: "box", "data-box": n.label }, s("rect", { x, y, width: n.width, height: n.height, rx: 8 }),
        s("text", { x: x + 8, y: y + 13 }, n.kind === "Box" ? `${n.label} (${boxKind(picture, n.state)})` : n.label)));
      continue;
    }
    const outcome = n.state ? (states[n.state] || {}).outcome : null;
    const classes = `node${n.state && n.state === selectedName ? " selected" : ""}`;
    if (n.kind === "Start" || n.kind === "End") {
      nodes.push(s("g", { class: "terminal", "data-terminal": n.kind },
        s("rect", { x, y, width: n.width, height: n.height, rx: 13, class: "outcome-none" }),
        s("text", { x: n.x, y: n.y + 4, "text-anchor": "middle" }, n.label)));
    } else if (n.kind === "Join") {
      nodes.push(s("g", { class: "join" }, s("rect", { x, y, width: n.width, height: n.height, rx: 3, class: outcomeClass(outcome) })));
    } else {
      nodes.push(s("g", { class: classes, "data-state": n.state, "data-type": n.kind, "data-outcome": outcome || "",
        onclick: () => onPick(n.state) },
        s("rect", { x, y, width: n.width, height: n.height, rx: 6, class: outcomeClass(outcome) }),
        s("title", {}, `${n.label} (${n.kind}): ${outcome || ""}`),
        s("text", { x: n.x, y: n.y + 4, "text-anchor": "middle" }, n.label),
        s("text", { x: x + n.width - 6, y: y + 11, "text-anchor": "end", "font-size": 9, fill: "#5f6b7a" }, n.kind)));
    }
  }
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const d = edge.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    edges.push(s("path", { d, class: `edge ${edge.kind}${edge.taken ? " taken" : ""}`, "marker-end": edge.taken ? "url(#arrow-taken)" : "url(#arrow)" }));
  }
  return s("svg", { class: "graph", width: size.width, height: size.height, viewBox: `0 0 ${size.width} ${size.height}` },
    s("defs", {},
      s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#aab7b8" })),
      s("marker", { id: "arrow-taken", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#037f0c" }))),
    boxes, edges, nodes);
}
function boxKind(picture, state) {
  const node = picture.nodes.find((n) => n.state === state && n.kind !== "Box" && n.kind !== "Join");
  return node ? node.kind : "";
}

// -- live updates ----------------------------------------------------------------------------
async function watch() {
  const live = document.getElementById("live");
  for (;;) {
    try {
      const answer = await api("changes", { since: version, wait: 15 });
      live.className = "";
      if (answer.version !== version) {
        const first = version === -1;
        version = answer.version;
        const typing = document.querySelector("select:focus, input:focus");
        if (!first && current.refresh && current.live && !typing) await current.refresh();
      }
    } catch (error) {
      live.className = "off";
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

window.addEventListener("hashchange", route);
route();
watch();
