// The dashboard's 上报被拒记录 section in Debian's Chromium against a hallqd
// that holds two recorded rejections (the test posted them), one with a
// hostile reason: the count and both rows show, newest first, and the
// hostile reason is shown as its text, with no element made of it and no
// script run. Then 重新上报: each row has the button; pressing town-E-1's
// asks to confirm (the dialog's Chinese text is checked, then accepted),
// and the row shows 已申请重新上报 without its button, also after a reload;
// a dismissed confirm on town-E-2 sends nothing (its button stays).
// With "accepted" (after the test reported the platform's acceptance of
// town-E-1's re-send): that row says 已重新上报，平台已接受（time）, no button.
//   node rejections_check.js URL HOSTILE_REASON [accepted]
"use strict";
const path = require("path");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));
const check = (ok, what) => { if (!ok) throw new Error(what); };

(async () => {
  const [url, hostile, mode] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: "zh-CN" });
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/?hall=town");
    await page.waitForSelector('#rejections[data-count="2"]');
    if (mode === "accepted") {
      const rows = await page.$$eval("#rejections-list tbody tr", (trs) =>
        trs.map((tr) => ({ record: tr.dataset.record, state: tr.querySelector("td.resend").textContent,
                           button: !!tr.querySelector("td.resend button") })));
      check(rows[1].record === "town-E-1" && /^已重新上报，平台已接受（\d{4}-\d\d-\d\d \d\d:\d\d:\d\d）$/.test(rows[1].state) &&
            !rows[1].button, "town-E-1 not shown accepted: " + JSON.stringify(rows));
      check(rows[0].record === "town-E-2" && rows[0].button, "town-E-2 lost its button: " + JSON.stringify(rows));
      check(errors.length === 0, "page errors: " + errors.join("; "));
      console.log("accepted_shown town-E-1");
      console.log("ok");
      return;
    }
    check((await page.textContent("#rejections-count")) === "2", "count not shown");
    const rows = await page.$$eval("#rejections-list tbody tr", (trs) =>
      trs.map((tr) => ({ record: tr.dataset.record, cells: [...tr.children].map((td) => td.textContent) })));
    check(rows.length === 2, "want 2 rows, got " + rows.length);
    check(rows[0].record === "town-E-2" && rows[1].record === "town-E-1", "not newest first: " + JSON.stringify(rows));
    check(rows[0].cells[4] === "办件编号缺失" && rows[0].cells[3] === "409", "row 1: " + JSON.stringify(rows[0]));
    check(rows[1].cells[4] === hostile, "hostile reason not shown as text: " + JSON.stringify(rows[1]));
    check(rows[1].cells[3] === "422", "status: " + JSON.stringify(rows[1]));
    check((await page.$$("#rejections img")).length === 0, "the reason became an element");
    check((await page.evaluate(() => window.__xss)) === undefined, "the reason's script ran");
    check(errors.length === 0, "page errors: " + errors.join("; "));
    console.log("rejections_shown 2");

    const button = (record) => `#rejections-list tr[data-record="${record}"] td.resend button`;
    check((await page.$$(`#rejections-list td.resend button`)).length === 2, "want a 重新上报 button per row");
    // Dismissed: nothing sent.
    let asked = [];
    page.once("dialog", (d) => { asked.push(d.message()); d.dismiss(); });
    await page.click(button("town-E-2"));
    check(asked.length === 1 && asked[0].includes("重新上报记录 town-E-2"), "confirm text: " + asked.join("|"));
    check(!(await page.$eval(button("town-E-2"), (b) => b.disabled)), "dismissed, yet the button is disabled");
    // Accepted: the request is sent and the row says so.
    page.once("dialog", (d) => { asked.push(d.message()); d.accept(); });
    const posted = page.waitForResponse((r) => r.url().endsWith("/upload-rejections/town-E-1/resend"));
    await page.click(button("town-E-1"));
    const answer = await posted;
    check(answer.status() === 200, "resend answered " + answer.status());
    check(answer.request().headers()["idempotency-key"], "no Idempotency-Key");
    await page.waitForFunction(() => {
      const td = document.querySelector('#rejections-list tr[data-record="town-E-1"] td.resend');
      return td && td.textContent.startsWith("已申请重新上报") && !td.querySelector("button");
    });
    await page.reload();
    await page.waitForSelector('#rejections[data-count="2"]');
    const after = await page.$$eval("#rejections-list tbody tr", (trs) =>
      trs.map((tr) => ({ record: tr.dataset.record, state: tr.querySelector("td.resend").textContent,
                         button: !!tr.querySelector("td.resend button") })));
    check(after[1].record === "town-E-1" && /^已申请重新上报（\d{4}-\d\d-\d\d \d\d:\d\d:\d\d）$/.test(after[1].state) &&
          !after[1].button, "after reload, town-E-1: " + JSON.stringify(after));
    check(after[0].record === "town-E-2" && after[0].button, "town-E-2 lost its button: " + JSON.stringify(after));
    check(errors.length === 0, "page errors: " + errors.join("; "));
    console.log("resend_requested town-E-1");
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
