// The dashboard's 上报被拒记录 section in Debian's Chromium against a hallqd
// that holds two recorded rejections (the test posted them), one with a
// hostile reason: the count and both rows show, newest first, and the
// hostile reason is shown as its text, with no element made of it and no
// script run.
//   node rejections_check.js URL HOSTILE_REASON
"use strict";
const path = require("path");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));
const check = (ok, what) => { if (!ok) throw new Error(what); };

(async () => {
  const [url, hostile] = process.argv.slice(2);
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
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
