// The citizen's phone for the page checks: Debian's Chromium (HALLQ_CHROMIUM
// overrides it) with a 390×844 touch screen in Chinese, as every check opens it.
// launchPhone(scale) -> { browser, context }; the caller closes the browser.
const path = require("path");
const { chromium } = require(path.join(process.env.HALLQ_WEB_MODULES, "playwright-core"));

async function launchPhone(deviceScaleFactor) {
  const browser = await chromium.launch({
    executablePath: process.env.HALLQ_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--lang=zh-CN"],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor, isMobile: true, hasTouch: true, locale: "zh-CN",
    });
    return { browser, context };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

module.exports = { launchPhone };
