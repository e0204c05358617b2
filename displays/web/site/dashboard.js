// The managers' dashboard: live state of one hall over a WebSocket
// (/ws?hall=ID: a summary at once, then each event and a fresh summary at
// most every 250 ms while the hall changes), manager actions through the JSON
// API, and history from the engine's event store. Charts: Chart.js.
"use strict";

const $ = (sel) => document.querySelector(sel);
const STATE_TEXT = { busy: "办理中", idle: "空闲", paused: "暂停服务", closed: "未开放" };
const LEVEL_TEXT = ["未评价", "非常不满意", "不满意", "基本满意", "满意", "非常满意"];
const EVENT_TEXT = {
  ticket_issued: "取号", ticket_called: "叫号", ticket_recalled: "重呼", service_started: "开始办理",
  ticket_finished: "办结", ticket_skipped: "过号", ticket_transferred: "转办", ticket_held: "挂起",
  ticket_cancelled: "取消", ticket_gave_up: "离开", ticket_left: "离开", ticket_evaluated: "评价", window_opened: "开窗",
  window_closed: "关窗", window_paused: "暂停", window_resumed: "恢复", window_skills_changed: "调整事项",
  advisory_issued: "潮汐建议", notice_changed: "公告", day_rolled: "日切", device_reported: "设备",
  booking_made: "预约", booking_cancelled: "取消预约", booking_checked_in: "预约签到", booking_missed: "预约爽约",
  work_order_opened: "差评工单", work_order_called_back: "工单回访", work_order_rectified: "工单整改",
};
const DEVICE_KIND_TEXT = { printer: "打印机" };
const DEVICE_STATE_TEXT = { ok: "正常", paper_low: "纸将尽", paper_out: "缺纸", cover_open: "盖未关", offline: "故障", unreachable: "无法连接" };

const LEAVE_TEXT = { cancelled: "（取消）", gave_up: "（放弃等待）", not_printed: "（未取到号票（打印失败））" };

let csrf = "";  // the session's token, echoed on every action (logins on: hallqd --accounts)
let hallId = null, socket = null, retryMs = 500, summary = null, serviceChart = null, hourChart = null, dayChart = null;

const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? "—" : (100 * x).toFixed(1) + "%");
const minNum = (m) => (m === null || m === undefined ? "—" : m.toFixed(1));
// The hall's calendar day (from the engine: the hall's time zone, not the browser's).
let hallDate = null;
const today = () => hallDate || new Date().toISOString().slice(0, 10);
const esc = (t) => String(t ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const key = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));

function setConn(state) {
  const el = $("#conn");
  el.dataset.state = state;
  el.textContent = { live: "实时", connecting: "连接中", offline: "已断开，重连中" }[state];
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.headers["Idempotency-Key"] = key();
    init.headers["X-CSRF-Token"] = csrf;
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ message: res.statusText }));
  if (res.status === 401 && path !== "/api/login") showLogin();
  if (!res.ok) throw new Error(data.message || data.error || res.status);
  return data;
}

function showResult(text, ok) {
  const el = $("#action-result");
  el.textContent = text;
  el.className = ok ? "ok" : "error";
}

async function act(path, body, done) {
  try {
    await api("POST", `/api/halls/${hallId}/${path}`, body);
    showResult(done, true);
  } catch (e) {
    showResult("未执行：" + e.message, false);
  }
}

