// The remote-ticket page (网上取号): sends the form to /api/remote as JSON
// and, once the ticket is taken, opens its live ticket page; a refusal is
// shown as the gateway words it. The ID number goes nowhere else.
"use strict";
(function () {
  const form = document.getElementById("remote");
  const result = document.getElementById("result");
  const take = document.getElementById("take");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    take.disabled = true;
    result.textContent = "正在取号…";
    try {
      const r = await fetch("/api/remote", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
        body: JSON.stringify({
          hall: form.dataset.hall,
          service: document.getElementById("service").value,
          id_number: document.getElementById("id-number").value.trim(),
          phone: document.getElementById("phone").value.trim(),
        }),
      });
      const j = await r.json();
      if (r.ok && j.link) {
        result.textContent = "取号成功：" + j.number;
        const u = new URL(j.link, location.href), p = u.pathname.split("/").filter(Boolean);
        window.hallqTickets.remember({ hall: p[1], date: p[2], number: p[3], k: u.searchParams.get("k") });
        location.assign(j.link);
        return;
      }
      result.textContent = j.message || "取号失败，请稍后再试";
    } catch (err) {
      result.textContent = "网络不通，请稍后再试";
    }
    take.disabled = false;
  });
})();
