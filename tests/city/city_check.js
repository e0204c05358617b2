// The city view's page in Debian's Chromium (Playwright), driven by
// city_test.cc through stdin/stdout: each phase waits for what the test
// made happen and prints a line; the test writes a line to start the next.
//   node city_check.js URL OUT_DIR
//   phase 1: the town and district rows show 3 and 2 waiting, 2 and 1 windows open -> "two_halls MS"
//   (stdin "third") the bank row appears with 1 waiting          -> "third_hall MS"
//   (stdin "restarted") live again after the city view restarted, town 4 -> "reconnected MS"
"use strict";
const path = require("path");
const readline = require("readline");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const lines = readline.createInterface({ input: process.stdin });
const queued = [];
let waiter = null;
lines.on("line", (l) => { if (waiter) { const w = waiter; waiter = null; w(l); } else queued.push(l); });
const nextLine = () => new Promise((resolve) => { if (queued.length) resolve(queued.shift()); else waiter = resolve; });

const waitingOf = (page, hall, n) =>
  page.waitForFunction(([h, want]) => {
    const td = document.querySelector(`tr[data-hall="${h}"] td.waiting`);
    return td !== null && td.textContent.trim() === String(want);
  }, [hall, n]);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 }, locale: "zh-CN" });
    page.setDefaultTimeout(20000);
    let t0 = Date.now();
    await page.goto(process.argv[2] + "/");
    await page.waitForSelector('#conn[data-state="live"]');
    await waitingOf(page, "town", 3);
    await waitingOf(page, "district", 2);
    await page.waitForFunction(() => document.querySelector('tr[data-hall="town"] td.windows').textContent === "2 / 12");
    await page.waitForFunction(() => document.querySelector('tr[data-hall="district"] td.windows').textContent === "1 / 32");
    const townName = await page.textContent('tr[data-hall="town"] td.name');
    if (!townName.includes("商家镇便民服务中心")) throw new Error("town's name not shown: " + townName);
    console.log("two_halls " + (Date.now() - t0));

    await nextLine();
    t0 = Date.now();
    await waitingOf(page, "bank", 1);
    console.log("third_hall " + (Date.now() - t0));

    await nextLine();
    t0 = Date.now();
    await waitingOf(page, "town", 4);
    await page.waitForSelector('#conn[data-state="live"]');
    await waitingOf(page, "district", 2);
    await waitingOf(page, "bank", 1);
    console.log("reconnected " + (Date.now() - t0));
    await page.screenshot({ path: path.join(process.argv[3], "city-view.png") });
    console.log("ok");
  } finally {
    await browser.close();
    lines.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