// --- live view
function render(s) {
  summary = s;
  const firstSummary = hallDate === null;
  hallDate = s.local_date;
  if (firstSummary) { $("#from").value = $("#to").value = hallDate; loadHours(); loadRange(); }
  $("#hall-name").textContent = s.name + " · 运行监控";
  $("#wait-target").textContent = s.wait_target_min;
  const live = s.live;
  $("#kpi-waiting").textContent = s.waiting;
  $("#kpi-issued").textContent = live.issued;
  $("#kpi-called").textContent = live.called;
  // 好评率 = (非常满意 + 满意) / rated, 差评率 = (不满意 + 非常不满意) / rated (engine/stats/README.md).
  $("#kpi-satisfaction").textContent = live.rated ? pct(live.good_rate) : "—";
  $("#kpi-ratings").textContent = `评价 ${live.rated} 次（好评 ${live.good}），未评价 ${live.not_rated}`;
  $("#kpi-bad-rate").textContent = live.rated ? pct(live.bad_rate) : "—";
  $("#kpi-bad").textContent = `差评 ${live.bad} 次`;
  $("#kpi-noshow").textContent = live.called ? pct(live.no_show_rate) : "—";
  $("#kpi-giveup").textContent = live.issued ? pct(live.give_up_rate) : "—";
  $("#notice-current").textContent = s.notice || "（无）";

  const liveSvc = Object.fromEntries(live.services.map((x) => [x.id, x]));
  $("#services tbody").innerHTML = s.services.map((sv) => {
    const l = liveSvc[sv.id] || {};
    const over = l.over_target_share > 0.2 ? " over" : "";
    return `<tr data-service="${esc(sv.id)}"><td>${esc(sv.name)}（${esc(sv.prefix)}）</td><td class="waiting">${sv.waiting}</td>` +
      `<td>${sv.waiting ? Math.round(sv.longest_wait_s / 60) + " 分钟" : "—"}</td><td class="predicted">${esc(sv.wait_text)}</td>` +
      `<td>${sv.open_windows}</td><td>${l.issued ?? 0}</td><td>${l.called ?? 0}</td>` +
      `<td>${l.called ? (l.mean_wait_s / 60).toFixed(1) + " 分钟" : "—"}</td><td class="${over}">${l.called ? pct(l.over_target_share) : "—"}</td></tr>`;
  }).join("");

  const liveWin = Object.fromEntries(live.windows.map((x) => [x.id, x]));
  $("#windows tbody").innerHTML = s.windows.map((w) => {
    const l = liveWin[w.id] || {};
    const buttons = w.state === "closed"
      ? `<button data-act="open">开窗</button>`
      : (w.state === "paused" ? `<button data-act="resume">恢复</button>` : `<button data-act="pause">暂停</button>`) +
        ` <button data-act="close">关窗</button>`;
    return `<tr data-window="${esc(w.id)}" class="${esc(w.state)}"><td>${w.number}号</td><td>${esc(w.name)}</td>` +
      `<td class="state">${STATE_TEXT[w.state] || esc(w.state)}</td><td class="current">${esc(w.current ?? "—")}</td>` +
      `<td>${esc(w.staff_name || w.staff || "—")}</td><td class="served">${l.finished ?? w.served}</td>` +
      `<td>${l.finished ? (l.mean_handle_s / 60).toFixed(1) + " 分钟" : "—"}</td><td>${w.state === "closed" ? "—" : pct(l.utilisation)}</td>` +
      `<td class="rated">${l.rated ?? 0}</td><td class="good-rate">${l.rated ? pct(l.good_rate) : "—"}</td>` +
      `<td class="bad-rate">${l.rated ? pct(l.bad_rate) : "—"}</td>` +
      `<td>${buttons}</td></tr>`;
  }).join("");
  $("#staff-ratings tbody").innerHTML = live.staff.length
    ? live.staff.map((p) => `<tr data-staff="${esc(p.id)}"><td>${esc(p.id)}</td><td>${esc(p.name || "—")}</td>` +
      `<td class="rated">${p.rated}</td><td class="good">${p.good}</td><td class="bad">${p.bad}</td>` +
      `<td class="good-rate">${pct(p.good_rate)}</td><td class="bad-rate">${pct(p.bad_rate)}</td></tr>`).join("")
    : `<tr class="none"><td colspan="7">今日暂无评价</td></tr>`;

  $("#alerts").innerHTML = live.alerts.length
    ? live.alerts.map((a) => `<li class="${esc(a.kind)}">${esc(a.message)}</li>`).join("")
    : `<li class="none">暂无预警</li>`;
  // Advisories as the engine words them (engine/view/hall_words.h), as on `hallq status`.
  $("#advisories").innerHTML = s.advisories.length
    ? s.advisories.map((a) =>
        `<li data-advisory="${a.id}">${esc(a.text)} <button class="accept" data-advisory="${a.id}">采纳</button></li>`).join("")
    : `<li class="none">暂无建议</li>`;

  // Devices as they last reported (a kiosk's printer ...); any not ok is a warning.
  const devices = s.devices || [];
  $("#devices").innerHTML = devices.length
    ? devices.map((d) => `<li data-device="${esc(d.id)}" data-state="${esc(d.state)}" class="${d.ok ? "ok" : "warn"}">` +
        `${d.ok ? "" : "⚠ "}${esc(d.id)}（${esc(DEVICE_KIND_TEXT[d.kind] || d.kind)}）：<span class="state">${esc(d.state_name)}</span>` +
        `${d.ok ? "" : `，已 ${Math.floor(d.since_s / 60)} 分钟`}${d.detail ? `<span class="detail">（${esc(d.detail)}）</span>` : ""}</li>`).join("")
    : `<li class="none">暂无设备上报</li>`;

  const labels = s.services.map((x) => x.name);
  const waiting = s.services.map((x) => x.waiting);
  const predicted = s.services.map((x) => (x.predicted_wait_s < 0 ? null : Math.round(x.predicted_wait_s / 60)));
  if (!serviceChart) {
    serviceChart = new Chart($("#chart-services"), {
      type: "bar",
      data: { labels, datasets: [
        { label: "等候人数", data: waiting, backgroundColor: "#4a90e2", yAxisID: "y" },
        { label: "新取号预计等待（分钟）", data: predicted, type: "line", borderColor: "#f7d154", backgroundColor: "#f7d154", yAxisID: "y1" },
      ] },
      options: chartOptions({ y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { color: "#8da2bd" } } }),
    });
  } else {
    serviceChart.data.labels = labels;
    serviceChart.data.datasets[0].data = waiting;
    serviceChart.data.datasets[1].data = predicted;
    serviceChart.update("none");
  }
}

