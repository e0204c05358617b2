// 差评工单 on the managers' dashboard (issue 21): the hall's work orders from
// GET /api/halls/H/work-orders (most urgent first, counts per status), read
// when the dashboard connects to a hall, when one of its events touches a work
// order (work_order_opened, work_order_called_back, work_order_rectified) or
// rolls the day, when the hall's date changes, and once a minute (an order's
// status changes with the date). While any order is overdue a banner, the
// page title and the overdue rows say so. An admin records the next step of
// an open order: 回访 (reached or not, a note) until the citizen was reached,
// 整改 (a note, closing it) once any callback was recorded; the engine's
// refusal shows as it words it. Viewers see the list without forms.
// Uses dashboard.js's globals (hallId, summary, api, esc) and its events
// (hall-live, hall-summary, hall-event on document). Every value from the API
// is escaped: the notes are free text typed by managers, the comment free
// text typed by a citizen. Each order shows why: level, reasons, comment.
"use strict";

const WO_STEP_KINDS = new Set(["work_order_opened", "work_order_called_back", "work_order_rectified", "day_rolled"]);
const WO_PAGE_TITLE = document.title;
let woHall = null, woDate = null, woLoading = null, woAgain = false, woOrders = [];
const woDrafts = new Map();  // "ticket/step" -> typed note, kept across redraws

const woAdmin = () => !document.body.classList.contains("viewer");
const woChars = (t) => [...t].length;  // code points, as the engine counts a note

// The hall's local "MM-DD HH:MM" of an engine time (µs since the epoch).
function woTime(us) {
  const offsetMs = (summary && summary.utc_offset_min !== undefined ? summary.utc_offset_min : 480) * 60000;
  return new Date(us / 1000 + offsetMs).toISOString().slice(5, 16).replace("T", " ");
}

function woLeftText(o) {
  if (o.status === "closed") return "—";
  if (o.working_days_left < 0) return `逾期 ${-o.working_days_left} 个工作日`;
  if (o.working_days_left === 0) return "今日到期";
  return `${o.working_days_left} 个工作日`;
}

function woCallbacks(o) {
  if (!o.callbacks.length) return `<span class="none">未回访</span>`;
  return `<ol class="steps">${o.callbacks.map((c) =>
    `<li class="${c.reached ? "reached" : "unreached"}">${esc(woTime(c.at_us))} ${esc(c.by)}` +
    ` <b>${c.reached ? "已联系上" : "未联系上"}</b>：<span class="note">${esc(c.note)}</span></li>`).join("")}</ol>`;
}

function woRectification(o) {
  if (!o.rectified_at_us) return `<span class="none">未整改</span>`;
  return `<div class="step">${esc(woTime(o.rectified_at_us))} ${esc(o.rectified_by)}：` +
    `<span class="note">${esc(o.rectification)}</span></div>`;
}

// The steps the engine allows next (core: hall_decide RecordCallback/RecordRectification).
function woForms(o) {
  if (!woAdmin() || o.status === "closed") return "";
  const reached = o.callbacks.some((c) => c.reached);
  const t = esc(o.ticket);
  let html = "";
  if (!reached) {
    html += `<form class="wo-step" data-ticket="${t}" data-step="callback">` +
      `<span class="what">${o.callbacks.length ? "再次回访" : "回访"}</span>` +
      `<label><input type="radio" name="reached-${t}" value="yes" required> 已联系上</label>` +
      `<label><input type="radio" name="reached-${t}" value="no"> 未联系上</label>` +
      `<textarea name="note" rows="2" required placeholder="回访情况，如：已致歉并说明办理要求"></textarea>` +
      `<span class="count"></span><button type="submit">记录回访</button></form>`;
  }
  if (o.callbacks.length) {
    html += `<form class="wo-step" data-ticket="${t}" data-step="rectification">` +
      `<span class="what">整改</span>` +
      `<textarea name="note" rows="2" required placeholder="整改措施，如：窗口一次性告知材料清单"></textarea>` +
      `<span class="count"></span><button type="submit">记录整改（办结）</button></form>`;
  }
  return html;
}

// Why the citizen rated so: the level, the reasons (the hall's words for the
// national codes) and the comment, the citizen's own text (escaped like every
// value). Orders opened before the engine kept them have neither.
function woWhy(o) {
  const reasons = Array.isArray(o.reasons) && o.reasons.length
    ? `<div class="reasons">原因：${o.reasons.map((r) =>
      `<span class="reason" data-code="${esc(r.code)}">${esc(r.name || r.code)}</span>`).join("、")}</div>` : "";
  const comment = o.comment ? `<div class="comment">意见：<q>${esc(o.comment)}</q></div>` : "";
  return `<b class="level-name">${esc(o.level_name)}</b>${reasons}${comment}`;
}

function woRow(o) {
  return `<tr data-ticket="${esc(o.ticket)}" data-status="${esc(o.status)}" class="wo-${esc(o.status)}">` +
    `<td class="number"><b>${esc(o.number)}</b><div class="sub">工单 ${esc(o.ticket)}</div></td>` +
    `<td class="service">${esc(o.service_name)}</td>` +
    `<td class="window">${o.window_number ? esc(o.window_number) + "号" : "—"}</td>` +
    `<td class="staff">${esc(o.staff_name || o.staff || "—")}</td>` +
    `<td class="level">${woWhy(o)}</td>` +
    `<td class="rated">${esc(woTime(o.rated_at_us))}</td>` +
    `<td class="due">${esc(o.due)}</td><td class="left">${esc(woLeftText(o))}</td>` +
    `<td class="status">${esc(o.status_name)}</td>` +
    `<td class="callbacks">${woCallbacks(o)}</td><td class="rectification">${woRectification(o)}</td>` +
    `<td class="actions">${woForms(o)}</td></tr>`;
}

