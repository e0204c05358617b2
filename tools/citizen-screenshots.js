// The README's screenshots of the citizen's phone pages (hallq-citizen), taken
// in Debian's Chromium through Playwright at a phone's size against a running
// hallqd + hallq-citizen (tools/citizen-screenshots starts them; not a test):
//   node citizen-screenshots.js BASE ENGINE HALLQ KEY SERVER_KEY SECRET SALT DAY OUT_DIR
// BASE is the gateway's http://HOST:PORT, ENGINE the engine's command
// endpoint, HALLQ the hallq program acting as the hall's manager (KEY,
// SERVER_KEY), SECRET the ticket secret (to make the kiosk's QR links), SALT
// the person salt (bookings), DAY the engine's local day (YYYY-MM-DD).
// One ticket goes waiting -> called -> finished -> rated; a remote ticket is
// taken on /r/town and shown before check-in; a booking is checked in and its
// ticket shown. Each state is checked on the page before its PNG is taken;
// prints the files and "ok", exits 0, or prints the failure and exits 1.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const [base, engine, hallqPath, key, serverKey, secretPath, saltPath, day, outDir] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, "--key", key,
  "--server-key", serverKey, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const secret = fs.readFileSync(secretPath);
// The kiosk's QR link (engine/keys/ticket_token.h): 16 bytes of HMAC-SHA256, base64url.
const link = (number) => {
  const k = crypto.createHmac("sha256", secret).update(`town|${day}|${number}`).digest().subarray(0, 16)
    .toString("base64url");
  return `${base}/t/town/${day}/${number}?k=${k}`;
};
const headline = (page, text) => page.waitForFunction((t) => document.querySelector("#headline").textContent === t,
  text);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  const shots = [];
  // A phone's viewport (390 × 844 CSS pixels) at 1.5× keeps each PNG small and the text sharp.
  const shoot = async (page, name, fullPage = false) => {
    await page.evaluate(() => document.fonts.ready);
    const file = path.join(outDir, name);
    await page.screenshot({ path: file, fullPage });
    shots.push(file);
  };
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1.5, isMobile: true, hasTouch: true,
      locale: "zh-CN",
    });
    const errors = [];
    const newPage = async () => {
      const p = await context.newPage();
      p.setDefaultTimeout(10000);
      p.on("pageerror", (e) => errors.push(e.message));
      return p;
    };

    // 1. A walk-in ticket (the kiosk's QR link) waiting behind two others, two windows open.
    hallq("open", "town", "w1", "--staff", "s01");
    hallq("open", "town", "w2", "--staff", "s02");
    for (let i = 0; i < 2; ++i) hallq("issue", "town", "social");
    hallq("call", "town", "w1");  // A001 at window 1
    hallq("call", "town", "w2");  // A002 at window 2
    for (let i = 0; i < 4; ++i) hallq("issue", "town", "social");  // A003 .. A006
    const page = await newPage();
    await page.goto(link("A005"));
    await page.waitForSelector('#conn[data-state="live"]');
    await headline(page, "前面还有 2 人");
    await shoot(page, "citizen-waiting.png");

    // 2. Called: 请到 N 号窗口.
    for (const w of ["w1", "w2"]) { hallq("start", "town", w); hallq("finish", "town", w); }
    hallq("call", "town", "w1");  // A003
    hallq("call", "town", "w2");  // A004
    hallq("start", "town", "w1");
    hallq("finish", "town", "w1");
    const called = hallq("call", "town", "w1");
    check(called.events.find((e) => e.kind === "ticket_called").number === "A005", "hallq called another ticket");
    await headline(page, "请到 1 号窗口");
    await shoot(page, "citizen-called.png");

    // 3. Finished: the page offers 好差评; 不满意 opens the hall's reasons.
    hallq("start", "town", "w1");
    hallq("finish", "town", "w1");
    await headline(page, "已办结");
    await page.waitForSelector("#rate:not([hidden])");
    await shoot(page, "citizen-finished.png");
    await page.click('#levels .level[data-level="2"]');
    await page.waitForSelector("#reasons-box:not([hidden])");
    const boxes = await page.$$('#reasons input[type="checkbox"]');
    check(boxes.length >= 2, "fewer than two reasons");
    await boxes[1].check();
    await page.fill("#comment", "等候区座位不够");
    await shoot(page, "citizen-rate-reasons.png", true);

    // 4. Rated: 非常满意 instead, sent.
    await page.click('#levels .level[data-level="5"]');
    await page.click("#rate-submit");
    await page.waitForFunction(() => document.querySelector("#rated").textContent === "您的评价：非常满意");
    await shoot(page, "citizen-rated.png");

    // 5. A remote ticket (网上取号) on /r/town, before check-in: three walk-ins wait before it.
    hallq("open", "town", "w4", "--staff", "s03");
    for (let i = 0; i < 4; ++i) hallq("issue", "town", "estate");  // B001 .. B004
    hallq("call", "town", "w4");  // B001
    const remote = await newPage();
    await remote.goto(`${base}/r/town`);
    await remote.fill("#id-number", "11010519491231002X");  // GB 11643's own example
    await remote.fill("#phone", "13800138000");
    await shoot(remote, "citizen-remote-form.png");
    await remote.click("#take");
    await remote.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B005\?k=/);
    await remote.waitForSelector('#conn[data-state="live"]');
    await remote.waitForSelector("#code:not([hidden])");
    check(/^请在 \d\d:\d\d 前到大厅签到$/.test(await remote.textContent("#headline")), "remote headline");
    check((await remote.textContent("#kind")) === "网上取号", "remote kind");
    await shoot(remote, "citizen-remote.png");

    // 6. A booking (预约) of 10:30, checked in at the kiosk (hallq): its ticket's page.
    const booked = hallq("book", "town", "social", day, "10:30", "--id-number", "110105198005121231",
      "--phone", "13900139000", "--person-salt", saltPath);
    check(/^\d{6}$/.test(String(booked.code)), `booking code: ${JSON.stringify(booked)}`);
    hallq("appointments", "checkin", "town", String(booked.code));
    const list = hallq("appointments", "list", "town", "--day", day).bookings;
    const entry = list.find((b) => String(b.code) === String(booked.code));
    check(entry && entry.number, `no ticket for the booking: ${JSON.stringify(list)}`);
    const appointment = await newPage();
    await appointment.goto(link(entry.number));
    await appointment.waitForSelector('#conn[data-state="live"]');
    await appointment.waitForSelector("#kind:not([hidden])");
    check((await appointment.textContent("#kind")) === "预约", "booking kind");
    await shoot(appointment, "citizen-booking.png");

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    for (const s of shots) console.log(s);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
