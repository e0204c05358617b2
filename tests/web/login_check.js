// The dashboard's login in Debian's Chromium against a hallqd with
// --accounts: the form comes up, a wrong password is refused with a message,
// the viewer gets in and sees the hall live without any action buttons, the
// admin gets in and can act; logging out brings the form back.
//   node login_check.js URL
"use strict";
const path = require("path");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));
const check = (ok, what) => { if (!ok) throw new Error(what); };

async function signIn(page, user, password) {
  await page.waitForSelector("#login:not([hidden])");
  await page.fill("#login-user", user);
  await page.fill("#login-password", password);
  await page.click("#login-form button[type=submit]");
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: "zh-CN" });
    page.setDefaultTimeout(10000);
    await page.goto(process.argv[2] + "/?hall=town");
    await signIn(page, "li", "wrong-password");
    await page.waitForFunction(() => document.querySelector("#login-error").textContent.includes("用户名或密码错误"));
    await signIn(page, "li", "viewer-pass-1");
    await page.waitForSelector('#conn[data-state="live"]');
    check((await page.textContent("#who")).includes("只读"), "viewer not shown");
    check(!(await page.isVisible('tr[data-window="w1"] button[data-act="open"]')), "viewer sees action buttons");
    await page.click("#logout");
    await signIn(page, "zhang", "admin-pass-1");
    await page.waitForSelector('#conn[data-state="live"]');
    await page.click('tr[data-window="w1"] button[data-act="open"]');
    await page.waitForSelector('tr[data-window="w1"].idle');
    console.log("ok");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log("FAILED " + e.message); process.exit(1); });
