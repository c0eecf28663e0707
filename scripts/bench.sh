#!/usr/bin/env bash
# Benchmarks against real Alertmanagers started here (loopback, temp dirs):
#   onduty alerts --json  vs  amtool alert query -o json  vs  curl (the server's own time),
# wall time and peak RSS (/usr/bin/time), median of RUNS runs, at 10,000 and 100,000 alerts;
# the dashboard live on 10 instances of 10,000 (100k); the criterion benches (render, filter,
# refresh at 100k); the journal; bytes per refresh over SSH. Ends with a table of every
# target beside what this run measured (scripts/bench_results.py); BENCHMARKS.md records runs.
# 500 acks (amtool loop, onduty ack, the dashboard) at 500 and 10,000 alerts.
# Opsgenie at 10,000 alerts (100 pages) from recorded pages: alerts --json and poll to screen.
# The generic JSON source mapping the same 10,000-alert answer (JSONSRC=1).
# Sections: SIZES="10000 100000", LIVE=1, CRITERION=1, JOURNAL=1, BANDWIDTH=1, ACKS=1,
# OPSGENIE=1 (0 or " " skips).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
AM_URL=""
SIZES=${SIZES:-"10000 100000"}

for bin in prometheus-alertmanager amtool curl python3; do
  command -v "$bin" >/dev/null || { echo "bench.sh: $bin is missing (scripts/test.sh installs the servers)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench.sh: installing time"; apt-get install -y -qq time >/dev/null; }

# ONDUTY_BIN runs another build (an A/B comparison of two commits) instead of this tree's.
if [ -n "${ONDUTY_BIN:-}" ]; then
  ONDUTY=$ONDUTY_BIN
else
  cargo build --release --quiet
  ONDUTY=$PWD/target/release/onduty
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
# Every section adds its figures here; the table at the end reads them.
export ONDUTY_BENCH_RESULTS=$work/results.tsv
: > "$ONDUTY_BENCH_RESULTS"

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

load_alerts() { python3 scripts/bench_alerts.py "$1" "$2"; } # url count

measure() { # label command... -> prints "label wall_median_s rss_median_MB"; sets WALL and RSS
  local label=$1; shift
  local walls=() rss=()
  for _ in $(seq 1 "$RUNS"); do
    local out
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    out=$(tail -1 "$work/time")
    walls+=("${out% *}"); rss+=("${out#* }")
  done
  read -r WALL RSS < <(python3 - "${walls[*]}" "${rss[*]}" <<'PY'
import statistics, sys
walls, rss = [float(x) for x in sys.argv[1].split()], [int(x) for x in sys.argv[2].split()]
print(f"{statistics.median(walls):.3f} {statistics.median(rss) / 1024:.1f}")
PY
)
  printf '%-28s %8s s %9s MB\n' "$label" "$WALL" "$RSS"
}

result() { python3 scripts/bench_results.py add "$@"; } # what target measured ok(1/0/-)
judge() { python3 -c "print(1 if $1 else 0)"; } # a Python comparison -> 1 or 0

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
  am_wall=$WALL am_rss=$RSS
  measure "onduty alerts --json" "$ONDUTY" alerts --json --config "$work/onduty-$n.toml"
  if [ "$n" = 10000 ]; then # issue 3: at most half of amtool's wall time and memory
    onduty_am_10k_rss=$RSS
    result "onduty alerts --json, 10k: wall time vs amtool" "≤ 0.5× amtool" \
      "$WALL s vs $am_wall s" "$(judge "$WALL <= 0.5 * $am_wall")"
    result "onduty alerts --json, 10k: peak RSS vs amtool" "≤ 0.5× amtool" \
      "$RSS MB vs $am_rss MB" "$(judge "$RSS <= 0.5 * $am_rss")"
  elif [ "$n" = 100000 ]; then # issue 4: at most 1.5 KB per alert; amtool beside it
    result "onduty alerts --json, 100k: peak RSS" "≤ 150 MB (1.5 KB/alert)" \
      "$RSS MB = $(python3 -c "print(f'{$RSS * 1024 / $n:.2f}')") KB/alert (amtool $am_rss MB)" \
      "$(judge "$RSS <= 150")"
  fi
  am_source_rss=$RSS
  if [ "$n" = 10000 ] && [ "${JSONSRC:-1}" = 1 ]; then # issue 30: the same answer, mapped by config
    cat > "$work/json-$n.toml" <<TOML
[[source]]
name = "bench"
kind = "json"
url = "$url/api/v2/alerts"
timeout = "120s"
items = ""
[source.fields]
id = "/fingerprint"
title = "/labels/alertname"
severity = "/labels/severity"
started_at = "/startsAt"
service = "/labels/service"
labels = { team = "/labels/team", instance = "/labels/instance", job = "/labels/job", env = "/labels/env", region = "/labels/region" }
annotations = { summary = "/annotations/summary", description = "/annotations/description", runbook_url = "/annotations/runbook_url" }
TOML
    measure "onduty json source" "$ONDUTY" alerts --json --config "$work/json-$n.toml"
    result "json source, 10k items: peak RSS vs the Alertmanager source" "≤ 1× (same answer)" \
      "$RSS MB vs $am_source_rss MB = $(python3 -c "print(f'{$RSS * 1024 / $n:.2f}')") KB/item" \
      "$(judge "$RSS <= $am_source_rss")"
  fi
  kill "${pids[${#pids[@]}-1]}" 2>/dev/null || true