function woCount(form) {
  const n = woChars(form.elements.note.value);
  const el = form.querySelector(".count");
  el.textContent = `${n}/500`;
  el.classList.toggle("over", n > 500);
}

function woRender(w) {
  woOrders = w.orders;
  const c = w.counts;
  $("#wo-open").textContent = c.open;
  $("#wo-due-soon").textContent = c.due_soon;
  $("#wo-overdue").textContent = c.overdue;
  $("#wo-closed").textContent = c.closed;
  $("#wo-hint").textContent = `${w.today}，到期前 ${w.due_soon_working_days} 个工作日内为即将到期`;

  // Redraw keeping what a manager is typing (drafts, radio choice, focus).
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("form.wo-step");
  const focusKey = focused ? `${focused.dataset.ticket}/${focused.dataset.step}` : null;
  const radios = new Map();
  for (const r of document.querySelectorAll("#work-orders form.wo-step input[type=radio]:checked")) radios.set(r.name, r.value);
  $("#work-orders tbody").innerHTML = w.orders.length
    ? w.orders.map(woRow).join("")
    : `<tr class="none"><td colspan="12">暂无差评工单</td></tr>`;
  for (const form of document.querySelectorAll("#work-orders form.wo-step")) {
    const k = `${form.dataset.ticket}/${form.dataset.step}`;
    form.elements.note.value = woDrafts.get(k) || "";
    for (const r of form.querySelectorAll("input[type=radio]")) r.checked = radios.get(r.name) === r.value;
    woCount(form);
    if (k === focusKey) form.elements.note.focus();
  }

  // The overdue alert: banner, title, rows (class wo-overdue).
  const banner = $("#wo-banner");
  banner.hidden = c.overdue === 0;
  $("#wo-banner-text").textContent = c.overdue ? `⚠ ${c.overdue} 张差评工单已逾期未办结，请尽快回访、整改` : "";
  document.title = c.overdue ? `【${c.overdue} 张工单逾期】${WO_PAGE_TITLE}` : WO_PAGE_TITLE;
}

// One read at a time; a request while one runs reads once more after it.
async function woLoad() {
  if (hallId === null) return;
  if (woLoading) { woAgain = true; return; }
  const hall = hallId;
  if (woHall !== hall) woDrafts.clear();  // ticket ids are per hall
  woHall = hall;
  woLoading = api("GET", `/api/halls/${encodeURIComponent(hall)}/work-orders`);
  try {
    const w = await woLoading;
    if (hall === hallId) { woRender(w); $("#wo-status").textContent = ""; }
  } catch (e) {
    $("#wo-status").textContent = "读取失败：" + e.message;
  } finally {
    woLoading = null;
    if (woAgain) { woAgain = false; woLoad(); }
  }
}

function woResult(text, ok) {
  const el = $("#wo-result");
  el.textContent = text;
  el.className = ok ? "ok" : "error";
}

document.addEventListener("hall-live", () => woLoad());
document.addEventListener("hall-summary", (ev) => {
  if (woHall !== hallId || woDate !== ev.detail.local_date) { woDate = ev.detail.local_date; woLoad(); }
});
document.addEventListener("hall-event", (ev) => { if (WO_STEP_KINDS.has(ev.detail.kind)) woLoad(); });
setInterval(woLoad, 60000);

$("#work-orders").addEventListener("input", (ev) => {
  const form = ev.target.closest("form.wo-step");
  if (!form || ev.target.name !== "note") return;
  woDrafts.set(`${form.dataset.ticket}/${form.dataset.step}`, form.elements.note.value);
  woCount(form);
});

// A note is one line (the engine refuses line breaks): Enter records the step.
$("#work-orders").addEventListener("keydown", (ev) => {
  if (ev.key !== "Enter" || ev.target.name !== "note" || ev.isComposing) return;
  ev.preventDefault();
  ev.target.form.requestSubmit();
});

$("#work-orders").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const { ticket, step } = form.dataset;
  const o = woOrders.find((x) => String(x.ticket) === ticket);
  const name = o ? `${o.number}（工单 ${ticket}）` : `工单 ${ticket}`;
  const note = form.elements.note.value.trim();
  const body = step === "callback" ? { reached: form.querySelector("input[type=radio]:checked").value === "yes", note } : { note };
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await api("POST", `/api/halls/${encodeURIComponent(hallId)}/work-orders/${encodeURIComponent(ticket)}/${step}`, body);
    woDrafts.delete(`${ticket}/${step}`);
    woResult(`${name}：已记录${step === "callback" ? "回访" : "整改，工单办结"}`, true);
  } catch (e) {
    woResult(`${name}：未记录${step === "callback" ? "回访" : "整改"}：${e.message}`, false);
  } finally {
    button.disabled = false;
    woLoad();  // refused or not, the order may have changed (another manager)
  }
});
