// Drives the dashboard's 差评工单 panel in Debian's Chromium (Playwright)
// against a hallqd whose simulated day is Tue 2026-03-10 and whose store holds
// A001 (rated 2 on Mon 03-02, due 03-09: overdue) and D001 (rated 1 on Wed
// 03-04, due 03-11: due soon); work_orders_test.cc sets that up and says how
// the dates were counted. Acts on the engine with the hallq CLI and, as a
// second admin, with the HTTP API.
//   node work_orders_check.js URL ENGINE_ENDPOINT HALLQ_PATH OUT_DIR
// Checks: the list with its statuses, counts, overdue banner and title; a
// 差评 rated meanwhile shows on its event; an admin's forms offer only the
// allowed step; a 差评's reasons show as words and a hostile comment and a
// hostile note as text; an over-long note and a step
// raced by another manager show the engine's refusal; callback and
// rectification through the forms are in the API as the admin's, and the
// overdue alert goes; a viewer sees the list without forms, and reads it
// again every minute (checked with the event withheld). Prints
// "name value" lines and "ok", or "FAILED ..." and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const [url, engine, hallqPath, outDir] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };
const BASE_TITLE = "大厅运行监控 · hallq";

// A manager's page. `feed` (the viewer's): the page's clock is Playwright's
// (running, but can be moved on) and its WebSocket goes through the test,
// which drops work-order events while feed.drop is set.
async function signIn(browser, user, password, errors, feed) {
  const page = await (await browser.newContext({ locale: "zh-CN" })).newPage({ viewport: { width: 1700, height: 1200 } });
  page.setDefaultTimeout(10000);
  page.on("pageerror", (e) => errors.push(`${user}: ${e.message}`));
  if (feed) {
    await page.clock.install();
    await page.routeWebSocket(/\/ws\?/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (feed.drop && /"kind":"work_order_/.test(m)) ++feed.dropped; else ws.send(m);
      });
    });
  }
  await page.goto(url + "/?hall=town");
  await page.waitForSelector("#login:not([hidden])");
  await page.fill("#login-user", user);
  await page.fill("#login-password", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector('#conn[data-state="live"]');
  // Console errors once signed in, except the browser's own note on the refused requests (400, 409).
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[09]/.test(m.text())) errors.push(`${user}: ${m.text()}`);
  });
  return page;
}

// The panel's rows as text, field by field.
const rows = (page) => page.$$eval("#work-orders tbody tr[data-ticket]", (trs) => trs.map((tr) => {
  const cell = (c) => tr.querySelector(`td.${c}`).textContent;
  return { ticket: tr.dataset.ticket, status: tr.dataset.status, number: tr.querySelector("td.number b").textContent,
           service: cell("service"), window: cell("window"), staff: cell("staff"), level: cell("level"),
           rated: cell("rated"), due: cell("due"), left: cell("left"), statusName: cell("status"),
           steps: [...tr.querySelectorAll("form.wo-step")].map((f) => f.dataset.step).join(",") };
}));
const row = async (page, number) => (await rows(page)).find((r) => r.number === number);
const counts = (page) => page.$eval(".wo-counts", (el) => [...el.querySelectorAll("b")].map((b) => b.textContent).join(" "));
const sel = (ticket) => `#work-orders tr[data-ticket="${ticket}"]`;
const same = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(want), `${what}: ${JSON.stringify(got)}`);

// Fills and submits an order's form as the page's manager.
async function step(page, ticket, kind, note, reached) {
  const form = `${sel(ticket)} form[data-step="${kind}"]`;
  if (reached !== undefined) await page.check(`${form} input[value="${reached ? "yes" : "no"}"]`);
  await page.fill(`${form} textarea`, note);
  await page.click(`${form} button[type=submit]`);
}

