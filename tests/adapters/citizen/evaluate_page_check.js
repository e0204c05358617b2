// Drives 好差评 on the citizen's ticket page in Debian's Chromium (Playwright)
// at a phone's size against a running hallq-citizen:
//   node evaluate_page_check.js URL OUT_DIR
// URL is the QR link of a finished, unrated ticket. Checks: the page offers
// the five levels by their names; 不满意 opens the hall's reasons and a
// comment box; ticking the first and third reason with a comment and
// submitting shows "您的评价：不满意" and offers nothing more; a second page
// of the same ticket opened before the rating follows it live; forced to
// show its form again (a phone that missed the update) and submitted, it
// shows the engine's refusal. Prints "name value" lines and "ok", exits 0;
// else prints the failure and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { launchPhone } = require("./phone");

const [url, outDir] = process.argv.slice(2);
const check = (ok, what) => { if (!ok) throw new Error(what); };

(async () => {
  const { browser, context } = await launchPhone(2);
  try {
    const errors = [];
    const watch = (page) => {
      page.setDefaultTimeout(10000);
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        // The refused POST of step 3 is logged by the browser as a failed resource: expected.
        if (m.type() === "error" && !m.text().includes("409")) errors.push(m.text());
      });
    };

    // 1. The finished ticket's page offers the five levels.
    const page = await context.newPage();
    watch(page);
    await page.goto(url);
    await page.waitForSelector('#conn[data-state="live"]');
    await page.waitForSelector("#rate:not([hidden])");
    const levels = await page.$$eval("#levels .level", (bs) => bs.map((b) => b.textContent));
    console.log(`levels ${levels.join(",")}`);
    check(levels.join(",") === "非常满意,满意,基本满意,不满意,非常不满意", "the five levels");
    check(await page.$eval("#reasons-box", (b) => b.hidden), "reasons shown before a 差评");
    const other = await context.newPage();  // the same ticket, opened before the rating
    watch(other);
    await other.goto(url);
    await other.waitForSelector("#rate:not([hidden])");

    // 2. 不满意: the reasons; tick the first and the third, add a comment, submit.
    await page.click('#levels .level[data-level="2"]');
    await page.waitForSelector("#reasons-box:not([hidden])");
    const reasons = await page.$$eval("#reasons label", (ls) => ls.map((l) => l.textContent.trim()));
    console.log(`reasons ${reasons.join("|")}`);
    const boxes = await page.$$("#reasons input[type=checkbox]");
    check(boxes.length >= 3, "fewer than three reasons");
    await boxes[0].check();
    await boxes[2].check();
    const codes = await page.$$eval("#reasons input:checked", (bs) => bs.map((b) => b.value));
    console.log(`chosen ${codes.join(",")}`);
    await page.fill("#comment", "窗口人员态度冷淡，\n材料清单没有写清楚");
    await page.screenshot({ path: path.join(outDir, "citizen-rate.png") });
    await page.click("#rate-submit");
    await page.waitForSelector("#rated:not([hidden])");
    const rated = await page.textContent("#rated");
    console.log(`rated ${rated}`);
    check(rated === "您的评价：不满意", "rated text");
    check(await page.$eval("#rate", (r) => r.hidden), "the form still offered");
    console.log(`result ${await page.textContent("#rate-result")}`);
    await page.screenshot({ path: path.join(outDir, "citizen-rated.png") });

    // 3. The other page follows live; its form forced back, a second rating is refused.
    await other.waitForSelector("#rated:not([hidden])");
    check(await other.$eval("#rate", (r) => r.hidden), "the other page still offers the form");
    console.log(`live_rated ${await other.textContent("#rated")}`);
    await other.evaluate(() => { document.getElementById("rate").hidden = false; });
    await other.click('#levels .level[data-level="5"]');
    await other.click("#rate-submit");
    await other.waitForFunction(() => document.querySelector("#rate-result").textContent !== "");
    const refusal = await other.textContent("#rate-result");
    console.log(`refused ${refusal}`);
    check(await other.$eval("#rate", (r) => r.hidden), "the form offered after the refusal");
    await other.screenshot({ path: path.join(outDir, "citizen-rate-refused.png") });

    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAILED: ${e.message}`);
  process.exit(1);
});
