// The remote tickets this phone took (网上取号), remembered in localStorage so
// that the check-in page (/c/HALL, opened from the hall screen's QR code) can
// list them: [{hall, date, number, k}] of one day only (an older day's are
// dropped when a new one is remembered). Nothing but these four words is kept.
"use strict";
window.hallqTickets = {
  key: "hallq.remote",
  list() {
    try {
      const v = JSON.parse(localStorage.getItem(this.key) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  },
  remember(t) {
    if (!t.hall || !t.date || !t.number || !t.k) return;
    const all = this.list().filter((x) => x.date === t.date && !(x.hall === t.hall && x.number === t.number));
    all.push({ hall: t.hall, date: t.date, number: t.number, k: t.k });
    try { localStorage.setItem(this.key, JSON.stringify(all)); } catch (e) { /* private mode: not kept */ }
  },
};
