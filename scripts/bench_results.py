"""The closing table of scripts/bench.sh: each section adds what it measured, beside the
issue's target, to the file named by ONDUTY_BENCH_RESULTS; `print` shows them together.

  bench_results.py add WHAT TARGET MEASURED OK   OK: 1 met, 0 missed, - no target (context)
  bench_results.py criterion < OUTPUT            the benches' "name: n= p50= p99= max=" lines
  bench_results.py bandwidth < OUTPUT            tests/terminal_ssh.rs's "bandwidth … | WHAT | N B" lines
  bench_results.py print
"""
import os
import re
import sys

# The criterion benches' p99 lines: what each measures and its issue 4 target in seconds
# (None: shown for context, no target of its own).
CRITERION = [
    (r"^render_200x60_100k$", "frame render + diff, 200x60, 100k alerts (p99)", 0.002),
    (r"^filter_fuzzy_keystroke_100k \(UI task\)$", "filter keystroke, fuzzy text, UI task (p99)", 0.020),
    (r"^filter_matcher_keystroke_100k \(UI task\)$", "filter keystroke, label matchers, UI task (p99)", 0.020),
    (r"^(filter_\w+)_keystroke_100k \(filter pass, off the UI task\)$",
     "…its filter pass off the UI task, latest wins (p99)", None),
    (r"^refresh_one_source_of_100k_(\w+)$", "a 10k refresh lands in 100k: UI-task share (p99)", 0.050),
]


def add(what, target, measured, ok):
    path = os.environ.get("ONDUTY_BENCH_RESULTS")
    if not path:
        return
    with open(path, "a") as f:
        f.write("\t".join([what, target, measured, ok]) + "\n")


def seconds(debug):
    """A Rust `Duration` as `{:?}` prints it ("1.53ms", "812.3µs", "2.1s", "40ns")."""
    m = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", debug)
    if not m:
        raise ValueError(f"not a duration: {debug!r}")
    scale = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]
    return float(m.group(1)) * scale


def criterion(lines):
    for line in lines:
        m = re.match(r"^(.+?): n=(\d+) p50=(\S+) p99=(\S+) max=(\S+)$", line.strip())
        if not m:
            continue
        name, n, p50, p99 = m.group(1), m.group(2), seconds(m.group(3)), seconds(m.group(4))
        for pattern, what, target in CRITERION:
            found = re.match(pattern, name)
            if not found:
                continue
            if found.groups():
                what = f"{what} [{found.group(1)}]"
            measured = f"{p99 * 1000:.2f} ms (p50 {p50 * 1000:.2f}, n={n})"
            if target is None:
                add(what, "—", measured, "-")
            else:
                add(what, f"≤ {target * 1000:g} ms", measured, "1" if p99 <= target else "0")
            break


# Bytes written per refresh over SSH (issue 10's limits, which the test itself enforces).
BANDWIDTH = {"no change (per refresh)": 100, "one alert changed": 2048}


def bandwidth(lines):
    for line in lines:
        m = re.match(r"^bandwidth (.+?) \| (.+?)\s*\| +(\d+) B$", line.strip())
        if not m:
            continue
        what, n = m.group(2).strip(), int(m.group(3))
        limit = BANDWIDTH.get(what)
        row = f"bytes written, {what} ({m.group(1)})"
        if limit is None:
            add(row, "—", f"{n:,} B", "-")
        else:
            add(row, f"≤ {limit:,} B", f"{n:,} B", "1" if n <= limit else "0")


def show():
    path = os.environ.get("ONDUTY_BENCH_RESULTS")
    rows = []
    if path and os.path.exists(path):
        rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
    mark = {"1": "✓", "0": "✗ MISSED", "-": ""}
    width = [max([len(r[i]) for r in rows] + [len(h)]) for i, h in enumerate(["what", "target", "measured"])]
    print(f"{'what':<{width[0]}}  {'target':<{width[1]}}  {'measured':<{width[2]}}")
    for what, target, measured, ok in rows:
        print(f"{what:<{width[0]}}  {target:<{width[1]}}  {measured:<{width[2]}}  {mark.get(ok, ok)}")
    judged = [r for r in rows if r[3] in ("0", "1")]
    met = sum(1 for r in judged if r[3] == "1")
    print(f"{met} of {len(judged)} targets met")


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "print"
    if verb == "add":
        add(*sys.argv[2:6])
    elif verb == "criterion":
        criterion(sys.stdin)
    elif verb == "bandwidth":
        bandwidth(sys.stdin)
    elif verb == "print":
        show()
    else:
        sys.exit(__doc__)