function chartOptions(extraScales = {}) {
  return {
    animation: false, maintainAspectRatio: false,
    plugins: { legend: { labels: { color: "#e8eef7" } } },
    scales: { x: { ticks: { color: "#8da2bd" } }, y: { beginAtZero: true, ticks: { color: "#8da2bd" } }, ...extraScales },
  };
}

function addEvent(e) {
  // The hall's local time of the event (not the browser's time zone).
  const offsetMs = (summary && summary.utc_offset_min !== undefined ? summary.utc_offset_min : 480) * 60000;
  const t = new Date(e.time_us / 1000 + offsetMs).toISOString().slice(11, 19);
  let text = `${t} ${EVENT_TEXT[e.kind] || e.kind}`;
  if (e.number) text += ` ${e.number}`;
  if (e.window_number) text += ` → ${e.window_number}号窗口`;
  if (e.kind === "ticket_evaluated") text += ` ${LEVEL_TEXT[e.level] || ""}`;
  if (e.kind === "notice_changed") text += ` ${e.text || "（撤下）"}`;
  if (e.kind === "ticket_left") text += ` ${LEAVE_TEXT[e.reason] || ""}`;
  if (e.kind === "work_order_called_back") text += ` ${e.reached ? "已联系上" : "未联系上"}`;
  if (e.kind === "work_order_called_back" || e.kind === "work_order_rectified") text += `（${e.by}）`;
  if (e.kind === "device_reported") text += ` ${e.device} ${DEVICE_STATE_TEXT[e.state] || e.state}`;
  const li = document.createElement("li");
  li.textContent = text;
  li.dataset.kind = e.kind;
  const list = $("#events");
  list.prepend(li);
  while (list.children.length > 50) list.lastChild.remove();
}

// Other panels (workorders.js) follow the hall through these DOM events on
// document: hall-live (connected to hallId), hall-summary and hall-event (detail: the data).
const hallEvent = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));