async function apiOrders(page) {
  return page.evaluate(async () => (await (await fetch("/api/halls/town/work-orders")).json()));
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  const errors = [];
  try {
    const page = await signIn(browser, "zhang", "admin-pass-1", errors);

    // 1. The list on Tue 03-10: A001 overdue, D001 due soon, most urgent first.
    await page.waitForFunction(() => document.querySelectorAll("#work-orders tbody tr[data-ticket]").length === 2);
    const [a, d] = await rows(page);
    same([a.number, a.status, a.statusName, a.service, a.window, a.staff, a.level, a.due, a.left, a.steps],
         ["A001", "overdue", "已逾期", "社保医保", "1号", "张敏", "不满意", "2026-03-09", "逾期 1 个工作日", "callback"], "A001");
    check(a.rated.startsWith("03-02 09:0"), `A001 rated at ${a.rated}`);
    same([d.number, d.status, d.statusName, d.service, d.window, d.staff, d.level, d.due, d.left, d.steps],
         ["D001", "due_soon", "即将到期", "户籍证件", "8号", "李强", "非常不满意", "2026-03-11", "1 个工作日", "callback"], "D001");
    check(d.rated.startsWith("03-04 09:0"), `D001 rated at ${d.rated}`);
    same(await counts(page), "0 1 1 0", "counts 处理中 即将到期 已逾期 今日已整改");
    check((await page.textContent("#wo-hint")).includes("2026-03-10"), "the hall's date not in the panel");
    // The overdue alert: banner, title, the row marked.
    check(await page.isVisible("#wo-banner"), "no overdue banner");
    check((await page.textContent("#wo-banner")).includes("1 张差评工单已逾期"), "banner without the count");
    same(await page.title(), `【1 张工单逾期】${BASE_TITLE}`, "title");
    same(await page.$eval(`${sel(a.ticket)} td.status`, (td) => getComputedStyle(td).color), "rgb(255, 92, 92)",
         "overdue status colour");
    console.log(`listed A001 ${a.status} ${a.left}; D001 ${d.status} ${d.left}`);

    // 2. A 差评 rated now shows on its event: E001 due Tue 03-17, open.
    hallq("open", "town", "w9", "--staff", "s09");
    const e001 = hallq("issue", "town", "civil").events.find((e) => e.kind === "ticket_issued").number;
    check(e001 === "E001", `civil ticket ${e001}`);
    for (const verb of ["call", "start", "finish"]) hallq(verb, "town", "w9");
    const t0 = Date.now();
    // Rated with two reasons and a comment that is markup (the citizen's text).
    const comment = '<img src=x onerror="window.__xss=2">等了两个小时 & "没人解释"';
    hallq("evaluate", "town", "E001", "2", "--reason", "02", "--reason", "08", "--comment", comment);
    await page.waitForFunction(() => [...document.querySelectorAll("#work-orders td.number b")].some((b) => b.textContent === "E001"),
                               null, { timeout: 5000 });
    console.log(`new_order_visible_ms ${Date.now() - t0}`);
    const e = await row(page, "E001");
    same([e.status, e.statusName, e.service, e.window, e.staff, e.due, e.left], ["open", "处理中", "民政残联", "9号", "王芳", "2026-03-17", "5 个工作日"], "E001");
    // Why: the level, the reasons as the hall's words for codes 02 and 08
    // (engine/core/evaluation_config.cc's default list), the comment as text.
    const why = await page.$eval(`${sel(e.ticket)} td.level`, (td) => ({
      level: td.querySelector(".level-name").textContent,
      reasons: [...td.querySelectorAll(".reason")].map((r) => `${r.dataset.code}=${r.textContent}`),
      comment: td.querySelector(".comment q").textContent }));
    same(why, { level: "不满意", reasons: ["02=办事效率低、等候时间长", "08=其他"], comment }, "E001's why");
    same(await page.$$eval("#work-orders img", (x) => x.length), 0, "images in the panel");
    same(await page.evaluate(() => window.__xss), undefined, "window.__xss after the comment");
    same([a.level, d.level], ["不满意", "非常不满意"], "orders rated without reasons or comment");
    console.log(`why_shown ${why.reasons.join(",")} comment_as_text`);
    same((await rows(page)).map((r) => r.number), ["A001", "D001", "E001"], "order of the list");
    same(await counts(page), "1 1 1 0", "counts with E001");
    await page.screenshot({ path: path.join(outDir, "dashboard-work-orders.png"), fullPage: true });

    // 3. A viewer sees the list and the alert, without forms.
    const feed = { drop: false, dropped: 0 };
    const viewer = await signIn(browser, "li", "viewer-pass-1", errors, feed);
    await viewer.waitForFunction(() => document.querySelectorAll("#work-orders tbody tr[data-ticket]").length === 3);
    check(await viewer.isVisible("#wo-banner"), "the viewer has no overdue banner");
    same(await viewer.$$eval("#work-orders form, #work-orders textarea, #work-orders button", (x) => x.length), 0, "viewer's forms");
    same(await viewer.textContent(`${sel(e.ticket)} td.level .comment q`), comment, "the comment on the viewer's page");
    console.log("viewer_no_forms 3 orders");

    // 4. A callback not reached, with a note that is markup: shown as text, never run.
    const hostile = '<img src=x onerror="window.__xss=1">电话无人接听';
    await step(page, a.ticket, "callback", hostile, false);
    await page.waitForSelector("#wo-result.ok");
    await page.waitForSelector(`${sel(a.ticket)} td.callbacks li.unreached`);
    same(await page.textContent(`${sel(a.ticket)} td.callbacks li .note`), hostile, "the note as shown");
    same(await page.$$eval("#work-orders img", (x) => x.length), 0, "images in the panel");
    same(await page.evaluate(() => window.__xss), undefined, "window.__xss");
    same((await row(page, "A001")).steps, "callback,rectification", "A001's steps after a callback not reached");
    console.log(`hostile_note_as_text ${hostile}`);

    // 5. An over-long note: the engine's refusal as it words it, nothing recorded.
    await step(page, a.ticket, "callback", "字".repeat(501), true);
    await page.waitForSelector("#wo-result.error");
    const tooLong = await page.textContent("#wo-result");
    check(tooLong.includes("回访记录过长（501 字，最多 500 字）"), `over-long note refused as "${tooLong}"`);
    same((await apiOrders(page)).orders.find((o) => o.number === "A001").callbacks.length, 1, "callbacks after the refusal");
    console.log(`over_long_refused ${tooLong}`);

    // 6. Reached, then the rectification: the order closes and the overdue alert goes.
    await step(page, a.ticket, "callback", "已致歉，说明了办理所需材料", true);
    await page.waitForSelector(`${sel(a.ticket)} td.callbacks li.reached`);
    same((await row(page, "A001")).steps, "rectification", "A001's steps once reached");
    await step(page, a.ticket, "rectification", "窗口一次性告知材料清单，张敏已培训");
    await page.waitForSelector(`${sel(a.ticket)}[data-status="closed"]`);
    await page.waitForSelector("#wo-banner", { state: "hidden" });
    same(await page.title(), BASE_TITLE, "title with none overdue");
    same(await counts(page), "1 1 0 1", "counts after the rectification");
    const closed = await row(page, "A001");
    same([closed.statusName, closed.left, closed.steps], ["已整改", "—", ""], "A001 closed");
    same((await rows(page)).map((r) => r.number), ["D001", "E001", "A001"], "order after closing");
    await viewer.waitForSelector("#wo-banner", { state: "hidden" });
    same(await viewer.textContent(`${sel(a.ticket)} td.callbacks li .note`), hostile, "the note on the viewer's page");
    console.log(`banner_gone title ${await page.title()}`);
    // The API has both steps as zhang's.
    const o = (await apiOrders(page)).orders.find((x) => x.number === "A001");
    same(o.callbacks.map((c) => [c.by, c.reached, c.note]),
         [["zhang", false, hostile], ["zhang", true, "已致歉，说明了办理所需材料"]], "A001's callbacks in the API");
    same([o.status, o.rectified_by, o.rectification], ["closed", "zhang", "窗口一次性告知材料清单，张敏已培训"], "A001's rectification in the API");
    console.log(`closed_by ${o.rectified_by}`);

    // 7. A step raced by another manager: this page still offers D001's callback
    // (its reads held back) when wang records one that reached the citizen.
    // The viewer's page does not get the event (dropped).
    feed.drop = true;
    let hold = true;
    const held = [];
    await page.route(/\/work-orders$/, (route) => (hold ? held.push(route) : route.continue()));
    const other = await signIn(browser, "wang", "admin-pass-2", errors);
    const status = await other.evaluate(async (ticket) => {
      const s = await (await fetch("/api/session")).json();
      const r = await fetch(`/api/halls/town/work-orders/${ticket}/callback`, {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf },
        body: JSON.stringify({ reached: true, note: "已电话联系，解释了办理时限" }) });
      return r.status;
    }, d.ticket);
    same(status, 200, "wang's callback");
    await step(page, d.ticket, "callback", "已联系", true);
    await page.waitForFunction(() => document.querySelector("#wo-result.error")?.textContent.includes("D001"));
    const raced = await page.textContent("#wo-result");
    check(raced.includes(`差评工单 ${d.ticket}（D001）已回访联系上，请记录整改`), `raced step refused as "${raced}"`);
    hold = false;
    for (const r of held) await r.continue();
    await page.unroute(/\/work-orders$/);
    await page.waitForSelector(`${sel(d.ticket)} td.callbacks li.reached`);
    check((await page.textContent(`${sel(d.ticket)} td.callbacks`)).includes("wang"), "wang's callback not shown");
    same((await row(page, "D001")).steps, "rectification", "D001's steps after wang's callback");
    same((await apiOrders(page)).orders.find((x) => x.number === "D001").callbacks.map((c) => c.by), ["wang"], "D001's callbacks");
    console.log(`race_refused ${raced}`);
    // 8. The viewer's page, without the event, has it after its minute's read.
    check(feed.dropped >= 1, "no work-order event was dropped");
    same(await viewer.textContent(`${sel(d.ticket)} td.callbacks`), "未回访", "the viewer's D001 before its minute");
    await viewer.clock.fastForward("01:00");
    await viewer.waitForSelector(`${sel(d.ticket)} td.callbacks li.reached`);
    console.log(`minute_refresh dropped ${feed.dropped} event(s)`);
    await page.locator("#work-orders-panel").screenshot({ path: path.join(outDir, "dashboard-work-orders-panel.png") });

    check(errors.length === 0, "page errors: " + errors.join("; "));
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
