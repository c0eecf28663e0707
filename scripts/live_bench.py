"""The dashboard measured live, as a person runs it: onduty in a real pseudo-terminal (200x60)
on Alertmanagers started by bench.sh. Reports, from the outside only (pty bytes, /proc, the
debug log's poll lines):

- startup: time to the first frame, and to all sources loaded;
- key-to-frame latency (a key written to the pty -> the first byte of the frame it causes)
  while every instance's alerts are re-posted each round, so each poll fetches, decodes and
  lands a changed 10k-alert answer; keys pressed while a fetch was in flight are reported apart;
- RSS after each of ROUNDS poll rounds (a round = every source polled once more);
- idle CPU over IDLE seconds with nothing changing (polls go on, answers identical);
- startup to the first frame showing the last known picture (saved in the journal by the
  run above), restarting onduty on the same data dir.

usage: live_bench.py ONDUTY CONFIG DATA_DIR ROUNDS IDLE URL...
"""
import glob
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(__file__))
import bench_alerts  # noqa: E402
import bench_results  # noqa: E402
from bench_pty import Pty  # noqa: E402

binary, config, data_dir, rounds, idle = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
urls = sys.argv[6:]
PER_SOURCE = int(os.environ.get("LIVE_PER_SOURCE", "10000"))


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


POLL = re.compile(r"^(\S+).*poll (ok|unchanged).*source=(\S+).*?ms=(\d+)")
offset = time.time() - time.monotonic()


def polls():
    """Every poll in the log: (monotonic end, duration s, source, changed)."""
    out = []
    for path in glob.glob(os.path.join(data_dir, "**", "*.log"), recursive=True):
        for line in open(path, errors="replace"):
            m = POLL.search(re.sub(r"\x1b\[[0-9;]*m", "", line))
            if m:
                end = datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp() - offset
                out.append((end, int(m.group(4)) / 1000, m.group(3), m.group(2) == "ok"))
    return out


def completed_rounds():
    counts = {}
    for _, _, source, _ in polls():
        counts[source] = counts.get(source, 0) + 1
    return min(counts.values()) if len(counts) == len(urls) else 0


def pct(samples, p):
    s = sorted(samples)
    return s[int((len(s) - 1) * p)] if s else float("nan")


env = dict(os.environ, TERM="xterm-256color", ONDUTY_LOG="onduty=debug",
           ONDUTY_DATA_DIR=data_dir, ONDUTY_CONFIG_DIR=os.path.join(data_dir, "cfg"))
term = Pty([binary, "--config", config], env)
first_frame = term.first_output()
while completed_rounds() < 1:
    time.sleep(0.2)
loaded = time.monotonic() - term.started

# Churn: every instance's alerts re-posted each round, so every poll lands changed data. In a
# process of its own: building and encoding 2,000-alert batches holds the GIL for tens of
# milliseconds at a time, and in this process that would delay the reader thread's
# timestamps of the very frames being timed (it did, until 2026-12-02: see BENCHMARKS.md).
churn = subprocess.Popen([sys.executable, bench_alerts.__file__, "--churn", str(PER_SOURCE), *urls])
keys, rss = [], []
base = completed_rounds()
while completed_rounds() - base < rounds:
    sent, latency = term.key_to_frame(b"j" if len(keys) % 2 == 0 else b"k")
    keys.append((sent, latency))
    done = completed_rounds() - base
    if done > len(rss):
        rss.append(rss_mb(term.pid))
    time.sleep(random.uniform(0.1, 0.3))
rss.append(rss_mb(term.pid))
churn.kill()
churn.wait()
time.sleep(1)
# Idle starts once every source's latest poll found nothing changed (a re-post still in
# flight when the churn stopped would otherwise land, and be decoded, inside the window).
def latest_changed():
    latest = {}
    for end, _, source, changed in sorted(polls()):
        latest[source] = changed
    return len(latest) < len(urls) or any(latest.values())


deadline = time.monotonic() + 120
while latest_changed() and time.monotonic() < deadline:
    time.sleep(0.5)
