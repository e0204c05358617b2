// Drives the citizen's ticket page in Debian's Chromium (Playwright) at a
// phone's size against a running hallq-citizen, acting on the engine with
// the hallq CLI (as a manager, over CURVE):
//   node ticket_page_check.js URL_CALLED URL_CANCEL ENGINE HALLQ KEY SERVER_KEY OUT_DIR
// URL_CALLED is the QR link of a ticket that hallq's next call reaches;
// URL_CANCEL another ticket's. Checks: the link opens the page with the
// ticket's number and goes live; a call made with hallq shows "请到 N 号窗口"
// within a second; "我不等了" with its confirmation cancels the ticket in the
// engine (the queue shortens). Prints "name value" lines and "ok", exits 0;
// else prints the failure and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { execFileSync } = require("child_process");
const { launchPhone } = require("./phone");

const [urlCalled, urlCancel, engine, hallqPath, key, serverKey, outDir] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, "--key", key,
  "--server-key", serverKey, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const waitingSocial = () => hallq("status", "town").services.find((s) => s.id === "social").waiting;

(async () => {
  const { browser, context } = await launchPhone(2);
  try {
    // Each server-sent message's arrival and the end of the page's handling of
    // it, on the page's clock (the system clock, as this script's Date.now()):
    // where a slow call's second went (printed as call_stages_ms).
    await context.addInitScript(() => {
      const Native = window.EventSource;
      window.hallqSse = [];
      window.EventSource = class extends Native {
        set onmessage(f) {
          super.onmessage = (m) => {
            const at = Date.now();
            f(m);
            window.hallqSse.push({ at, done: Date.now(), data: m.data });
          };
        }
        get onmessage() { return super.onmessage; }
      };
    });
    const errors = [];
    const watch = (page) => {
      page.setDefaultTimeout(10000);
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    };

    // 1. The QR link opens the page with the right number, and it goes live.
    const page = await context.newPage();
    watch(page);
    await page.goto(urlCalled);
    await page.waitForSelector('#conn[data-state="live"]');
    const number = decodeURIComponent(new URL(urlCalled).pathname.split("/")[4]);
    check((await page.textContent("#number")) === number, `number not ${number}`);
    check((await page.textContent("#hall-name")).includes("便民服务中心"), "hall name not shown");
    console.log(`page_number ${number}`);
    await page.screenshot({ path: path.join(outDir, "citizen-waiting.png") });

    // 2. A call made with hallq shows within a second.
    hallq("open", "town", "w1", "--staff", "s01");
    const t0 = Date.now();
    const called = hallq("call", "town", "w1");
    const acked = Date.now();
    check(called.events.find((e) => e.kind === "ticket_called").number === number, "hallq called another ticket");
    const shown = () => document.querySelector("#headline").textContent === "请到 1 号窗口";
    let visible = true;
    await page.waitForFunction(shown, null, { timeout: 1000 }).catch(() => { visible = false; });
    const seen = Date.now();
    // hallq: the command's round trip (process included); push: its acknowledgement to the
    // message's arrival in the page; render: the page's handling of it; poll: until seen here.
    const m = (await page.evaluate(() => window.hallqSse)).find((x) => JSON.parse(x.data).state === "called");
    console.log(`call_stages_ms hallq=${acked - t0} ` +
      (m ? `push=${m.at - acked} render=${m.done - m.at} poll=${seen - m.done}` : "no message"));
    check(visible, `the call not shown within 1000 ms of hallq's answer (${await page.textContent("#headline")})`);
    console.log(`call_visible_ms ${seen - t0}`);
    check(await page.$eval("body", (b) => b.dataset.state === "called"), "body not in the called state");
    await page.screenshot({ path: path.join(outDir, "citizen-called.png") });

    // 3. "我不等了" on another ticket: confirmed, cancelled in the engine.
    const other = await context.newPage();
    watch(other);
    await other.goto(urlCancel);
    await other.waitForSelector('#conn[data-state="live"]');
    await other.waitForSelector("#cancel:not([hidden])");
    const before = waitingSocial();
    other.once("dialog", (d) => d.accept());
    await other.click("#cancel");
    await other.waitForFunction(() => document.querySelector("#headline").textContent === "已取消排队");
    const after = waitingSocial();
    check(after === before - 1, `the queue did not shorten (${before} -> ${after})`);
    check(await other.$eval("#cancel", (b) => b.hidden), "cancel still offered");
    console.log(`cancelled waiting ${before}->${after}`);
    await other.screenshot({ path: path.join(outDir, "citizen-cancelled.png") });

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
