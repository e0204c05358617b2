// The city view's page: every hall's figures from /events (server-sent
// events; the browser's EventSource reconnects by itself), drawn as a table.
"use strict";
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const minutes = (s) => (s < 60 ? "不到 1 分钟" : `${Math.round(s / 60)} 分钟`);

function setConn(state) {
  const el = $("#conn");
  el.dataset.state = state;
  el.textContent = { live: "实时", connecting: "连接中", offline: "连接中断，正在重连" }[state];
}

function hallRow(h) {
  const predicted = h.predicted_wait_s < 0 ? "暂停受理" : `${minutes(h.predicted_wait_s)}（${esc(h.predicted_service)}）`;
  const satisfaction = h.ratings > 0 ? `${(h.satisfaction * 100).toFixed(1)}%（${h.ratings} 评）` : "—";
  const alerts = h.alerts.map((a) => `<div class="${esc(a.kind)}">${esc(a.message)}</div>`).join("");
  return `<tr data-hall="${esc(h.id)}" class="${h.open_now ? "open" : "closed"}">` +
    `<td class="name">${esc(h.name)}<span class="id">${esc(h.id)}</span></td>` +
    `<td class="waiting">${h.waiting}</td>` +
    `<td class="longest${h.alerts.some((a) => a.kind === "long_wait") ? " over" : ""}">${h.waiting ? minutes(h.longest_wait_s) : "—"}</td>` +
    `<td class="predicted">${predicted}</td>` +
    `<td class="windows">${h.windows_open} / ${h.windows_total}</td>` +
    `<td class="satisfaction">${satisfaction}</td>` +
    `<td class="alerts">${alerts}</td></tr>`;
}

function render(city) {
  $("#hall-count").textContent = city.halls.length;
  $("#city-waiting").textContent = city.waiting;
  $("#city-windows").textContent = city.halls.reduce((n, h) => n + h.windows_open, 0);
  $("#alert-count").textContent = city.halls.reduce((n, h) => n + h.alerts.length, 0) + city.alerts.length;
  $("#halls tbody").innerHTML = city.halls.map(hallRow).join("");
  $("#city-alerts").innerHTML = city.alerts.length
    ? city.alerts.map((a) => `<li class="${esc(a.kind)}">${esc(a.message)}</li>`).join("")
    : '<li class="none">与事件流同步</li>';
  const s = city.stream;
  if (s && s.delivered !== undefined)
    $("#stream").textContent = `本次启动收到 ${s.delivered} 条，应用 ${s.applied} 条，拒收 ${s.refused} 条，待收 ${s.pending} 条`;
}

function connect() {
  const source = new EventSource("/events");
  source.onopen = () => setConn("live");
  source.onmessage = (e) => { setConn("live"); render(JSON.parse(e.data)); };
  source.onerror = () => setConn("offline");  // EventSource retries by itself
}

setInterval(() => { $("#clock").textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false }); }, 1000);
connect();
