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
      body.appendChild(row);
    }
    if (data.rejections.length === 0) {
      const row = document.createElement("tr");
      cell(row, "无被拒记录").colSpan = 5;
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
