// The ticket page's life: reads its ticket from the URL (/t/HALL/DATE/NUMBER
// with ?k=TOKEN or /TOKEN), follows it live over server-sent events (the
// browser reconnects by itself), shows a call prominently with vibration and
// a tone where the browser allows, and offers "我不等了" while waiting. A
// remote ticket not yet checked in says how to check in, and is remembered
// for the check-in page (remember.js). A finished ticket not yet rated offers
// 好差评 (the five levels; for 不满意 / 非常不满意 the hall's reasons and a
// comment), sent to /api/evaluate; once rated it shows the rating. An earlier
// day's ticket (补充评价, data-past on the body) is read once, not followed.
// A ticket that will not change any more (final) drops the footer's "watch
// for the call".
"use strict";
(function () {
  const parts = location.pathname.split("/").filter(Boolean);  // ["t", hall, date, number, token?]
  const token = parts[4] || new URLSearchParams(location.search).get("k") || "";
  const query = "hall=" + encodeURIComponent(parts[1]) + "&date=" + encodeURIComponent(parts[2]) +
    "&number=" + encodeURIComponent(parts[3]) + "&k=" + encodeURIComponent(token);
  const $ = (id) => document.getElementById(id);
  let lastState = null, lastRecalls = -1, level = 0, formBuilt = false;

  function buildForm(rate) {
    if (formBuilt) return;
    formBuilt = true;
    rate.levels.forEach((l) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "level";
      b.dataset.level = l.level;
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", "false");
      // "非常" | "不满意": the name breaks between its two words on a narrow phone, never inside one.
      const words = /^(.+?)(不?满意)$/.exec(l.name);
      (words ? words.slice(1) : [l.name]).forEach((w) => {
        const s = document.createElement("span");
        s.textContent = w;
        b.appendChild(s);
      });
      b.addEventListener("click", () => choose(l.level));
      $("levels").appendChild(b);
    });
    rate.reasons.forEach((r) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = r.code;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + r.text));
      $("reasons").appendChild(label);
    });
    $("comment").maxLength = rate.comment_max;
  }

  function choose(l) {
    level = l;
    document.querySelectorAll("#levels .level").forEach((b) => {
      b.setAttribute("aria-checked", Number(b.dataset.level) === l ? "true" : "false");
    });
    $("reasons-box").hidden = !(l >= 1 && l <= 2) || $("reasons").children.length === 0;
    $("rate-submit").disabled = false;
  }

  function showRating(t) {
    const rated = !!t.rating;
    $("rate").hidden = !t.can_rate;
    $("rated").hidden = !rated;
    $("rated").textContent = rated ? "您的评价：" + t.rating_name : "";
    if (t.can_rate && t.rate) buildForm(t.rate);
  }

  // One AudioContext for the page's life, made while the page is idle and
  // never in the task that shows a call: Chromium's first constructor blocks
  // the page for a quarter of a second (over 2 s on a loaded machine), which
  // held "请到 N 号窗口" off the screen. Phones start it suspended until the
  // citizen touches the page; the first touch resumes it.
  let audio = null;
  function prepareAudio() {
    if (audio) return;
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) audio = new Ctx();
    } catch (e) { /* no sound: the screen still shows the call */ }
  }
  ["pointerdown", "keydown"].forEach((type) => document.addEventListener(type, () => {
    prepareAudio();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }, { passive: true }));

  function alertCall() {
    try { if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
    // The tone after the frame that shows the call (a hidden page draws no frames: at once).
    if (document.hidden) chime();
    else requestAnimationFrame(() => setTimeout(chime, 0));
  }

  function chime() {
    prepareAudio();
    if (!audio) return;
    try {
      const ctx = audio;
      if (ctx.state === "suspended") ctx.resume().catch(() => {});
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

  // The text in clauses, each ending at its "，。；：", and each 「name」 whole (a span .clause
  // each, ticket.css): a narrow phone breaks the line between them rather than inside a word.
  function setClauses(el, text) {
    el.textContent = "";
    (text.match(/「[^」]*」[，。；：]*|[^，。；：「]+[，。；：]*|[\s\S]/g) || []).forEach((c) => {
      const s = document.createElement("span");
      s.className = "clause";
      s.textContent = c;
      el.appendChild(s);
    });
  }

  function render(t) {
    $("number").textContent = t.number;
    $("service").textContent = t.service;
    $("kind").hidden = !t.kind;
    $("kind").textContent = t.kind || "";
    $("hall-name").textContent = t.hall_name;
    $("headline").textContent = t.headline;
    setClauses($("detail"), t.detail);
    document.body.dataset.state = t.state;
    document.title = t.headline + " · " + t.number;
    $("cancel").hidden = !t.can_cancel;
    $("footer").hidden = !!t.final;  // nothing more will change: no calls to watch for
    $("code").hidden = !t.check_in_code || t.state !== "not_arrived";
    $("code").textContent = t.check_in_code ? "签到码 " + t.check_in_code : "";
    const arriving = t.state === "not_arrived" && !!t.check_in_code;
    $("how").hidden = !arriving;
    setClauses($("how"), arriving ? "签到方法：到大厅后用手机扫描大厅屏幕上的「扫码签到（网上取号）」二维码，" +
      "或在取号机上输入签到码 " + t.check_in_code + "。" : "");
    showRating(t);
    if (arriving) window.hallqTickets.remember({ hall: parts[1], date: parts[2], number: parts[3], k: token });
    if (t.state === "called" && (lastState !== "called" || t.recalls !== lastRecalls)) alertCall();
    else if (!t.final && !audio && lastState === null) setTimeout(prepareAudio, 0);  // a call may come
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

  $("rate-submit").addEventListener("click", async () => {
    if (!level) return;
    const body = { level: level };
    if (level <= 2) {
      body.reasons = Array.from(document.querySelectorAll("#reasons input:checked")).map((b) => b.value);
      const comment = $("comment").value.replace(/\s+/g, " ").trim();  // one line: no control characters
      if (comment) body.comment = comment;
    }
    $("rate-submit").disabled = true;
    try {
      const r = await fetch("/api/evaluate?" + query, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        credentials: "omit",
      });
      const j = await r.json();
      if (r.ok) {
        if (j.headline) render(j); else showRating(j);
        $("rate-result").textContent = "评价已提交，感谢您的评价";
      } else {
        $("rate-result").textContent = j.message || "提交失败，请稍后再试";
        if (j.error === "already_rated") $("rate").hidden = true;
      }
    } catch (e) {
      $("rate-result").textContent = "网络不通，请稍后再试";
    } finally {
      $("rate-submit").disabled = !level;
    }
  });

  async function readOnce() {
    try {
      const r = await fetch("/api/ticket?" + query, { credentials: "omit" });
      const j = await r.json();
      $("conn").dataset.state = r.ok ? "live" : "connecting";
      $("conn").textContent = r.ok ? "补充评价" : (j.message || "连接中…");
      if (r.ok) render(j);
    } catch (e) {
      $("conn").textContent = "网络不通，请稍后刷新";
    }
  }

  if (document.body.dataset.past) readOnce(); else connect();
})();
