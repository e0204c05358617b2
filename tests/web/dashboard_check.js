// Drives the managers' dashboard in Debian's Chromium (Playwright) against a
// running hallqd, and acts on the engine with the hallq CLI:
//   node dashboard_check.js URL ENGINE_ENDPOINT HALLQ_PATH OUT_DIR PERSON_SALT
// Checks: the page loads and goes live; a call made with hallq shows on the
// page within a second; an advisory shows with an accept button and clicking
// it changes the engine; a notice typed on the page reaches the engine; a
// history query renders; a device reported out (a kiosk's printer) shows as a
// warning in the 设备 panel and returns to ok; a booking made and checked in
// with hallq shows in the 今日预约 panel's counts and slot. Prints "name value" lines (call_visible_ms ...) and
// exits 0, or prints the failure and exits 1. Screenshots go to OUT_DIR.
"use strict";
const path = require("path");
const { execFileSync } = require("child_process");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

const [url, engine, hallqPath, outDir, salt] = process.argv.slice(2);
const hallq = (...args) => JSON.parse(execFileSync(hallqPath, ["--json", "--engine", engine, ...args]).toString().split("\n")[0]);
const check = (ok, what) => { if (!ok) throw new Error(what); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 }, locale: "zh-CN" });
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Console errors, except the browser's own note on the refused request of step 5.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().includes("status of 400")) errors.push(m.text());
    });

    // 1. The page loads and goes live.
    await page.goto(url + "/?hall=town");
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
    check((await page.textContent("#hall-name")).includes("商家镇便民服务中心"), "hall name not shown");

    // 2. A call made with hallq shows within a second.
    hallq("open", "town", "w1", "--staff", "s01");
    hallq("issue", "town", "social");
    const cell = 'tr[data-window="w1"] td.current';
    await page.waitForFunction((sel) => document.querySelector(sel) && document.querySelector(sel).textContent === "—", cell);
    const t0 = Date.now();
    const called = hallq("call", "town", "w1");
    const number = called.events.find((e) => e.kind === "ticket_called").number;
    await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent === n, [cell, number], { timeout: 1000 });
    console.log(`call_visible_ms ${Date.now() - t0}`);
    await page.waitForFunction(() => document.querySelector("#events li[data-kind='ticket_called']"));

    // 3. An advisory: a queue the open windows cannot serve within the target.
    hallq("open", "town", "w5", "--staff", "s05");
    for (let i = 0; i < 20; ++i) hallq("issue", "town", "social");
    await page.waitForSelector("#advisories button.accept", { timeout: 15000 });
    await page.screenshot({ path: path.join(outDir, "dashboard.png"), fullPage: true });
    const advice = hallq("status", "town").advisories[0];
    check(advice && advice.service === "social", "no social advisory in the engine");
    const before = hallq("status", "town").services.find((s) => s.id === "social").open_windows;
    await page.click(`#advisories button.accept[data-advisory="${advice.id}"]`);
    await page.waitForSelector("#action-result.ok", { timeout: 5000 });
    const after = hallq("status", "town").services.find((s) => s.id === "social").open_windows;
    check(after > before, `accepting did not add a window to social (${before} -> ${after})`);
    await page.waitForSelector(`tr[data-window="${advice.window}"]:not(.closed)`);
    console.log(`advisory_accepted ${advice.id} window ${advice.window} social_windows ${before}->${after}`);

    // 4. A notice typed on the page reaches the engine (and the screens).
    await page.fill("#notice-text", "下午两点后暂停受理不动产业务");
    await page.click("#notice-send");
    await page.waitForSelector("#action-result.ok", { timeout: 5000 });
    check(hallq("status", "town").notice === "下午两点后暂停受理不动产业务", "notice not in the engine");

    // 5. Window actions from the page: open a closed window, then close it;
    // a refused action shows the engine's reason and changes nothing.
    const closed = await page.$eval("#windows tbody tr.closed", (tr) => tr.dataset.window);
    await page.fill("#staff-id", "s09");
    await page.click(`tr[data-window="${closed}"] button[data-act="open"]`);
    await page.waitForSelector(`tr[data-window="${closed}"].idle`, { timeout: 5000 });
    check(hallq("status", "town").windows.find((w) => w.id === closed).staff === "s09", "window not opened by s09");
    await page.click(`tr[data-window="${closed}"] button[data-act="close"]`);
    await page.waitForSelector(`tr[data-window="${closed}"].closed`, { timeout: 5000 });
    // The engine may add its own advisories meanwhile (inside opening hours), so
    // what the refused notice could have changed is compared, not the seq.
    const hallState = (st) => JSON.stringify({ notice: st.notice, windows: st.windows });
    const beforeRefusal = hallState(hallq("status", "town"));
    await page.fill("#notice-text", "响铃\u0007字符");
    await page.click("#notice-send");
    await page.waitForSelector("#action-result.error", { timeout: 5000 });
    check((await page.textContent("#action-result")).startsWith("未执行："), "no refusal shown");
    check(hallState(hallq("status", "town")) === beforeRefusal, "a refused notice changed the hall");

    // 6. History: today's figures by day, with the tables.
    await page.click("#history-go");
    await page.waitForFunction(() => document.querySelector("#history-status").textContent.includes("共"));
    const rows = await page.$$eval("#history-services tbody tr", (trs) => trs.length);
    check(rows === 7, `history by service has ${rows} rows`);
    await page.waitForFunction(() => document.querySelector("#kpi-issued").textContent === "21");
    await page.screenshot({ path: path.join(outDir, "dashboard-history.png"), fullPage: true });

    // 7. Devices: a kiosk's printer out of paper is a warning in the 设备 panel; back, it is ok.
    const device = '#devices li[data-device="kiosk-town"]';
    hallq("device", "town", "kiosk-town", "paper_out", "--detail", "roll paper end");
    await page.waitForSelector(`${device}.warn`, { timeout: 5000 });
    const warned = await page.textContent(device);
    check(warned.includes("kiosk-town") && warned.includes("打印机") && warned.includes("缺纸"), `device shown as "${warned}"`);
    const color = await page.$eval(device, (li) => getComputedStyle(li).color);
    check(color === "rgb(255, 92, 92)", `a device out is not in the warning colour (${color})`);
    await page.locator("#alerts-panel").screenshot({ path: path.join(outDir, "dashboard-devices.png") });
    hallq("device", "town", "kiosk-town", "ok");
    await page.waitForSelector(`${device}.ok`, { timeout: 5000 });
    check((await page.textContent(device)).includes("正常"), "device back not shown as 正常");
    await page.waitForSelector("#events li[data-kind='device_reported']");
    console.log(`device_warning ${warned}`);
    // 8. Appointments: social takes bookings (the test's config); one booked
    // with hallq for the next half-hour slot, then checked in.
    const appt = (field) => page.textContent(`#appointments tr[data-service="social"] td.${field}`);
    await page.waitForSelector('#appointments tr[data-service="social"]');
    check((await appt("booked")) === "0", "a booking before any was made");
    const local = new Date(Date.now() + 8 * 3600 * 1000);  // the hall's time (UTC+8)
    const current = Math.floor((local.getUTCHours() * 60 + local.getUTCMinutes()) / 30) * 30;
    const next = current + 30 < 24 * 60 ? current + 30 : current;  // both within the check-in margins
    const slot = `${String(Math.floor(next / 60)).padStart(2, "0")}:${String(next % 60).padStart(2, "0")}`;
    const day = local.toISOString().slice(0, 10);
    const booked = hallq("book", "town", "social", day, slot, "--id-number", "11010519491231002X",
                         "--person-salt", salt);
    const code = booked.events.find((e) => e.kind === "booking_made").booking;
    await page.waitForFunction(() => document.querySelector('#appointments tr[data-service="social"] td.booked')?.textContent === "1");
    check((await appt("slots")).includes(`${slot} 1/2`), `slot shown as "${await appt("slots")}"`);
    hallq("appointments", "checkin", "town", String(code));
    await page.waitForFunction(() => document.querySelector('#appointments tr[data-service="social"] td.checked-in')?.textContent === "1");
    check((await appt("show-up")) === "100.0%", `show-up rate shown as "${await appt("show-up")}"`);
    await page.locator("#appointments-panel").screenshot({ path: path.join(outDir, "dashboard-appointments.png") });
    console.log(`appointment_shown ${slot} code ${code}`);

    check(errors.length === 0, "page errors: " + errors.join("; "));
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
