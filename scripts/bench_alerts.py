"""Realistic alerts for the benches (~900 bytes each in an Alertmanager answer), posted to a
real Alertmanager. `python3 bench_alerts.py URL COUNT [OFFSET]` loads COUNT alerts; posting
the same alerts again refreshes their endsAt and updatedAt, as Prometheus does each cycle.
`python3 bench_alerts.py --churn COUNT URL...` re-posts COUNT alerts to every URL, round after
round, until it is killed: the live bench's changing data, in a process of its own."""
import datetime
import json
import sys
import urllib.request

SEVERITIES = ["critical", "warning", "info", "error"]


def alert(i, starts, ends):
    return {
        "labels": {"alertname": f"HighLatency{i % 50}", "severity": SEVERITIES[i % 4],
                   "service": f"svc-{i % 200}", "team": f"team-{i % 20}",
                   "instance": f"host-{i}.prod.example.com:9100", "job": "node", "env": "prod",
                   "region": ["eu-west-1", "us-east-1"][i % 2]},
        "annotations": {"summary": f"p99 latency above 2s on host-{i} for 10 minutes",
                        "description": "The 99th percentile request latency has been above the SLO for ten minutes. Check the upstream dependencies and the recent deploys.",
                        "runbook_url": f"https://runbooks.example.com/HighLatency{i % 50}"},
        "generatorURL": f"http://prometheus.example.com/graph?g0.expr=latency{{host%3D%22host-{i}%22}}",
        "startsAt": (starts - datetime.timedelta(seconds=i % 3600)).isoformat(),
        "endsAt": ends,
    }


def post(url, count, offset=0):
    now = datetime.datetime.now(datetime.timezone.utc)
    ends = (now + datetime.timedelta(hours=3)).isoformat()
    # Prometheus sends when each alert became active; the same start on every re-post (an
    # alert posted without one would start at its endsAt, hours ahead, in Alertmanager).
    starts = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
    for start in range(offset, offset + count, 2000):
        batch = [alert(i, starts, ends) for i in range(start, min(offset + count, start + 2000))]
        req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(batch).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()


if __name__ == "__main__":
    if sys.argv[1] == "--churn":
        while True:
            for url in sys.argv[3:]:
                post(url, int(sys.argv[2]))
    post(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
