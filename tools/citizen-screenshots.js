// The README's screenshots of the citizen's phone pages (hallq-citizen), taken
// in Debian's Chromium through Playwright at a phone's size against a running
// hallqd + hallq-citizen (tools/citizen-screenshots starts them; not a test):
//   node citizen-screenshots.js BASE ENGINE HALLQ KEY SERVER_KEY SECRET SALT DAY RESTART RESTARTED OUT_DIR
// BASE is the gateway's http://HOST:PORT, ENGINE the engine's command
// endpoint, HALLQ the hallq program acting as the hall's manager (KEY,
// SERVER_KEY), SECRET the ticket secret (to make the kiosk's QR links and the
// hall screen's check-in code), SALT the person salt (bookings), DAY the
// engine's first day (YYYY-MM-DD, from 10:00). At the end of that day it
// creates the file RESTART and waits for the file RESTARTED: the caller has
// then restarted the engine on the same store the day after, and the browser,
// its pages still open, goes on.
//
// The day: one ticket goes waiting -> called -> recalled -> finished -> rated;
// others go 已过号 and back in line (hallq reactivate), 暂缓办理, transferred,
// cancelled from the page (我不等了); a remote ticket is taken on /r/town,
// shown before check-in, checked in on /c/town (the hall screen's code); a
// second one's turn comes and its grace (1 minute in the script's hall) runs
// out; a third person's is refused (the service's daily quota, 2 in the
// script's hall); a booking is checked in; the error pages a citizen can reach
// (a malformed link, an unknown token, too many failed lookups: from another
// address, X-Forwarded-For through the gateway's trusted proxy); a transferred
// ticket is finished and left unrated; a ticket is left waiting at the day's
// end, its page open. The next day: that page says 号码已失效 and the link
// reopened says the same (410, under the hall's name); the unrated ticket's page offers
// 补充评价, and takes it.
// Each state is checked on the page (the tests' selectors,
// tests/adapters/citizen) before its PNG is taken; prints the files and "ok",
// exits 0, or prints the failure and exits 1.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const [base, engine, hallqPath, key, serverKey, secretPath, saltPath, day, restartPath, restartedPath, outDir] =
  process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, "--key", key,
  "--server-key", serverKey, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const secret = fs.readFileSync(secretPath);
const hmac16 = (text) => crypto.createHmac("sha256", secret).update(text).digest().subarray(0, 16)
  .toString("base64url");
// The kiosk's QR link (engine/keys/ticket_token.h): 16 bytes of HMAC-SHA256, base64url.
const link = (number) => `${base}/t/town/${day}/${number}?k=${hmac16(`town|${day}|${number}`)}`;
// The number a command's events name (ticket_issued, ticket_called, ...).
const numberOf = (answer, kind) => {
  const e = answer.events.find((x) => x.kind === kind);
  check(e && e.number, `no ${kind} in ${JSON.stringify(answer)}`);
  return e.number;
};
const text = (page, selector, value) => page.waitForFunction(([s, v]) => {
  const e = document.querySelector(s);
  return e !== null && e.textContent === v;
}, [selector, value]);
const headline = (page, value) => text(page, "#headline", value);
const detailStarts = (page, value) => page.waitForFunction(
  (v) => document.querySelector("#detail").textContent.startsWith(v), value);

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
    const ticketPage = async (number) => {
      const p = await newPage();
      await p.goto(link(number));
      await p.waitForSelector('#conn[data-state="live"]');
      return p;
    };
    // Another phone, elsewhere: the gateway trusts the loopback proxy's X-Forwarded-For, so this
    // context's failed lookups count against 203.0.113.7, not against the pages above.
    const elsewhere = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 1.5, isMobile: true, hasTouch: true,
      locale: "zh-CN", extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.7" },
    });
    const otherPage = async () => {
      const p = await elsewhere.newPage();
      p.setDefaultTimeout(10000);
      p.on("pageerror", (e) => errors.push(e.message));
      return p;
    };
    const lapsing = await today(newPage, ticketPage, otherPage, shoot);
    // The engine restarted the next morning on the same store (the caller does it).
    fs.writeFileSync(restartPath, "");
    for (const deadline = Date.now() + 60000; !fs.existsSync(restartedPath);) {
      check(Date.now() < deadline, "the engine was not restarted within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await nextDay(newPage, lapsing, shoot);
    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    for (const s of shots) console.log(s);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });

