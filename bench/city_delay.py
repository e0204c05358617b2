#!/usr/bin/env python3
"""How current the city view's page is: event to page delay (issue 19's province-sized day).

Reads hallq-city's server-sent events (GET /events: the whole city as JSON, at once and then on
every change, as the page's EventSource gets them) until SIGTERM. For every hall whose `seq`
moved since the previous message, the delay is the time the message arrived here minus the
hall's `last_event_us` (when its last event applied happened, by the engine's clock; same machine,
so the same clock). Prints count, p50, p90, p99 and max in ms, and the messages' sizes.

  bench/city_delay.py http://127.0.0.1:8095/events > delays.txt &   ...   kill %1
"""
import json
import signal
import sys
import time
import urllib.request

delays, sizes = [], []
seen = {}


def report(*_):
    delays.sort()
    if not delays:
        print("city view: no hall moved while it was watched")
    else:
        pick = lambda p: delays[min(len(delays) - 1, int(p / 100 * len(delays)))]
        print(f"city view event to page: {len(delays):,} hall updates in {len(sizes):,} messages "
              f"(mean {sum(sizes) / len(sizes) / 1e3:,.0f} kB); delay p50 {pick(50):.0f} ms, "
              f"p90 {pick(90):.0f} ms, p99 {pick(99):.0f} ms, max {delays[-1]:.0f} ms")
    sys.stdout.flush()
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
for _ in range(600):
    try:
        stream = urllib.request.urlopen(sys.argv[1], timeout=3600)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("city view did not answer at " + sys.argv[1])
for raw in stream:
    line = raw.decode()
    if not line.startswith("data:"):
        continue
    now_us = time.time() * 1e6
    sizes.append(len(line))
    for h in json.loads(line[5:])["halls"]:
        if h["seq"] != seen.get(h["id"]) and h.get("last_event_us", 0) > 0:
            if h["id"] in seen:
                delays.append((now_us - h["last_event_us"]) / 1e3)
            seen[h["id"]] = h["seq"]
report()
