// Opens the gateway's error pages in Debian's Chromium (Playwright) at a
// phone's size and reports what each shows:
//   node error_page_check.js CASES_JSON OUT_DIR
// CASES_JSON: a list of {"url"} (opened once) or {"url", "until": STATUS}
// (opened again, at most 30 times, until it answers STATUS: spending the
// address's failed lookups). For each case prints one line
//   case I STATUS HALL|ERROR|DETAIL
// (HALL and DETAIL "-" where the page has none) and, for the comparison of
// pages, "main I " and the page's <main> as HTML. Then "ok", exit 0; on a
// page error or a failure "FAILED: ...", exit 1. The caller checks the lines.
"use strict";
const path = require("path");
const { launchPhone } = require("./phone");

const cases = JSON.parse(process.argv[2]);
const outDir = process.argv[3];

(async () => {
  const { browser, context } = await launchPhone(1.5);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const shown = (selector) => page.evaluate((s) => {
      const e = document.querySelector(s);
      return e === null ? "-" : e.textContent;
    }, selector);
    for (const [i, c] of cases.entries()) {
      let response = await page.goto(c.url);
      for (let n = 1; c.until !== undefined && response.status() !== c.until && n < 30; ++n)
        response = await page.goto(c.url);
      await page.waitForSelector("#error");
      await page.evaluate(() => document.fonts.ready);
      console.log(`case ${i} ${response.status()} ${await shown("#hall-name")}|${await shown("#error")}|` +
        `${await shown("#error-detail")}`);
      console.log(`main ${i} ${await page.$eval("main", (m) => m.outerHTML)}`);
      await page.screenshot({ path: path.join(outDir, `error-page-${i}.png`) });
    }
    if (errors.length !== 0) throw new Error(`page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
