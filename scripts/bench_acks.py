"""500 acks against a real Alertmanager holding SIZE alerts, side by side (issue 25):

- amtool: `amtool silence add` once per alert, in a loop (each call waits for its answer);
- onduty CLI: `onduty ack --filter alertname=BulkAck --yes` (one process, one batch);
- onduty dashboard: in a real pty (200x60), filter to the 500, mark each with space, press `a`.

Each runs on an Alertmanager of its own, loaded the same way (500 alerts to ack among SIZE),
and is timed until the 500th silence exists there. Then every silence is checked: one per
alert, none twice. Run by bench.sh (ACKS=1), or alone:

usage: bench_acks.py ONDUTY SIZE [SIZE…]
"""
import fcntl
import json
import os
import pty
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import bench_results  # noqa: E402

ACKED = 500


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Alertmanager:
    def __init__(self, work):
        self.dir = tempfile.mkdtemp(dir=work)
        port = free_port()
        with open(f"{self.dir}/am.yml", "w") as f:
            f.write("route:\n  receiver: default\nreceivers:\n  - name: default\n")
        self.proc = subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={self.dir}/am.yml",
             f"--storage.path={self.dir}/data", f"--web.listen-address=127.0.0.1:{port}",
             "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/-/ready").read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("bench_acks.py: Alertmanager did not start")

    def load(self, size):
        alerts = [{"labels": {"alertname": "BulkAck" if i < ACKED else "Filler",
                              "severity": "warning", "instance": f"host-{i:05}"}}
                  for i in range(size)]
        for start in range(0, size, 2000):
            req = urllib.request.Request(
                f"{self.url}/api/v2/alerts", data=json.dumps(alerts[start:start + 2000]).encode(),
                headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req).read()

    def silences(self):
        with urllib.request.urlopen(f"{self.url}/api/v2/silences") as r:
            return [s for s in json.load(r) if s["status"]["state"] == "active"]

    def wait_for(self, n, limit=600):
        """The time at which `n` active silences exist (checked every 20 ms)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if len(self.silences()) >= n:
                return time.monotonic()
            time.sleep(0.02)
        raise SystemExit(f"bench_acks.py: {n} silences never appeared at {self.url}")

    def check_once_each(self, label):
        silences = self.silences()
        pinned = {json.dumps(sorted((m["name"], m["value"]) for m in s["matchers"])) for s in silences}
        ok = len(silences) == ACKED and len(pinned) == ACKED
        print(f"    {label}: {len(silences)} silences on {len(pinned)} alerts"
              f" ({'one each' if ok else 'NOT one each'})")
        return ok

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def config(work, am, name):
    path = f"{work}/{name}.toml"
    with open(path, "w") as f:
        f.write(f'identity = "bench"\n[[source]]\nname = "bench"\nkind = "alertmanager"\n'
                f'url = "{am.url}"\ntimeout = "60s"\n')
    return path


def amtool_loop(am):
    started = time.monotonic()
    for i in range(ACKED):
        subprocess.run(["amtool", f"--alertmanager.url={am.url}", "silence", "add",
                        "--author=bench", "--comment=ack", "--duration=10m",
                        "alertname=BulkAck", f"instance=host-{i:05}"],
                       check=True, stdout=subprocess.DEVNULL)
    return am.wait_for(ACKED) - started


def onduty_cli(onduty, work, am):
    env = dict(os.environ, ONDUTY_DATA_DIR=f"{work}/cli-data", ONDUTY_CONFIG_DIR=f"{work}/cli-cfg")
    started = time.monotonic()
    subprocess.run([onduty, "ack", "--filter", "alertname=BulkAck", "--yes",
                    "--config", config(work, am, "cli")],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    return am.wait_for(ACKED) - started


def onduty_dashboard(onduty, work, am):
    env = dict(os.environ, TERM="xterm-256color", ONDUTY_DATA_DIR=f"{work}/tui-data",
               ONDUTY_CONFIG_DIR=f"{work}/tui-cfg")
    argv = [onduty, "--config", config(work, am, "tui")]
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
        os.execve(argv[0], argv, env)
    seen = b""

    def drain(until=None, limit=60.0):
        nonlocal seen
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen = (seen + os.read(fd, 65536))[-200_000:]
                except OSError:
                    return
            if until is not None and until in seen:
                return
        if until is not None:
            raise SystemExit(f"bench_acks.py: the dashboard never showed {until!r}")

    drain(b"FIRING", limit=120)
    os.write(fd, b"/alertname=BulkAck\r")
    drain(f"{ACKED}/".encode())
    for _ in range(ACKED):
        os.write(fd, b" ")
    drain(limit=1.0)
    started = time.monotonic()
    os.write(fd, b"a")
    done = am.wait_for(ACKED)
    os.write(fd, b"q")
    drain(limit=2.0)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    return done - started


def main():
    onduty, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
    for tool in ["prometheus-alertmanager", "amtool"]:
        if not shutil.which(tool):
            raise SystemExit(f"bench_acks.py: {tool} is missing (scripts/test.sh installs it)")
    work = tempfile.mkdtemp()
    try:
        for size in sizes:
            print(f"== {ACKED} acks on an Alertmanager holding {size} alerts, until the {ACKED}th silence exists")
            times, ok = {}, True
            for label, run in [("amtool silence add loop", lambda am: amtool_loop(am)),
                               ("onduty ack --filter (CLI)", lambda am: onduty_cli(onduty, work, am)),
                               ("onduty dashboard (mark, a)", lambda am: onduty_dashboard(onduty, work, am))]:
                am = Alertmanager(work)
                try:
                    am.load(size)
                    times[label] = run(am)
                    ok &= am.check_once_each(label)
                finally:
                    am.stop()
                print(f"  {label:<28} {times[label]:7.2f} s")
            amtool = times["amtool silence add loop"]
            for label in ["onduty ack --filter (CLI)", "onduty dashboard (mark, a)"]:
                ratio = times[label] / amtool
                bench_results.add(f"{ACKED} acks, {size} alerts: {label}", "≤ 1.0× amtool loop",
                                  f"{times[label]:.2f} s vs {amtool:.2f} s = {ratio:.2f}×",
                                  "1" if ratio <= 1.0 and ok else "0")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
