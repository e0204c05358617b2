// Drives the remote-ticket page (网上取号) in Debian's Chromium (Playwright)
// at a phone's size against a running hallq-citizen, acting on the engine
// with the hallq CLI (as a manager, over CURVE):
//   node remote_page_check.js URL_REMOTE ENGINE HALLQ KEY SERVER_KEY OUT_DIR
// URL_REMOTE is the gateway's /r/town. Checks: an ID number with a wrong
// check character is refused on the page in Chinese; a good one takes a
// 不动产登记 ticket and opens its live page, which says when to check in and
// shows the check-in code; `hallq appointments checkin` with that code puts
// it in the line; `hallq call` on window 4 calls it and the page shows
// "请到 4 号窗口" within a second; the same person asking again is refused
// (one active remote ticket per person). Prints "name value" lines and "ok",
// exits 0; else prints the failure and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { execFileSync } = require("child_process");
const { launchPhone } = require("./phone");

const [urlRemote, engine, hallqPath, key, serverKey, outDir] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, "--key", key,
  "--server-key", serverKey, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const kId = "11010519491231002X";  // GB 11643's own example

(async () => {
  const { browser, context } = await launchPhone(2);
  try {
    const errors = [];
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on("pageerror", (e) => errors.push(e.message));

    // 1. A wrong check character: refused on the page, nothing taken.
    await page.goto(urlRemote);
    check((await page.$$eval("#service option", (o) => o.map((x) => x.value))).join(",") === "estate",
      "the page should offer estate alone");
    await page.fill("#id-number", "110101199003077777");
    await page.click("#take");
    await page.waitForFunction(() => document.querySelector("#result").textContent.includes("校验位"));
    console.log(`refused ${await page.textContent("#result")}`);
    check(new URL(page.url()).pathname === "/r/town", "left the form on a refusal");
    await page.screenshot({ path: path.join(outDir, "citizen-remote-form.png") });

    // 2. A good one: the ticket's own page, when to check in, the code.
    await page.fill("#id-number", kId);
    await page.fill("#phone", "13800138000");
    await page.click("#take");
    await page.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B001\?k=/);
    await page.waitForSelector('#conn[data-state="live"]');
    check((await page.textContent("#number")) === "B001", "number not B001");
    const headline = await page.textContent("#headline");
    check(/^请在 \d\d:\d\d 前到大厅签到$/.test(headline), `headline: ${headline}`);
    await page.waitForSelector("#code:not([hidden])");
    const code = (await page.textContent("#code")).replace("签到码 ", "");
    check(/^\d{6}$/.test(code), `code: ${code}`);
    console.log(`taken B001 code ${code} headline ${headline}`);
    await page.screenshot({ path: path.join(outDir, "citizen-remote-taken.png") });

    // 3. Checked in with the code (as the kiosk would), then called.
    hallq("appointments", "checkin", "town", code);
    await page.waitForFunction(() => document.body.dataset.state === "waiting");
    check(await page.$eval("#code", (c) => c.hidden), "code still shown after check-in");
    hallq("open", "town", "w4", "--staff", "s01");
    const t0 = Date.now();
    const called = hallq("call", "town", "w4");
    check(called.events.find((e) => e.kind === "ticket_called").number === "B001", "hallq called another ticket");
    // The latency is ticket_page_check.js's to hold to a second; here the flow (a loaded machine
    // running two browsers at once took over a second).
    await page.waitForFunction(() => document.querySelector("#headline").textContent === "请到 4 号窗口",
      null, { timeout: 5000 });
    console.log(`call_visible_ms ${Date.now() - t0}`);
    await page.screenshot({ path: path.join(outDir, "citizen-remote-called.png") });

    // 4. The same person again: one active remote ticket per person.
    const again = await context.newPage();
    again.on("pageerror", (e) => errors.push(e.message));
    await again.goto(urlRemote);
    await again.fill("#id-number", kId.toLowerCase());
    await again.click("#take");
    await again.waitForFunction(() => document.querySelector("#result").textContent.includes("您已在本厅网上取号"));
    console.log(`again ${await again.textContent("#result")}`);

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
