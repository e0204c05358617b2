// The ticket page's life: reads its ticket from the URL (/t/HALL/DATE/NUMBER
// with ?k=TOKEN or /TOKEN), follows it live over server-sent events (the
// browser reconnects by itself), shows a call prominently with vibration and
// a tone where the browser allows, and offers "我不等了" while waiting. A
// remote ticket not yet checked in says how to check in, and is remembered
// for the check-in page (remember.js).
"use strict";
(function () {
  const parts = location.pathname.split("/").filter(Boolean);  // ["t", hall, date, number, token?]
  const token = parts[4] || new URLSearchParams(location.search).get("k") || "";
  const query = "hall=" + encodeURIComponent(parts[1]) + "&date=" + encodeURIComponent(parts[2]) +
    "&number=" + encodeURIComponent(parts[3]) + "&k=" + encodeURIComponent(token);
  const $ = (id) => document.getElementById(id);
  let lastState = null, lastRecalls = -1;

  function alertCall() {
    try { if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      const ctx = new Ctx();
      [0, 0.45].forEach((at) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = 880;
        g.gain.setValueAtTime(0.3, ctx.currentTime + at);
        g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.4);
        o.connect(g).connect(ctx.destination);
        o.start(ctx.currentTime + at);
        o.stop(ctx.currentTime + at + 0.4);
      });
    } catch (e) { /* no sound without a gesture: the screen still shows it */ }
  }

  function render(t) {
    $("number").textContent = t.number;
    $("service").textContent = t.service;
    $("hall-name").textContent = t.hall_name;
    $("headline").textContent = t.headline;
    $("detail").textContent = t.detail;
    document.body.dataset.state = t.state;
    document.title = t.headline + " · " + t.number;
    $("cancel").hidden = !t.can_cancel;
    $("code").hidden = !t.check_in_code || t.state !== "not_arrived";
    $("code").textContent = t.check_in_code ? "签到码 " + t.check_in_code : "";
    const arriving = t.state === "not_arrived" && !!t.check_in_code;
    $("how").hidden = !arriving;
    $("how").textContent = arriving ? "签到方法：到大厅后用手机扫描大厅屏幕上的「扫码签到（网上取号）」二维码，" +
      "或在取号机上输入签到码 " + t.check_in_code + "。" : "";
    if (arriving) window.hallqTickets.remember({ hall: parts[1], date: parts[2], number: parts[3], k: token });
    if (t.state === "called" && (lastState !== "called" || t.recalls !== lastRecalls)) alertCall();
    lastState = t.state;
    lastRecalls = t.recalls;
  }

  function connect() {
    const es = new EventSource("/events?" + query);
    es.onopen = () => { $("conn").dataset.state = "live"; $("conn").textContent = "实时更新"; };
    es.onmessage = (m) => {
      $("conn").dataset.state = "live";
      $("conn").textContent = "实时更新";
      render(JSON.parse(m.data));
    };
    es.onerror = () => {
      $("conn").dataset.state = "connecting";
      $("conn").textContent = "连接中…";
      if (es.readyState === EventSource.CLOSED) setTimeout(connect, 3000);  // refused: try again later
    };
  }

  $("cancel").addEventListener("click", async () => {
    if (!confirm("确定不再等候？取消后号码作废，如需办理请重新取号。")) return;
    $("cancel").disabled = true;
    try {
      const r = await fetch("/api/cancel?" + query, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", credentials: "omit",
      });
      const j = await r.json();
      if (r.ok) { render(j); $("cancel-result").textContent = "已为您取消排队"; }
      else $("cancel-result").textContent = j.message || "取消失败，请稍后再试";
    } catch (e) {
      $("cancel-result").textContent = "网络不通，请稍后再试";
    } finally {
      $("cancel").disabled = false;
    }
  });

  connect();
})();
