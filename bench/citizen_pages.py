#!/usr/bin/env python3
"""Many citizens' live ticket pages on one hallq-citizen, and how fast a call reaches them.

Opens PAGES server-sent-event streams (/events?hall=&date=&number=&k=, as the
ticket page's EventSource does) spread over the given tickets, each stream
from its own X-Forwarded-For address group (the gateway trusts 127.0.0.1 as
its proxy), waits until every page has its ticket's first JSON, then makes
ROUNDS calls at the window (`hallq call`, then start and finish), one every
PACE seconds, and records when each page receives its next message after a
call was sent: event-to-page latency as the citizen's phone would see it
(including the hallq process's start, so a little above the engine's own
time). Tokens are computed here with Python's hmac from the ticket secret
(keys/ticket_token.h's formula), not by the code under test.

Prints one JSON object: pages opened, refused, the latencies (p50, p99, max,
count of page updates measured, from the moment `hallq call` was started),
each round's p99, each `hallq call`'s own time from its start to its exit
(the process's start and the engine's answer: the part of the latency that
is not the gateway's), and the page updates missing (pages of a ticket not
yet served that got no message within the round).

usage: citizen_pages.py --port P --hall H --date D --secret FILE --numbers FILE
       --pages N --hallq PATH --engine EP --window W [--rounds R] [--pace S]
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import resource
import subprocess
import sys
import time


def token(secret: bytes, hall: str, date: str, number: str) -> str:
    mac = hmac.new(secret, f"{hall}|{date}|{number}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


class Page:
    def __init__(self, number):
        self.number = number
        self.arrivals = []  # monotonic times of the messages received
        self.first = asyncio.get_event_loop().create_future()
        self.refused = None


async def open_page(page, port, path, address):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        page.refused = f"connect: {e}"
        page.first.set_result(False)
        return
    writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                  f"X-Forwarded-For: {address}\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        page.refused = status.decode(errors="replace").strip()
        page.first.set_result(False)
        writer.close()
        return
    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
        pass  # headers
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                page.arrivals.append(time.monotonic())
                if not page.first.done():
                    page.first.set_result(True)
    finally:
        if not page.first.done():
            page.first.set_result(False)
        writer.close()


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def main():
    ap = argparse.ArgumentParser()
    for name in ("--hall", "--date", "--secret", "--numbers", "--hallq", "--engine", "--window"):
        ap.add_argument(name, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--pace", type=float, default=2.0)
    ap.add_argument("--per-address", type=int, default=20)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    secret = open(a.secret, "rb").read()
    numbers = open(a.numbers).read().split()
    pages = []
    tasks = []
    opened_at = time.monotonic()
    for i in range(a.pages):
        number = numbers[i % len(numbers)]
        k = token(secret, a.hall, a.date, number)
        path = f"/events?hall={a.hall}&date={a.date}&number={number}&k={k}"
        group = i // a.per_address
        address = f"10.{group // 65536 % 256}.{group // 256 % 256}.{group % 256}"
        page = Page(number)
        pages.append(page)
        tasks.append(asyncio.create_task(open_page(page, a.port, path, address)))
        if i % 200 == 199:
            await asyncio.sleep(0)  # let earlier connections proceed
    firsts = await asyncio.gather(*(p.first for p in pages))
    opened = sum(1 for ok in firsts if ok)
    open_s = time.monotonic() - opened_at
    refused = [p.refused for p in pages if p.refused]

    latencies, missing, round_p99, cli_ms = [], 0, [], []
    for r in range(a.rounds):
        before = {id(p): len(p.arrivals) for p in pages}
        sent = time.monotonic()
        proc = await asyncio.create_subprocess_exec(a.hallq, "--engine", a.engine, "call", a.hall, a.window,
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = await proc.communicate()
        cli_ms.append((time.monotonic() - sent) * 1000)
        if proc.returncode != 0:
            print(f"citizen_pages: hallq call failed: {err.decode(errors='replace')}", file=sys.stderr)
            break
        await asyncio.sleep(a.pace)
        this_round = []
        served = set(numbers[:r])  # called in earlier rounds: finished, their pages final
        for p in pages:
            if p.refused or p.number in served:
                continue
            new = p.arrivals[before[id(p)]:]
            if new:
                this_round.append((new[0] - sent) * 1000)
            else:
                missing += 1
        latencies += this_round
        round_p99.append(percentile(this_round, 0.99))
        for verb in ("start", "finish"):  # the called citizen served, before the next call
            proc = await asyncio.create_subprocess_exec(a.hallq, "--engine", a.engine, verb, a.hall, a.window,
                                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            await proc.wait()
        await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    print(json.dumps({
        "pages": a.pages, "opened": opened, "refused": len(refused), "refusal_example": refused[:1],
        "open_seconds": round(open_s, 2), "rounds": len(round_p99),
        "updates_measured": len(latencies), "updates_missing": missing,
        "p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "round_p99_ms": [round(x, 1) for x in round_p99 if x is not None],
        "hallq_call_ms": [round(x, 1) for x in cli_ms],
    }))


if __name__ == "__main__":
    asyncio.run(main())
