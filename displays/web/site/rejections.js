// 上报被拒记录 on the managers' dashboard: the 好差评 records the provincial
// platform refused for good, as hallqd lists them
// (GET /api/halls/HALL/upload-rejections, newest first, the last 30 days):
// the count and, per record, when, the ticket, the record id, the
// platform's HTTP status and its reason. The reason comes from outside
// (the platform) and may quote the record: it is shown as text, never as
// markup (textContent only). The hall is the dashboard's (#hall-select); the
// list is read again when the hall changes, when the connection comes back
// live (after a login), and every 30 seconds. A reader without the right to
// see it (401, 403) gets the section's hint instead.
//
// 重新上报: once its cause is fixed (e.g. the service's 事项编码 in the hall
// config, hallqd restarted), a manager asks for the record to be sent again
// (POST .../upload-rejections/RECORD/resend, after a confirm). The last
// column says where the record stands as far as hallqd's log knows:
// a 重新上报 button; 已申请重新上报 (time) once asked (hallq-upload sends it
// at its next poll); 已重新上报，再次被拒 when a later rejection of the same
// record is listed (that newer row has the button); 已重新上报，平台已接受
// (time) once hallq-upload reported the platform's 2xx for the re-send
// (the row's `accepted`, an UploadResendAccepted in hallqd's log).
"use strict";

(() => {
  const section = document.querySelector("#rejections");
  if (!section) return;
  const count = section.querySelector("#rejections-count");
  const hint = section.querySelector("#rejections-status");
  const body = section.querySelector("#rejections-list tbody");

  const hall = () => {
    const select = document.querySelector("#hall-select");
    return (select && select.value) || new URLSearchParams(location.search).get("hall");
  };
  const cell = (row, text) => {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  };

  async function resend(id, record, td, button) {
    if (!window.confirm(`确认被拒原因已修正（如事项编码已改、平台已修复），重新上报记录 ${record}？`)) return;
    button.disabled = true;
    try {
      await api("POST", `/api/halls/${encodeURIComponent(id)}/upload-rejections/${encodeURIComponent(record)}/resend`, {});
      td.replaceChildren();
      td.textContent = "已申请重新上报";
      load();
    } catch (e) {
      button.disabled = false;
      td.dataset.error = e.message;
      td.title = "未执行：" + e.message;
      hint.textContent = `重新上报 ${record} 未执行：${e.message}`;
    }
  }

  // The last column of a rejection's row (above).
  function state(id, r) {
    const td = document.createElement("td");
    td.className = "resend";
    if (r.rejected_again) {
      td.textContent = "已重新上报，再次被拒";
    } else if (r.accepted) {
      td.textContent = `已重新上报，平台已接受（${r.accepted.at}）`;
    } else if (r.resend) {
      td.textContent = `已申请重新上报（${r.resend.at}）`;
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "重新上报";
      button.addEventListener("click", () => resend(id, r.record_id, td, button));
      td.appendChild(button);
    }
    return td;
  }

  let shownHall = null;
  async function load() {
    const id = hall();
    if (!id) return;
    let data;
    try {
      const res = await fetch(`/api/halls/${encodeURIComponent(id)}/upload-rejections?days=30`);
      if (res.status === 401 || res.status === 403) {
        hint.textContent = "无权查看";
        return;
      }
      data = await res.json();
      if (!res.ok) throw new Error(data.message || res.status);
    } catch (e) {
      hint.textContent = "读取失败：" + e.message;
      return;
    }
    if (id !== hall()) return;  // the hall changed meanwhile
    shownHall = id;
    hint.textContent = `近 ${data.days} 天（自 ${data.from}）`;
    count.textContent = String(data.count);
    section.dataset.count = String(data.count);
    body.replaceChildren();
    for (const r of data.rejections) {
      const row = document.createElement("tr");
      row.dataset.record = r.record_id;
      cell(row, r.at);
      cell(row, r.ticket ?? "—");
      cell(row, r.record_id);
      cell(row, String(r.status));
      cell(row, r.reason || "（原因不公开）").className = "reason";
      row.appendChild(state(id, r));
      body.appendChild(row);
    }
    if (data.rejections.length === 0) {
      const row = document.createElement("tr");
      cell(row, "无被拒记录").colSpan = 6;
      body.appendChild(row);
    }
  }

  document.addEventListener("change", (e) => {
    if (e.target && e.target.id === "hall-select") load();
  });
  const conn = document.querySelector("#conn");
  if (conn)
    new MutationObserver(() => {
      if (conn.dataset.state === "live" && shownHall !== hall()) load();
    }).observe(conn, { attributes: true, attributeFilter: ["data-state"] });
  setInterval(load, 30000);
  load();
})();