function connect() {
  if (socket) socket.close();
  setConn("connecting");
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/ws?hall=${encodeURIComponent(hallId)}`);
  socket = ws;
  ws.onopen = () => { retryMs = 500; loadAppointments(); hallEvent("hall-live", hallId); };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "summary") { render(msg.data); setConn("live"); hallEvent("hall-summary", msg.data); }
    else if (msg.type === "event") {
      addEvent(msg.data);
      hallEvent("hall-event", msg.data);
      refreshHoursSoon();
      if (msg.data.kind.startsWith("booking_") || msg.data.kind === "day_rolled") loadAppointments();
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;  // replaced by a newer connection
    setConn("offline");
    api("GET", "/api/session").catch(() => {});  // a lapsed session brings the login form
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

// --- history
function figureTable(el, rows, nameOf) {
  el.querySelector("thead").innerHTML = "<tr><th>名称</th><th>取号</th><th>叫号</th><th>办结</th><th>过号</th><th>离开</th>" +
    "<th>平均等待</th><th>90%等待</th><th>超时占比</th><th>平均办理</th><th>90%办理</th><th>评价</th><th>满意率</th></tr>";
  el.querySelector("tbody").innerHTML = rows.map((r) =>
    `<tr><td>${esc(nameOf(r))}</td><td>${r.issued}</td><td>${r.called}</td><td>${r.served}</td><td>${r.no_shows}</td><td>${r.left}</td>` +
    `<td>${minNum(r.wait_mean_min)}</td><td>${minNum(r.wait_p90_min)}</td><td>${pct(r.over_target_share)}</td>` +
    `<td>${minNum(r.handle_mean_min)}</td><td>${minNum(r.handle_p90_min)}</td><td>${r.rated}</td><td>${pct(r.satisfaction)}</td></tr>`).join("");
}

function lineChart(old, canvas, labels, issued, wait, served) {
  if (old) old.destroy();
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [
      { label: "取号", data: issued, backgroundColor: "#4a90e2", yAxisID: "y" },
      { label: "办结", data: served, backgroundColor: "#3ecf8e", yAxisID: "y" },
      { label: "平均等待（分钟）", data: wait, type: "line", borderColor: "#f7d154", backgroundColor: "#f7d154", yAxisID: "y1" },
    ] },
    options: chartOptions({ y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { color: "#8da2bd" } } }),
  });
}

// --- appointments (预约): today's slots of each bookable service, read from
// the engine's bookings whenever a booking event arrives (and on connecting).
async function loadAppointments() {
  const hall = hallId;
  try {
    const a = await api("GET", `/api/halls/${encodeURIComponent(hall)}/appointments`);
    if (hall !== hallId) return;  // another hall was chosen meanwhile
    const panel = $("#appointments-panel");
    panel.classList.toggle("empty", a.services.length === 0);
    $("#appointments-hint").textContent = a.services.length === 0 ? "本大厅未开放预约" : a.date;
    $("#appointments tbody").innerHTML = a.services.map((s) =>
      `<tr data-service="${esc(s.service)}"><td>${esc(s.name)}</td><td class="capacity">${s.capacity}</td>` +
      `<td class="booked">${s.booked}</td><td class="checked-in">${s.checked_in}</td><td class="no-show">${s.no_show}</td>` +
      `<td class="fill">${pct(s.fill)}</td><td class="show-up">${s.checked_in + s.no_show > 0 ? pct(s.show_up_rate) : "—"}</td>` +
      `<td class="slots">${s.slots.filter((t) => t.booked > 0).map((t) =>
        `<span class="slot" data-start="${esc(t.start)}">${esc(t.start)} ${t.booked}/${t.capacity}</span>`).join(" ") || "—"}</td></tr>`).join("");
  } catch (e) {
    $("#appointments-hint").textContent = "读取失败：" + e.message;
  }
}

// Today's hours are folded from the store: at most every 5 s while events come.
let hoursTimer = null;
function refreshHoursSoon() {
  if (hoursTimer === null) hoursTimer = setTimeout(() => { hoursTimer = null; loadHours(); }, 5000);
}

async function loadHours() {
  try {
    const h = await api("GET", `/api/halls/${hallId}/history?date=${today()}&by=hour`);
    // Opening hours, widened to any hour that saw something.
    const busy = h.periods.map((p, i) => (p.issued || p.called || p.served ? i : -1)).filter((i) => i >= 0);
    const lo = Math.min(8, ...busy), hi = Math.max(18, ...busy);
    const rows = h.periods.slice(lo, hi + 1);
    hourChart = lineChart(hourChart, $("#chart-hours"), rows.map((p) => p.period.slice(11)), rows.map((p) => p.issued),
                          rows.map((p) => p.wait_mean_min), rows.map((p) => p.served));
  } catch (e) { /* the live view goes on; the range query shows errors */ }
}

async function loadRange() {
  const from = $("#from").value, to = $("#to").value;
  $("#history-status").textContent = "查询中…";
  try {
    const h = await api("GET", `/api/halls/${hallId}/history?from=${from}&to=${to}&by=day`);
    dayChart = lineChart(dayChart, $("#chart-days"), h.periods.map((p) => p.period), h.periods.map((p) => p.issued),
                         h.periods.map((p) => p.wait_mean_min), h.periods.map((p) => p.served));
    figureTable($("#history-services"), h.services, (r) => r.name);
    figureTable($("#history-windows"), h.windows, (r) => r.name);
    figureTable($("#history-staff"), h.staff, (r) => r.name);
    $("#history-status").textContent = `${h.from} 至 ${h.to}，共 ${h.total.issued} 张号，读取事件 ${h.events} 条`;
  } catch (e) {
    $("#history-status").textContent = "查询失败：" + e.message;
  }
}

// --- wiring
document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button");
  if (!b) return;
  if (b.dataset.advisory) {
    act(`advisories/${b.dataset.advisory}/accept`, {}, "已采纳潮汐窗口建议");
  } else if (b.dataset.act) {
    const w = b.closest("tr").dataset.window;
    const body = b.dataset.act === "open" ? { staff: $("#staff-id").value.trim() } : {};
    const text = { open: "已开窗", close: "已关窗", pause: "已暂停", resume: "已恢复" }[b.dataset.act];
    act(`windows/${w}/${b.dataset.act}`, body, `${text}：${w}`);
  }
});
$("#notice-send").onclick = () => act("notice", { text: $("#notice-text").value.trim() }, "公告已发布");
$("#notice-clear").onclick = () => act("notice", { text: "" }, "公告已撤下");
$("#history-go").onclick = loadRange;

// The hall's time as the engine keeps it (simulated in a demo); the browser's until the first summary.
function tick() {
  $("#clock").textContent = summary && summary.local_time
    ? `${summary.local_date} ${summary.local_time}` : new Date().toLocaleString("zh-CN", { hour12: false });
}

// --- logins
function showLogin() {
  if (socket) { const s = socket; socket = null; s.close(); }
  $("#login").hidden = false;
  $("#login-user").focus();
}

$("#login-form").onsubmit = async (ev) => {
  ev.preventDefault();
  try {
    const s = await api("POST", "/api/login", { user: $("#login-user").value.trim(), password: $("#login-password").value });
    $("#login-password").value = "";
    $("#login").hidden = true;
    signedIn(s);
    if (hallId === null) start(); else connect();
  } catch (e) {
    $("#login-error").textContent = e.message;
  }
};
$("#logout").onclick = async () => { await api("POST", "/api/logout", {}).catch(() => {}); location.reload(); };

function signedIn(s) {
  csrf = s.csrf || "";
  document.body.classList.toggle("viewer", s.role !== "admin");
  $("#who").textContent = s.auth ? `${s.user}（${s.role === "admin" ? "管理员" : "只读"}）` : "";
  $("#logout").hidden = !s.auth;
}

async function start() {
  let s;
  try { s = await api("GET", "/api/session"); } catch (e) { return; }  // the login form is up
  signedIn(s);
  const halls = await api("GET", "/api/halls");
  const select = $("#hall-select");
  select.innerHTML = halls.map((h) => `<option value="${esc(h.id)}">${esc(h.name)}</option>`).join("");
  const wanted = new URLSearchParams(location.search).get("hall");
  hallId = halls.some((h) => h.id === wanted) ? wanted : halls[0].id;
  select.value = hallId;
  select.onchange = () => {
    hallId = select.value;
    hallDate = null;  // the first summary of the other hall loads its history
    history.replaceState(null, "", `?hall=${hallId}`);
    connect();
  };
  connect();
  setInterval(loadHours, 15000);  // often enough for a demo day at 300x
}
tick();
setInterval(tick, 1000);
start();