done

# The dashboard live on 10 instances of LIVE_PER_SOURCE alerts (default 10,000 = 100k in all).
if [ "${LIVE:-1}" = 1 ]; then
  per=${LIVE_PER_SOURCE:-10000}
  urls=()
  cfg="$work/live.toml"
  printf 'poll_interval = "%s"\n' "${LIVE_INTERVAL:-15s}" > "$cfg"
  for i in $(seq 1 10); do
    start_am "$work/live-am-$i"
    urls+=("$AM_URL")
    printf '%s\n' "[[source]]" "name = \"am-$i\"" "kind = \"alertmanager\"" "url = \"$AM_URL\"" "timeout = \"120s\"" >> "$cfg"
  done
  loads=()
  for u in "${urls[@]}"; do load_alerts "$u" "$per" & loads+=($!); done
  wait "${loads[@]}"
  echo "== dashboard live: 10 instances x $per alerts, poll every ${LIVE_INTERVAL:-15s}, 200x60 pty"
  LIVE_PER_SOURCE=$per python3 scripts/live_bench.py "$ONDUTY" "$cfg" "$work/live-data" \
    "${LIVE_ROUNDS:-10}" "${LIVE_IDLE:-60}" "${urls[@]}"
fi

# The criterion benches at 100k alerts (issue 4): render, filter keystrokes, a refresh
# landing. Criterion's own statistics go to the log; each bench's p50/p99 line is shown.
if [ "${CRITERION:-1}" = 1 ]; then
  echo "== criterion: render, filter, refresh at 100,000 alerts (p50/p99 over every iteration)"
  cargo bench --quiet --bench render --bench filter --bench refresh 2>/dev/null > "$work/criterion.txt"
  grep -E ": n=[0-9]+ p50=" "$work/criterion.txt"
  python3 scripts/bench_results.py criterion < "$work/criterion.txt"
fi

# 500 acks side by side with amtool's loop (issue 25), each on an Alertmanager of its own.
if [ "${ACKS:-1}" = 1 ]; then
  python3 scripts/bench_acks.py "$ONDUTY" ${ACK_SIZES:-500 10000}
fi

# Opsgenie (issue 27): 10,000 alerts in 100 pages, its memory beside the Alertmanager
# source's at 10,000 (when the SIZES section measured it).
if [ "${OPSGENIE:-1}" = 1 ]; then
  python3 scripts/bench_opsgenie.py "$ONDUTY" 10000 "$RUNS" "${onduty_am_10k_rss:-}"
fi

# The journal (issue 5): appends and timeline opens, SQLite and a real PostgreSQL.
if [ "${JOURNAL:-1}" = 1 ]; then
  pgbin=${ONDUTY_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort | tail -1)}
  [ -x "$pgbin/initdb" ] || { echo "bench.sh: PostgreSQL is missing (scripts/test.sh installs it)" >&2; exit 1; }
  pg=$(mktemp -d) # not under $work: as root the cluster belongs to postgres, who must reach it
  pgclean() { rm -rf "$pg"; }
  as_pg=(); [ "$(id -u)" = 0 ] && { chown -R postgres "$pg"; as_pg=(runuser -u postgres --); }
  "${as_pg[@]}" "$pgbin/initdb" -D "$pg/data" -A trust -U onduty >/dev/null
  pgport=$(free_port)
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg/data" -o "-p $pgport -k $pg -c listen_addresses=127.0.0.1" -l "$pg/log" -w start >/dev/null
  echo "== journal: 10,000 appends, then the 10,000-entry timeline opened (PostgreSQL fsync on)"
  ONDUTY_BENCH_PG_URL="postgres://onduty@127.0.0.1:$pgport/postgres" cargo bench --quiet --bench journal 2>/dev/null | grep -E "append|open|skipped"
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null
  pgclean
fi

# Bandwidth over SSH (issue 10): bytes the dashboard writes per refresh at 200x50 with 2,000
# alerts, counted through a pty by frame markers (the test also holds the limits).
if [ "${BANDWIDTH:-1}" = 1 ]; then
  echo "== bandwidth: bytes written per refresh, 200x50 pty, 2,000 alerts (limits: no change <= 100 B, one alert <= 2048 B)"
  cargo test --release --quiet --test terminal_ssh bytes_per_refresh -- --nocapture 2>/dev/null > "$work/bandwidth.txt" || true
  grep -E "^bandwidth|test result" "$work/bandwidth.txt"
  python3 scripts/bench_results.py bandwidth < "$work/bandwidth.txt"
fi

echo "== targets and what this run measured ($(date -u '+%F %H:%M') UTC, $(nproc) cores, $(uname -m))"
python3 scripts/bench_results.py print
