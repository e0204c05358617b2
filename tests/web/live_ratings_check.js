// Today's 好评率 / 差评率 on the managers' dashboard in Debian's Chromium
// (Playwright) against a running hallqd (town, staff s01 张敏, s02 李强, s03
// 王芳 configured; no ratings yet), with the ratings made by the hallq CLI:
//   node live_ratings_check.js URL ENGINE_ENDPOINT HALLQ_PATH OUT_DIR
// The expected figures are counted by hand below (好评 = 5 非常满意 + 4 满意,
// 差评 = 2 不满意 + 1 非常不满意, over the visits rated 1..5; 3 基本满意 is
// neither; 0 未评价 is not a rating: engine/stats/README.md).
// Checks: the hall's cards, the windows' columns and the staff table after
// seven visits; the legends say how the rates are counted; one more 差评
// rated while the page is open updates all three live. Prints "name value"
// lines and "ok", or "FAILED ..." and exits 1. A screenshot goes to OUT_DIR.
"use strict";
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const [url, engine, hallqPath, outDir] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const same = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(want), `${what}: ${JSON.stringify(got)}`);

// One social visit at `window` (its clerk logged in already), rated `level` (0: 未评价).
function serveAndRate(window, level) {
  const number = hallq("issue", "town", "social").events.find((e) => e.kind === "ticket_issued").number;
  for (const verb of ["call", "start", "finish"]) hallq(verb, "town", window);
  hallq("evaluate", "town", number, String(level), ...(level === 1 || level === 2 ? ["--reason", "01"] : []));
  return number;
}

// What the page shows: the two cards, each window's 评价/好评率/差评率, the staff table.
async function shown(page) {
  return page.evaluate(() => {
    const text = (sel) => document.querySelector(sel).textContent;
    const win = (id) => ["rated", "good-rate", "bad-rate"].map((c) => text(`#windows tr[data-window="${id}"] td.${c}`));
    const staff = [...document.querySelectorAll("#staff-ratings tbody tr[data-staff]")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent));
    return { good: text("#kpi-satisfaction"), bad: text("#kpi-bad-rate"), w1: win("w1"), w2: win("w2"), w3: win("w3"), staff };
  });
}

(async () => {
  // Before the page: w1 (s01) rates 5, 5, 4, 3; w2 (s02) rates 2; then s03
  // takes over w2 (A/B handover) and its visits rate 4 and 0 (未评价).
  hallq("open", "town", "w1", "--staff", "s01");
  hallq("open", "town", "w2", "--staff", "s02");
  for (const level of [5, 5, 4, 3]) serveAndRate("w1", level);
  serveAndRate("w2", 2);
  hallq("open", "town", "w2", "--staff", "s03");
  serveAndRate("w2", 4);
  serveAndRate("w2", 0);
  // By hand:
  //   w1 / s01: rated 4 (5,5,4,3), 好评 3, 差评 0 -> 75.0%, 0.0%
  //   w2: rated 2 (2,4; the 0 is no rating), 好评 1, 差评 1 -> 50.0%, 50.0%
  //     s02: rated 1 (2): 0.0%, 100.0%;  s03: rated 1 (4): 100.0%, 0.0%
  //   hall: rated 6, 好评 4, 差评 1 -> 66.7%, 16.7%; 未评价 1
  //   w3: no visits -> 0, —, —

  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 }, locale: "zh-CN" });
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url + "/?hall=town");
    await page.waitForSelector('#conn[data-state="live"]');
    await page.waitForFunction(() => document.querySelector("#kpi-bad-rate").textContent !== "—");

    same(await shown(page), {
      good: "66.7%", bad: "16.7%",
      w1: ["4", "75.0%", "0.0%"], w2: ["2", "50.0%", "50.0%"], w3: ["0", "—", "—"],
      staff: [["s01", "张敏", "4", "3", "0", "75.0%", "0.0%"],
              ["s02", "李强", "1", "0", "1", "0.0%", "100.0%"],
              ["s03", "王芳", "1", "1", "0", "100.0%", "0.0%"]],
    }, "figures after seven visits");
    same(await page.textContent("#kpi-ratings"), "评价 6 次（好评 4），未评价 1", "the 好评率 card's line");
    same(await page.textContent("#kpi-bad"), "差评 1 次", "the 差评率 card's line");
    console.log("rates_shown 66.7% 16.7%");

    // The legends: how the rates are counted, on hover.
    const cardTitle = (id) => page.$eval(id, (el) => el.closest(".card").title);
    const goodTitle = await cardTitle("#kpi-satisfaction"), badTitle = await cardTitle("#kpi-bad-rate");
    check(goodTitle.includes("好评 = 非常满意 + 满意") && goodTitle.includes("未评价不计"), `好评率 legend "${goodTitle}"`);
    check(badTitle.includes("差评 = 不满意 + 非常不满意") && badTitle.includes("未评价不计"), `差评率 legend "${badTitle}"`);
    console.log("legends_shown");

    // One more visit at w1 (s01) rated 1 while the page is open, by hand:
    //   w1 / s01: rated 5, 好评 3, 差评 1 -> 60.0%, 20.0%
    //   hall: rated 7, 好评 4, 差评 2 -> 57.1%, 28.6%
    const t0 = Date.now();
    serveAndRate("w1", 1);
    await page.waitForFunction(() => document.querySelector("#kpi-bad-rate").textContent === "28.6%");
    console.log(`live_update_ms ${Date.now() - t0}`);
    const after = await shown(page);
    same([after.good, after.bad, after.w1, after.w2, after.staff[0]],
         ["57.1%", "28.6%", ["5", "60.0%", "20.0%"], ["2", "50.0%", "50.0%"], ["s01", "张敏", "5", "3", "1", "60.0%", "20.0%"]],
         "figures after the 差评");
    await page.locator("#kpis").screenshot({ path: path.join(outDir, "dashboard-ratings.png") });

    check(errors.length === 0, "page errors: " + errors.join("; "));
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