async function today(newPage, ticketPage, otherPage, shoot) {
  // 1. A walk-in ticket (the kiosk's QR link) waiting behind two others, two windows open.
  hallq("open", "town", "w1", "--staff", "s01");
  hallq("open", "town", "w2", "--staff", "s02");
  for (let i = 0; i < 2; ++i) hallq("issue", "town", "social");
  hallq("call", "town", "w1");  // A001 at window 1
  hallq("call", "town", "w2");  // A002 at window 2
  for (let i = 0; i < 4; ++i) hallq("issue", "town", "social");  // A003 .. A006
  const page = await ticketPage("A005");
  await headline(page, "前面还有 2 人");
  await shoot(page, "citizen-waiting.png");

  // 2. Called: 请到 N 号窗口; then called again (hallq recall): 第 2 次呼叫.
  for (const w of ["w1", "w2"]) { hallq("start", "town", w); hallq("finish", "town", w); }
  hallq("call", "town", "w1");  // A003
  hallq("call", "town", "w2");  // A004
  hallq("start", "town", "w1");
  hallq("finish", "town", "w1");
  check(numberOf(hallq("call", "town", "w1"), "ticket_called") === "A005", "hallq called another ticket");
  await headline(page, "请到 1 号窗口");
  await text(page, "#detail", "正在呼叫您的号码");
  await shoot(page, "citizen-called.png");
  hallq("recall", "town", "w1");
  await text(page, "#detail", "第 2 次呼叫，请尽快前往");
  await headline(page, "请到 1 号窗口");
  await shoot(page, "citizen-recalled.png");

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
  await text(page, "#rated", "您的评价：非常满意");
  await shoot(page, "citizen-rated.png");
  await page.close();  // a browser keeps 6 connections a site: each live page holds one

  // 5. 已过号: A006 called at window 1 and skipped (hallq skip); the page says how to get back in line.
  const missed = await ticketPage("A006");
  check(numberOf(hallq("call", "town", "w1"), "ticket_called") === "A006", "hallq called another than A006");
  await headline(missed, "请到 1 号窗口");
  hallq("skip", "town", "w1");
  await headline(missed, "已过号");
  await detailStarts(missed, "叫号时您不在，号码已跳过。");
  check((await missed.textContent("#detail")).includes("可恢复排队"), "no-show: how to reactivate");
  await shoot(missed, "citizen-no-show.png");

  // 5b. Back in line: reactivated at the help desk within reactivate_min (hallq reactivate).
  hallq("reactivate", "town", "A006");
  await missed.waitForFunction(() => document.body.dataset.state === "waiting");
  await detailStarts(missed, "已恢复排队，");
  await missed.waitForSelector("#cancel:not([hidden])");
  await shoot(missed, "citizen-reactivated.png");
  check(numberOf(hallq("call", "town", "w1"), "ticket_called") === "A006", "A006 not called again");
  hallq("start", "town", "w1");
  hallq("finish", "town", "w1");
  await headline(missed, "已办结");
  await missed.close();

  // 6. 暂缓办理: A004, called at window 2, served and held (hallq hold) for a missing paper.
  const held = await ticketPage("A004");
  hallq("start", "town", "w2");
  hallq("hold", "town", "w2");
  await headline(held, "暂缓办理");
  await detailStarts(held, "请备齐材料后回到 2 号窗口");
  await shoot(held, "citizen-held.png");
  await held.close();

  // 7. Transferred: a 社保医保 ticket served at window 1 is sent on to 户籍证件 (window 8), where
  // it goes first (as one returning).
  hallq("open", "town", "w8", "--staff", "s04");
  const moved = numberOf(hallq("issue", "town", "social"), "ticket_issued");
  const transferred = await ticketPage(moved);
  check(numberOf(hallq("call", "town", "w1"), "ticket_called") === moved, `hallq called another than ${moved}`);
  hallq("start", "town", "w1");
  hallq("transfer", "town", "w1", "police");
  await detailStarts(transferred, "已转到「户籍证件」继续排队。");
  await text(transferred, "#service", "户籍证件");
  await text(transferred, "#number", moved);
  await headline(transferred, "下一位就是您");
  await shoot(transferred, "citizen-transferred.png");

  // 8. 我不等了: pressed on the page and confirmed; the ticket leaves the queue.
  const leaving = numberOf(hallq("issue", "town", "social"), "ticket_issued");
  const cancel = await ticketPage(leaving);
  await cancel.waitForSelector("#cancel:not([hidden])");
  let asked = "";
  cancel.once("dialog", (d) => { asked = d.message(); d.accept(); });
  await cancel.click("#cancel");
  await headline(cancel, "已取消排队");
  await text(cancel, "#cancel-result", "已为您取消排队");
  check(asked.startsWith("确定不再等候？"), `the confirmation: ${asked}`);
  await shoot(cancel, "citizen-cancelled.png");
  await cancel.close();

  // 9. A remote ticket (网上取号) on /r/town, before check-in: three walk-ins wait before it.
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

  // 10. Checked in by the hall screen's code (/c/town, the token of the engine's 10:00-10:09 slot,
  // engine/keys/checkin_token.h): the phone lists B005; 签到 puts it in line at its place.
  const slot = Math.floor((10 * 60) / 10);
  await remote.goto(`${base}/c/town?k=${hmac16(`checkin|town|${day}|${slot}`)}`);
  const button = 'li[data-number="B005"] button:not([hidden])';
  await remote.waitForSelector(button);
  await shoot(remote, "citizen-checkin.png");
  await remote.click(button);
  await remote.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B005\?k=/);
  await remote.waitForFunction(() => document.body.dataset.state === "waiting");
  await headline(remote, "前面还有 3 人");
  await detailStarts(remote, "已签到，");
  check(await remote.isHidden("#how"), "how to check in still shown after check-in");
  await shoot(remote, "citizen-remote-checked-in.png");

  // 11. Another person's remote ticket whose turn comes before check-in: window 4 serves
  // B001 .. B005 and then calls B007, a walk-in taken after it. Its grace is 1 minute.
  const late = await newPage();
  await late.goto(`${base}/r/town`);
  await late.fill("#id-number", "440304198511200021");
  await late.click("#take");
  await late.waitForURL(/\/t\/town\/\d{4}-\d{2}-\d{2}\/B006\?k=/);
  await late.waitForSelector('#conn[data-state="live"]');
  await late.waitForSelector("#code:not([hidden])");
  check(numberOf(hallq("issue", "town", "estate"), "ticket_issued") === "B007", "the walk-in after B006");
  for (const expected of ["B002", "B003", "B004", "B005", "B007"]) {
    hallq("start", "town", "w4");
    hallq("finish", "town", "w4");
    check(numberOf(hallq("call", "town", "w4"), "ticket_called") === expected, `window 4 did not call ${expected}`);
  }
  await headline(late, "已到号，请尽快签到");
  await detailStarts(late, "请在 ");
  await shoot(late, "citizen-remote-late.png");

  // 12. A booking (预约) of 10:30, checked in at the kiosk (hallq): its ticket's page.
  const booked = hallq("book", "town", "social", day, "10:30", "--id-number", "110105198005121231",
    "--phone", "13900139000", "--person-salt", saltPath);
  check(/^\d{6}$/.test(String(booked.code)), `booking code: ${JSON.stringify(booked)}`);
  hallq("appointments", "checkin", "town", String(booked.code));
  const list = hallq("appointments", "list", "town", "--day", day).bookings;
  const entry = list.find((b) => String(b.code) === String(booked.code));
  check(entry && entry.number, `no ticket for the booking: ${JSON.stringify(list)}`);
  const appointment = await ticketPage(entry.number);
  await appointment.waitForSelector("#kind:not([hidden])");
  check((await appointment.textContent("#kind")) === "预约", "booking kind");
  await detailStarts(appointment, "已签到，");
  await shoot(appointment, "citizen-booking.png");
  await appointment.close();

  // 13. The transferred ticket is served at window 8 and left unrated: the next day offers 补充评价.
  check(numberOf(hallq("call", "town", "w8"), "ticket_called") === moved, `window 8 did not call ${moved}`);
  hallq("start", "town", "w8");
  hallq("finish", "town", "w8");
  await headline(transferred, "已办结");
  await transferred.close();
  await remote.close();

  // 14. A third person's remote ticket: the service's daily quota (2 here) is taken, the engine
  // refuses, the form shows its words.
  const full = await otherPage();
  await full.goto(`${base}/r/town`);
  await full.fill("#id-number", "31010419920815002X");
  await full.click("#take");
  await text(full, "#result", "不动产登记今日网上取号已满（2 个），请到大厅现场取号");
  await shoot(full, "citizen-remote-refused.png");
  await full.close();

  // 15. The error pages a phone can reach, from another address: a link cut short, a token
  // that is not the hall's, then its failed lookups spent: every lookup refused a while (429).
  const error = async (url, words, name) => {
    const p = await otherPage();
    const r = await p.goto(url);
    await text(p, "#error", words);
    await shoot(p, name);
    await p.close();
    return r.status();
  };
  const good = link("A001");
  check(await error(good.slice(0, good.indexOf("?k=") + 8), "链接不完整或有误，请重新扫描号票上的二维码",
    "citizen-error-bad-link.png") === 400, "a malformed link is not 400");
  const forged = `${base}/t/town/${day}/A001?k=${"A".repeat(22)}`;
  check(await error(forged, "找不到这张号票：链接无效，请重新扫描号票上的二维码",
    "citizen-error-not-found.png") === 404, "an unknown token is not 404");
  // [limits] token_failures_burst: 10 failures at once (two spent above), then 10 a minute.
  const spender = await otherPage();
  let spent = 0, status = 404;
  while (status === 404 && spent < 20) {
    status = (await spender.goto(forged)).status();
    ++spent;
  }
  check(status === 429 && spent >= 9, `the address was stopped after ${spent} more lookups (${status})`);
  await text(spender, "#error", "查询失败次数过多，请稍后再试");
  await shoot(spender, "citizen-error-too-many.png");
  await spender.close();

  // 16. B006's grace ran out (the engine drops it at its next heartbeat): 未按时签到.
  await late.waitForFunction(() => document.querySelector("#headline").textContent === "未按时签到，号码已作废",
    null, { timeout: 90000 });
  check(await late.isHidden("#cancel"), "a dropped ticket offers 我不等了");
  await shoot(late, "citizen-remote-dropped.png");
  await late.close();

  // 17. A ticket still waiting at the day's end: its page stays open into the next day.
  const left = numberOf(hallq("issue", "town", "social"), "ticket_issued");
  const lapsing = await ticketPage(left);
  await lapsing.waitForFunction(() => document.body.dataset.state === "waiting");
  return { supplement: moved, lapsing, left };
}