ticks, idle_from, idle_wall = cpu_ticks(term.pid), time.monotonic(), time.time()
time.sleep(idle)
idle_cpu = (cpu_ticks(term.pid) - ticks) / os.sysconf("SC_CLK_TCK") / idle * 100
idle_bytes = term.bytes_since(idle_from)
idle_frames = term.frames_since(idle_from)
# The header clock's minute is the one redraw an idle dashboard owes.
clock_minutes = int((idle_wall + idle) // 60) - int(idle_wall // 60)
idle_polls = sum(1 for end, _, _, _ in polls() if end >= idle_from)
idle_changed = sum(1 for end, _, _, changed in polls() if end >= idle_from and changed)
os.kill(term.pid, signal.SIGTERM)
os.waitpid(term.pid, 0)

# What the restart finds on disk: a journal WAL the exit left unfolded would be read whole
# (an earlier suspect for a slow restart); printed so a slow one can be told apart.
def file_mb(name):
    path = os.path.join(data_dir, name)
    return os.path.getsize(path) / 1e6 if os.path.exists(path) else 0.0
on_disk = f"journal {file_mb('journal.sqlite3'):.1f} MB, WAL {file_mb('journal.sqlite3-wal'):.1f} MB"
load1 = open("/proc/loadavg").read().split()[0]
# Startup from the last known picture the run above left in the journal. Every cached
# alert title contains "HighLatency"; the first poll of 100k takes seconds, so the text
# appearing sooner comes from the journal.
again = Pty([binary, "--config", config], env)
again.watch_for(b"HighLatency")
restart_first = again.first_output()
cached_frame = again.when_seen(b"HighLatency")
shown_log = re.compile(r"last known picture shown.*?alerts=(\d+).*?sources=(\d+)")
cached_alerts = "?"
for _ in range(50):
    found = [m for path in glob.glob(os.path.join(data_dir, "**", "*.log"), recursive=True)
             for m in shown_log.finditer(re.sub(r"\x1b\[[0-9;]*m", "", open(path, errors="replace").read()))]
    if found:
        cached_alerts = f"{found[-1].group(1)} alerts from {found[-1].group(2)} sources"
        break
    time.sleep(0.1)
os.kill(again.pid, signal.SIGTERM)
os.waitpid(again.pid, 0)

# RESTARTS=n: n more restarts each with the Alertmanagers running and paused (SIGSTOP),
# to tell onduty's own restart time from the ten local servers answering its first polls
# on the same two cores.
def am_pids():
    pids = []
    for url in urls:
        port = url.rsplit(":", 1)[1]
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
        pids += [int(p) for p in re.findall(r"pid=(\d+)", out)]
    return pids


for n in range(int(os.environ.get("RESTARTS", "0"))):
    for paused in (False, True):
        pids = am_pids() if paused else []
        for p in pids:
            os.kill(p, signal.SIGSTOP)
        try:
            r = Pty([binary, "--config", config], env)
            r.watch_for(b"HighLatency")
            first, seen = r.first_output(), r.when_seen(b"HighLatency")
            os.kill(r.pid, signal.SIGTERM)
            os.waitpid(r.pid, 0)
        finally:
            for p in pids:
                os.kill(p, signal.SIGCONT)
        shown_at = f"{seen * 1000:.0f} ms" if seen is not None else "never"
        print(f"restart {n + 1} ({'servers paused' if paused else 'servers answering'}): "
              f"first output {first * 1000:.0f} ms, cached picture {shown_at}", flush=True)
        time.sleep(1)

in_flight = [(end - dur, end) for end, dur, _, changed in polls() if changed]
if os.environ.get("LIVE_KEYS_OUT"):  # every key, for a closer look: sent (s), ms, in flight
    with open(os.environ["LIVE_KEYS_OUT"], "w") as f:
        for sent, lat in keys:
            busy = any(a <= sent <= b for a, b in in_flight)
            f.write(f"{sent - term.started:.3f}\t{'' if lat is None else f'{lat * 1000:.1f}'}\t{int(busy)}\n")
        for end, dur, source, changed in polls():
            f.write(f"# poll {source} {end - dur - term.started:.3f}..{end - term.started:.3f} changed={changed}\n")
lost = sum(1 for _, lat in keys if lat is None)
all_ms = [lat * 1000 for _, lat in keys if lat is not None]
busy_ms = [lat * 1000 for sent, lat in keys
           if lat is not None and any(a <= sent <= b for a, b in in_flight)]
print(f"startup: first frame {first_frame * 1000:.0f} ms, all {len(urls)} sources loaded {loaded:.2f} s")
print(f"key-to-frame, all keys:                 n={len(all_ms)} p50={pct(all_ms, .5):.1f} ms p99={pct(all_ms, .99):.1f} ms max={max(all_ms):.1f} ms (no frame: {lost})")
print(f"key-to-frame, during a changed fetch:   n={len(busy_ms)} p50={pct(busy_ms, .5):.1f} ms p99={pct(busy_ms, .99):.1f} ms")
print("RSS after each round (MB): " + " ".join(f"{r:.0f}" for r in rss[:rounds]))
# Growth is the least-squares trend over refreshes 2..ROUNDS, not two single readings: the
# allocator moves RSS by ±10 % from one refresh to the next. A leak of one 10k snapshot a
# refresh (~20 MB) would show as +160 MB; 10 % of the mean is the line.
steady = rss[1:rounds]
xm, ym = (len(steady) - 1) / 2, sum(steady) / max(len(steady), 1)
slope = (sum((i - xm) * (y - ym) for i, y in enumerate(steady)) /
         max(sum((i - xm) ** 2 for i in range(len(steady))), 1))
trend = slope * (len(steady) - 1)
print(f"RSS trend, round 2 -> {rounds}: {trend:+.1f} MB")
shown = f"{cached_frame * 1000:.0f} ms" if cached_frame is not None else "never"
print(f"restart: first frame {restart_first * 1000:.0f} ms, first frame with the cached picture {shown} ({cached_alerts}; {on_disk}; load {load1})")
print(f"idle {idle} s ({idle_polls} polls, {idle_changed} of them changed): CPU {idle_cpu:.2f} % of a core, {idle_bytes} bytes written, {idle_frames} frames ({clock_minutes} clock minutes)")

# The closing table (scripts/bench_results.py): each figure beside issue 4's target.
total = PER_SOURCE * len(urls)
bench_results.add("key-to-frame during a changed 10k fetch, 100k loaded (p99)", "≤ 50 ms",
                  f"{pct(busy_ms, .99):.1f} ms (p50 {pct(busy_ms, .5):.1f}, n={len(busy_ms)})",
                  "1" if busy_ms and pct(busy_ms, .99) <= 50 and not lost else "0")
bench_results.add("key-to-frame, every key over the rounds (p99)", "—",
                  f"{pct(all_ms, .99):.1f} ms (p50 {pct(all_ms, .5):.1f}, n={len(all_ms)}, no frame: {lost})", "-")
bench_results.add(f"RSS after each of {rounds} changed refreshes, 100k", f"no growth, refresh 2 to {rounds}",
                  f"trend {trend:+.0f} MB ({' '.join(f'{r:.0f}' for r in steady)})",
                  "1" if len(steady) > 2 and trend <= 0.1 * ym else "0")
shown_all = cached_alerts == f"{total} alerts from {len(urls)} sources"
bench_results.add(f"startup to the first frame with the cached {total // 1000}k", "≤ 300 ms",
                  f"{shown} ({cached_alerts})",
                  "1" if cached_frame is not None and cached_frame <= 0.3 and shown_all else "0")
bench_results.add(f"idle CPU, {total // 1000}k loaded, nothing changing, {idle} s", "≤ 1 % of a core",
                  f"{idle_cpu:.2f} %", "1" if idle_cpu <= 1.0 and idle_changed == 0 else "0")
bench_results.add("a poll where nothing changed", "no redraw",
                  f"{idle_frames} frames over {idle_polls} unchanged polls, {clock_minutes} clock minutes",
                  "1" if idle_polls and not idle_changed and idle_frames <= clock_minutes else "0")
