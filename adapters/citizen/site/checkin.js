// The check-in page (签到), opened by scanning the hall screen's QR code
// (/c/HALL?k=CHECKIN_TOKEN): lists this phone's remote tickets of this hall
// today (remember.js), each with its state from /api/ticket, and checks one
// in with /api/checkin; checked in, it opens the ticket's live page. A
// refusal is shown as the gateway words it.
"use strict";
(function () {
  const main = document.getElementById("checkin");
  const { hall, date, token } = main.dataset;
  const result = document.getElementById("result");
  const list = document.getElementById("tickets");
  const mine = window.hallqTickets.list().filter((t) => t.hall === hall && t.date === date);
  const link = (t) => "/t/" + encodeURIComponent(t.hall) + "/" + encodeURIComponent(t.date) + "/" +
    encodeURIComponent(t.number) + "?k=" + encodeURIComponent(t.k);
  const query = (t) => "hall=" + encodeURIComponent(t.hall) + "&date=" + encodeURIComponent(t.date) +
    "&number=" + encodeURIComponent(t.number) + "&k=" + encodeURIComponent(t.k);

  async function checkIn(t, button) {
    button.disabled = true;
    result.textContent = "正在签到…";
    try {
      const r = await fetch("/api/checkin", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
        body: JSON.stringify({ hall: t.hall, date: t.date, number: t.number, k: t.k, c: token }),
      });
      const j = await r.json();
      if (r.ok) {
        result.textContent = t.number + " 签到成功：" + j.headline;
        location.assign(link(t));
        return;
      }
      result.textContent = j.message || "签到失败，请稍后再试";
    } catch (e) {
      result.textContent = "网络不通，请稍后再试";
    }
    button.disabled = false;
  }

  function row(t) {
    const li = document.createElement("li");
    li.className = "remote-ticket";
    li.dataset.number = t.number;
    const number = document.createElement("span");
    number.className = "number";
    number.textContent = t.number;
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = "查询中…";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "签到";
    button.hidden = true;
    button.addEventListener("click", () => checkIn(t, button));
    li.append(number, state, button);
    list.append(li);
    fetch("/api/ticket?" + query(t), { credentials: "omit" })
      .then((r) => r.json())
      .then((j) => {
        state.textContent = j.service ? j.service + " · " + j.headline : (j.message || "查询失败");
        li.dataset.state = j.state || "unknown";
        button.hidden = j.state !== "not_arrived";
      })
      .catch(() => { state.textContent = "网络不通，请稍后刷新"; });
  }

  if (mine.length === 0) document.getElementById("empty").hidden = false;
  mine.forEach(row);
})();
