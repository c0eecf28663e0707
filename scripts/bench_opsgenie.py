"""Opsgenie at COUNT alerts (pages of 100) served here from recorded pages (a loopback HTTP
server answering like Opsgenie's `GET /v2/alerts`, each page encoded once beforehand, so the
server costs next to nothing): `onduty alerts --json` wall time and peak RSS (median of RUNS,
/usr/bin/time), and poll to screen (the dashboard in a 200x60 pty, empty data dir: from start
to the first frame whose header counts every alert). Its peak RSS per alert is set beside the
Alertmanager source's, measured by bench.sh on 10,000 alerts (AM_RSS_MB), when given.

usage: bench_opsgenie.py ONDUTY COUNT RUNS [AM_RSS_MB]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(__file__))
import bench_results  # noqa: E402
from bench_pty import Pty  # noqa: E402

PAGE = 100
PRIORITIES = ["P1", "P2", "P3", "P4", "P5"]


def alert(i):
    """One alert as Opsgenie lists it (~750 bytes)."""
    return {
        "id": f"70413a06-38d6-4c85-92b8-5ebc900d{i:05d}-1731400000000",
        "tinyId": str(1000 + i), "alias": f"checkout-latency-host-{i}",
        "message": f"p99 latency above 2s on host-{i}.prod.example.com",
        "status": "open", "acknowledged": False, "isSeen": i % 3 == 0,
        "tags": ["prod", f"svc-{i % 200}", f"team-{i % 20}"], "snoozed": False,
        "count": 1 + i % 40, "lastOccurredAt": "2026-12-05T07:00:00.000Z",
        "createdAt": "2026-12-05T06:00:00.000Z", "updatedAt": "2026-12-05T07:00:00.000Z",
        "source": f"prometheus-{i % 4}", "owner": "", "priority": PRIORITIES[i % 5],
        "responders": [{"type": "team", "id": f"8418d193-2dab-4490-b331-8c02cdd1{i % 20:04d}"}],
        "integration": {"id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c", "name": "Prometheus",
                        "type": "Prometheus"},
        "report": {"ackTime": 0, "closeTime": 0, "acknowledgedBy": "", "closedBy": ""},
        "ownerTeamId": f"8418d193-2dab-4490-b331-8c02cdd1{i % 20:04d}",
    }


def pages(count):
    out = []
    for start in range(0, count + 1, PAGE):
        data = [alert(i) for i in range(start, min(count, start + PAGE))]
        out.append(json.dumps({"data": data, "took": 0.1, "requestId": "r"}).encode())
    return out


def serve(count):
    recorded = pages(count)
    empty = b'{"data":[],"took":0.0,"requestId":"r"}'

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            body = empty
            if url.path == "/v2/alerts":
                offset = int(parse_qs(url.query).get("offset", ["0"])[0])
                body = recorded[min(offset // PAGE, len(recorded) - 1)]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def measured(argv, runs, env):
    walls, rss = [], []
    with tempfile.NamedTemporaryFile() as t:
        for _ in range(runs):
            subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *argv], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            wall, kb = open(t.name).read().split()[-2:]
            walls.append(float(wall))
            rss.append(int(kb) / 1024)
    return statistics.median(walls), statistics.median(rss)


def header_needle(count):
    """The header's count of the firing alerts of one severity, as its bytes carry it."""
    info = sum(1 for i in range(count) if PRIORITIES[i % 5] in ("P4", "P5"))
    return f"{info} info".encode()


def main():
    onduty, count, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    am_rss = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
    url = serve(count)
    work = tempfile.mkdtemp()
    config = os.path.join(work, "onduty.toml")
    with open(config, "w") as f:
        f.write(f'[[source]]\nname = "og"\nkind = "opsgenie"\nurl = "{url}"\n'
                'token_command = "printf bench-key"\ntimeout = "120s"\n')
    env = dict(os.environ, ONDUTY_CONFIG_DIR=work, ONDUTY_DATA_DIR=os.path.join(work, "data"))
    print(f"== Opsgenie: {count} alerts in pages of {PAGE} ({count // PAGE + 1} requests: the last"
          f" one finds the end), median of {runs}")
    wall, rss = measured([onduty, "alerts", "--json", "--config", config], runs, env)
    per_alert = rss * 1024 / count
    print(f"onduty alerts --json         {wall:8.3f} s {rss:9.1f} MB  ({per_alert:.2f} KB/alert)")
    bench_results.add(f"Opsgenie {count // 1000}k alerts, 100 pages: alerts --json", "(context)",
                      f"{wall:.3f} s, {rss:.1f} MB", "-")
    if am_rss is not None:
        # "Within the Alertmanager source's": no more, give or take the ±1 MB two runs of
        # the same build differ by here.
        bench_results.add(f"Opsgenie {count // 1000}k: peak RSS vs the Alertmanager source's",
                          "≤ Alertmanager's at 10k (±1 MB)", f"{rss:.1f} MB vs {am_rss:.1f} MB",
                          "1" if rss <= am_rss + 1.0 else "0")
    screens = []
    for run in range(runs):
        env["ONDUTY_DATA_DIR"] = os.path.join(work, f"data-{run}")
        p = Pty([onduty, "--config", config], dict(env, TERM="xterm-256color"))
        needle = header_needle(count)
        p.watch_for(needle)
        at = p.when_seen(needle, limit=120)
        os.kill(p.pid, 15)
        os.waitpid(p.pid, 0)
        if at is None:
            sys.exit("bench_opsgenie.py: the dashboard never counted every alert")
        screens.append(at)
    shown = statistics.median(screens)
    print(f"dashboard: start to every alert on screen  {shown:.3f} s (200x60 pty)")
    bench_results.add(f"Opsgenie {count // 1000}k: dashboard start to every alert on screen",
                      "(context)", f"{shown:.3f} s", "-")


if __name__ == "__main__":
    main()
