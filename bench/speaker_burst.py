#!/usr/bin/env python3
"""Call-to-speech latency of the hall loudspeaker when every window calls at once.

Starts a real hallqd (conf/town.toml, 12 windows) and hallq-speaker (conf/devices/
speaker-hall.toml: chime + sentence, said twice, espeak-ng cmn-latn-pinyin), headless with the
loudspeaker emulated in real time (--play-speed 1), opens every window, issues a ticket for each,
and has all 12 windows call within 2 s. For each call it reports when its sentence started: the
speaker's synthesis start (latency_ms after the event arrived) plus synthesis, chime and gap.
Prints p50/p99/max and how many were said once (backlog) or withdrawn.

  bench/speaker_burst.py [BUILD_DIR]            default BUILD_DIR: build
  bench/speaker_burst.py build --come 4         the first 4 called citizens walk up at once
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--come", type=int, default=0, help="citizens who reach their window right after the call")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    hallqd = os.path.join(build, "engine/server/hallqd")
    hallq = os.path.join(build, "tools/hallq/hallq")
    speaker_bin = os.path.join(build, "adapters/speaker/hallq-speaker")
    tmp = tempfile.mkdtemp(prefix="hallq-burst-")
    cmd, pub = "tcp://127.0.0.1:25570", "tcp://127.0.0.1:25571"
    engine = subprocess.Popen([hallqd, "--conf", os.path.join(ROOT, "conf/town.toml"), "--data", tmp + "/data",
                               "--cmd", cmd, "--pub", pub, "--http", "off"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    speaker = None
    try:
        assert "ready" in engine.stdout.readline()
        cli = lambda *a: subprocess.run([hallq, "--engine", cmd, *a], check=True, capture_output=True, text=True)
        windows = [f"w{i}" for i in range(1, 13)]
        primary = {}
        conf = open(os.path.join(ROOT, "conf/town.toml"), encoding="utf-8").read()
        for wid, serves in re.findall(r'id = "(w\d+)"(?:.|\n)*?serves = \{ (\w+) = 1', conf):
            primary.setdefault(wid, serves)
        for w in windows:
            cli("open", "town", w)
            cli("issue", "town", primary[w])
        speaker = subprocess.Popen([speaker_bin, "--config", os.path.join(ROOT, "conf/devices/speaker-hall.toml"),
                                    "--engine", cmd, "--pub", pub, "--headless", "--wav-dir", tmp + "/wavs",
                                    "--play-speed", "1"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        while "synced town" not in speaker.stdout.readline():
            pass
        start = time.monotonic()
        for w in windows:
            cli("call", "town", w)
        spread = time.monotonic() - start
        for w in windows[:args.come]:
            cli("start", "town", w)
        said, withdrawn = [], 0
        while len(said) + withdrawn < len(windows):
            line = speaker.stdout.readline()
            if not line:
                break
            if line.startswith("withdrawn "):
                withdrawn += int(line.split()[2])
            elif line.startswith("announced "):
                f = dict(x.split("=", 1) for x in line.split() if "=" in x)
                # speech starts after synthesis and, opening a burst, the chime (~0.9 s) and gap (0.6 s)
                opening = 0.0 if f["burst"] == "1" else 0.9 + 0.6  # the chime opens a burst only
                said.append((float(f["latency_ms"]) + float(f["synth_ms"])) / 1000 + opening)
                said[-1] = (said[-1], int(f["repeat"]))
        lat = sorted(s for s, _ in said)
        pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
        print(f"12 windows called within {spread:.2f} s; {len(said)} said ({sum(r == 1 for _, r in said)} once), "
              f"{withdrawn} withdrawn; call to speech start p50 {pick(0.5):.1f} s, p99 {pick(0.99):.1f} s, "
              f"max {lat[-1]:.1f} s")
    finally:
        for p in (speaker, engine):
            if p:
                p.terminate()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
