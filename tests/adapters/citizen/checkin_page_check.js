// Drives the check-in page (签到) in Debian's Chromium (Playwright) at a
// phone's size against a running hallq-citizen:
//   node checkin_page_check.js URL_BASE CHECKIN_TOKEN OUT_DIR
// URL_BASE is the gateway's http://HOST:PORT; CHECKIN_TOKEN the hall town's
// current check-in token (what its screen's QR code carries). Checks: the
// check-in page on a phone that took no ticket says to open the ticket page
// first; a remote ticket taken on /r/town opens its page, which says how to
// check in (the screen's QR code or the code at the kiosk); the check-in
// page then lists it with a 签到 button, which checks it in and opens its
// ticket page, now waiting in line. Prints "name value" lines and "ok",
// exits 0; else prints the failure and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { launchPhone } = require("./phone");

const [base, token, outDir] = process.argv.slice(2);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const kId = "11010519491231002X";  // GB 11643's own example

(async () => {
  const { browser, context } = await launchPhone(2);
  try {
    const errors = [];
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on("pageerror", (e) => errors.push(e.message));
    const checkinUrl = `${base}/c/town?k=${token}`;

    // 1. No ticket on this phone yet: how to open the ticket page first.
    await page.goto(checkinUrl);
    await page.waitForSelector("#empty:not([hidden])");
    check((await page.$$("#tickets li")).length === 0, "a ticket listed on an empty phone");
    console.log(`empty ${await page.textContent("#empty")}`);

    // 2. A remote ticket: its page says how to check in.
    await page.goto(`${base}/r/town`);
    await page.fill("#id-number", kId);
    await page.click("#take");
    await page.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B001\?k=/);
    await page.waitForSelector("#how:not([hidden])");
    const how = await page.textContent("#how");
    const code = (await page.textContent("#code")).replace("签到码 ", "");
    check(how.includes("扫描大厅屏幕上的「扫码签到（网上取号）」二维码") && how.includes(`签到码 ${code}`),
      `how: ${how}`);
    console.log(`how ${how}`);
    await page.screenshot({ path: path.join(outDir, "citizen-checkin-how.png") });

    // 3. The hall's QR code: the page lists B001; 签到 puts it in line.
    await page.goto(checkinUrl);
    const button = 'li[data-number="B001"] button:not([hidden])';
    await page.waitForSelector(button);
    check(await page.isHidden("#empty"), "the empty text shown beside a ticket");
    console.log(`listed ${await page.textContent('li[data-number="B001"]')}`);
    await page.screenshot({ path: path.join(outDir, "citizen-checkin-list.png") });
    await page.click(button);
    await page.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B001\?k=/);
    await page.waitForFunction(() => document.body.dataset.state === "waiting");
    check(await page.isHidden("#how"), "how to check in still shown after check-in");
    console.log(`checked_in B001 ${await page.textContent("#headline")}`);
    await page.screenshot({ path: path.join(outDir, "citizen-checkin-done.png") });

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
