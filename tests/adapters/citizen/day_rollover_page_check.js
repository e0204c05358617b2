// Drives the ticket page across the day's end in Debian's Chromium (Playwright)
// at a phone's size against a running hallq-citizen whose engine the caller
// restarts on later days:
//   node day_rollover_page_check.js SPEC_JSON OUT_DIR
// SPEC_JSON: {"lapsing", "rate", "late": the QR links of a ticket left
// waiting, of two finished unrated ones; "hall_name", "lapsed_headline",
// "lapsed_detail", "already_rated", "too_late": the words expected}.
// It talks with the caller over its stdout and stdin: it prints "restart"
// when the engine is to move on and waits for a line "restarted" (twice: to
// the next day, then to the first day past the hall's supplement_days).
//   day 1: the waiting ticket's page is open and live.
//   day 2: that page says 号码已失效 and why by itself (no reload); reloaded,
//     the link answers 410 with the same words under the hall's name. The
//     first finished ticket's page offers 补充评价; 不满意 with the first and
//     third reasons and a comment is taken; the form forced back and sent
//     again shows the engine's refusal. The second one's page is opened
//     (offering 补充评价) and left open.
//   day 3: that page's 提交评价 shows the engine's refusal (too late);
//     reloaded, the link answers 410: too late, under the hall's name.
// Prints "name value" lines and "ok", exits 0; else "FAILED: ..." and 1.
"use strict";
const path = require("path");
const readline = require("readline");
const { launchPhone } = require("./phone");

const spec = JSON.parse(process.argv[2]);
const outDir = process.argv[3];
const check = (ok, what) => { if (!ok) throw new Error(what); };
const input = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// Asks the caller to move the engine on, and waits until it has.
async function restart() {
  console.log("restart");
  const line = await input.next();
  check(!line.done && line.value === "restarted", `the caller answered ${JSON.stringify(line)}`);
}

// Waits until `selector`'s text is `value`; fails naming what it was instead.
async function text(page, selector, value, timeout = 10000) {
  try {
    await page.waitForFunction(([s, v]) => {
      const e = document.querySelector(s);
      return e !== null && e.textContent === v;
    }, [selector, value], { timeout });
  } catch (e) {
    const was = await page.evaluate((s) => {
      const x = document.querySelector(s);
      return x === null ? "(none)" : x.textContent;
    }, selector);
    throw new Error(`${selector}: expected "${value}", was "${was}"`);
  }
}

// The error page of a link: its status, the hall it names, its words.
async function errorPage(page, response, status, detail) {
  check(response.status() === status, `the link answered ${response.status()}, not ${status}`);
  await text(page, "#hall-name", spec.hall_name);
  await text(page, "#error", spec.lapsed_headline);
  await text(page, "#error-detail", detail);
  check(await page.$("#rate") === null, "an error page offers a rating");
}

(async () => {
  const { browser, context } = await launchPhone(1.5);
  try {
    const errors = [];
    const newPage = async () => {
      const p = await context.newPage();
      p.setDefaultTimeout(10000);
      p.on("pageerror", (e) => errors.push(e.message));
      p.on("console", (m) => {
        // Refusals (409) and links of an earlier day (410) are logged as failed resources: expected.
        if (m.type() === "error" && !/\b(409|410)\b/.test(m.text())) errors.push(m.text());
      });
      return p;
    };

    // Day 1: a ticket waiting, its page live.
    const lapsing = await newPage();
    await lapsing.goto(spec.lapsing);
    await lapsing.waitForSelector('#conn[data-state="live"]');
    await lapsing.waitForFunction(() => document.body.dataset.state === "waiting");
    const number = await lapsing.textContent("#number");
    console.log(`day1 ${number} ${await lapsing.textContent("#headline")}`);
    await restart();

    // Day 2, (a): the page left open says its number lapsed, by itself.
    await text(lapsing, "#headline", spec.lapsed_headline, 30000);
    await text(lapsing, "#detail", spec.lapsed_detail);
    check(await lapsing.textContent("#number") === number, "the page shows another number");
    check(await lapsing.isHidden("#cancel"), "a lapsed ticket offers 我不等了");
    check(await lapsing.isHidden("#footer"), "a lapsed ticket still says to watch for the call");
    console.log(`lapsed ${await lapsing.textContent("#headline")}|${await lapsing.textContent("#detail")}`);
    await lapsing.screenshot({ path: path.join(outDir, "rollover-lapsed.png") });
    // Reloaded: the same words, as the link's 410 page under the hall's name.
    await errorPage(lapsing, await lapsing.reload(), 410, spec.lapsed_detail);
    console.log(`reloaded 410 ${await lapsing.textContent("#hall-name")}|` +
      `${await lapsing.textContent("#error")}|${await lapsing.textContent("#error-detail")}`);
    await lapsing.screenshot({ path: path.join(outDir, "rollover-lapsed-reloaded.png") });
    await lapsing.close();

    // Day 2, (b): 补充评价 of the first finished ticket, a 差评 with reasons.
    const rate = await newPage();
    await rate.goto(spec.rate);
    check(await rate.evaluate(() => document.body.dataset.past) === "1", "not an earlier day's page");
    await text(rate, "#conn", "补充评价");
    await rate.waitForSelector("#rate:not([hidden])");
    await rate.click('#levels .level[data-level="2"]');
    await rate.waitForSelector("#reasons-box:not([hidden])");
    const boxes = await rate.$$("#reasons input[type=checkbox]");
    check(boxes.length >= 3, "fewer than three reasons");
    await boxes[0].check();
    await boxes[2].check();
    console.log(`chosen ${await rate.$$eval("#reasons input:checked", (bs) => bs.map((b) => b.value).join(","))}`);
    await rate.fill("#comment", "第二天才想起来评价：材料清单没有写清楚");
    await rate.click("#rate-submit");
    await text(rate, "#rated", "您的评价：不满意");
    check(await rate.isHidden("#rate"), "the form still offered once rated");
    console.log(`rated ${await rate.textContent("#rated")}`);
    await rate.screenshot({ path: path.join(outDir, "rollover-supplement-rated.png") });
    // The form forced back (a phone that kept an old copy) and sent again: the engine refuses.
    await rate.evaluate(() => { document.getElementById("rate").hidden = false; });
    await rate.click('#levels .level[data-level="5"]');
    await rate.click("#rate-submit");
    await text(rate, "#rate-result", spec.already_rated);
    check(await rate.isHidden("#rate"), "the form offered after the refusal");
    console.log(`refused ${await rate.textContent("#rate-result")}`);
    await rate.close();

    // The second finished ticket's page, open on 补充评价 into a later day.
    const late = await newPage();
    await late.goto(spec.late);
    await late.waitForSelector("#rate:not([hidden])");
    console.log(`offered ${await late.textContent("#number")}`);
    await restart();

    // Day 3, (c): past the supplement days. The open page's 提交评价: the engine's refusal.
    await late.click('#levels .level[data-level="5"]');
    await late.click("#rate-submit");
    await text(late, "#rate-result", spec.too_late);
    check(await late.isHidden("#rated"), "the page shows a rating");
    console.log(`too_late ${await late.textContent("#rate-result")}`);
    // Reloaded: the link's 410 page says it is too late, under the hall's name.
    await errorPage(late, await late.reload(), 410, spec.too_late);
    console.log(`reloaded 410 ${await late.textContent("#hall-name")}|` +
      `${await late.textContent("#error")}|${await late.textContent("#error-detail")}`);
    await late.screenshot({ path: path.join(outDir, "rollover-too-late.png") });

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().then(() => process.exit(0), (e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