async function nextDay(newPage, { supplement, lapsing, left }, shoot) {
  // 1. The page left open: the engine rolled the day and lapsed the ticket; the gateway, once it
  // has the new day's snapshot, says so on the page (no reload).
  await lapsing.waitForFunction(() => document.querySelector("#headline").textContent === "号码已失效",
    null, { timeout: 30000 });
  await text(lapsing, "#detail", "当日未办理的号码已作废，如需办理请重新取号");
  check(await lapsing.isHidden("#cancel"), "a lapsed ticket offers 我不等了");
  check(await lapsing.isHidden("#footer"), "a lapsed ticket still says to watch for the call");
  await shoot(lapsing, "citizen-lapsed.png");
  // Its link opened again: no longer today's (410), the same words under the hall's name.
  const r = await lapsing.goto(link(left));
  check(r.status() === 410, `yesterday's link answered ${r.status()}`);
  await text(lapsing, "#hall-name", "商家镇便民服务中心");
  await text(lapsing, "#error", "号码已失效");
  await text(lapsing, "#error-detail", "当日未办理的号码已作废，如需办理请重新取号");
  await shoot(lapsing, "citizen-error-expired.png");
  await lapsing.close();

  // The gateway learns of the new day from the restarted engine: until then the link is today's.
  const page = await newPage();
  const deadline = Date.now() + 20000;
  for (;;) {
    await page.goto(link(supplement));
    if (await page.evaluate(() => document.body.dataset.past === "true" || document.body.dataset.past === "1"))
      break;
    check(Date.now() < deadline, `${supplement}'s page is not an earlier day's: ${await page.content()}`);
    await page.waitForTimeout(200);
  }
  await text(page, "#conn", "补充评价");
  await headline(page, "已办结");
  await page.waitForSelector("#rate:not([hidden])");
  await detailStarts(page, `${day} 的业务已办结，办理后 `);
  await shoot(page, "citizen-supplement.png");
  await page.click('#levels .level[data-level="4"]');
  await page.click("#rate-submit");
  await text(page, "#rated", "您的评价：满意");
  await text(page, "#rate-result", "评价已提交，感谢您的评价");
  await shoot(page, "citizen-supplement-rated.png");
}
