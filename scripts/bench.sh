#!/usr/bin/env bash
# Benchmarks against real Alertmanagers started here (loopback, temp dirs):
#   onduty alerts --json  vs  amtool alert query -o json  vs  curl (the server's own time),
# wall time and peak RSS (/usr/bin/time), median of RUNS runs, at 10,000 alerts; then
# onduty alone at 100,000 alerts. Prints a table; BENCHMARKS.md records one run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
AM_URL=""
SIZES=${SIZES:-"10000 100000"}

for bin in prometheus-alertmanager amtool curl python3; do
  command -v "$bin" >/dev/null || { echo "bench.sh: $bin is missing (scripts/test.sh installs the servers)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench.sh: installing time"; apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
ONDUTY=$PWD/target/release/onduty
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start_am() { # dir -> sets AM_URL; runs in this shell so cleanup knows the pid
  local dir=$1 port
  port=$(free_port)
  mkdir -p "$dir"
  printf 'route:\n  receiver: default\nreceivers:\n  - name: default\n' > "$dir/am.yml"
  prometheus-alertmanager --config.file="$dir/am.yml" --storage.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && { AM_URL="http://127.0.0.1:$port"; return; }
    sleep 0.1
  done
  echo "bench.sh: Alertmanager did not start: $(cat "$dir/log")" >&2; exit 1
}

load_alerts() { # url count: realistic alerts, ~900 bytes each in the answer
  python3 - "$1" "$2" <<'PY'
import json, sys, urllib.request, datetime
url, n = sys.argv[1], int(sys.argv[2])
ends = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)).isoformat()
sev = ["critical", "warning", "info", "error"]
for start in range(0, n, 2000):
    batch = []
    for i in range(start, min(n, start + 2000)):
        batch.append({
            "labels": {"alertname": f"HighLatency{i % 50}", "severity": sev[i % 4], "service": f"svc-{i % 200}",
                       "team": f"team-{i % 20}", "instance": f"host-{i}.prod.example.com:9100", "job": "node",
                       "env": "prod", "region": ["eu-west-1", "us-east-1"][i % 2]},
            "annotations": {"summary": f"p99 latency above 2s on host-{i} for 10 minutes",
                            "description": "The 99th percentile request latency has been above the SLO for ten minutes. Check the upstream dependencies and the recent deploys.",
                            "runbook_url": f"https://runbooks.example.com/HighLatency{i % 50}"},
            "generatorURL": f"http://prometheus.example.com/graph?g0.expr=latency{{host%3D%22host-{i}%22}}",
            "endsAt": ends})
    req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(batch).encode(), headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
}

measure() { # label command... -> "label wall_median_s rss_median_MB"
  local label=$1; shift
  local walls=() rss=()
  for _ in $(seq 1 "$RUNS"); do
    local out
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    out=$(tail -1 "$work/time")
    walls+=("${out% *}"); rss+=("${out#* }")
  done
  python3 - "$label" "${walls[*]}" "${rss[*]}" <<'PY'
import statistics, sys
label, walls, rss = sys.argv[1], [float(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()]
print(f"{label:<28} {statistics.median(walls):8.3f} s {statistics.median(rss)/1024:9.1f} MB")
PY
}

printf '%s, %s cores, %s\n' "$(date -u +%F)" "$(nproc)" "$(uname -m)"
for n in $SIZES; do
  start_am "$work/am-$n"
  url=$AM_URL
  load_alerts "$url" "$n"
  bytes=$(curl -s "$url/api/v2/alerts" | wc -c)
  printf '%s\n' "[[source]]" "name = \"bench\"" "kind = \"alertmanager\"" "url = \"$url\"" "timeout = \"120s\"" > "$work/onduty-$n.toml"
  echo "== $n alerts, answer $((bytes / 1024 / 1024)) MB, median of $RUNS"
  measure "curl (server floor)" curl -s "$url/api/v2/alerts"
  measure "amtool alert query -o json" amtool --alertmanager.url="$url" alert query -o json
  measure "onduty alerts --json" "$ONDUTY" alerts --json --config "$work/onduty-$n.toml"
  kill "${pids[${#pids[@]}-1]}" 2>/dev/null || true
done
