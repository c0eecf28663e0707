"""Realistic alerts for the benches (~900 bytes each in an Alertmanager answer), posted to a
real Alertmanager. `python3 bench_alerts.py URL COUNT [OFFSET]` loads COUNT alerts; posting
the same alerts again refreshes their endsAt and updatedAt, as Prometheus does each cycle."""
import datetime
import json
import sys
import urllib.request

SEVERITIES = ["critical", "warning", "info", "error"]


def alert(i, ends):
    return {
        "labels": {"alertname": f"HighLatency{i % 50}", "severity": SEVERITIES[i % 4],
                   "service": f"svc-{i % 200}", "team": f"team-{i % 20}",
                   "instance": f"host-{i}.prod.example.com:9100", "job": "node", "env": "prod",
                   "region": ["eu-west-1", "us-east-1"][i % 2]},
        "annotations": {"summary": f"p99 latency above 2s on host-{i} for 10 minutes",
                        "description": "The 99th percentile request latency has been above the SLO for ten minutes. Check the upstream dependencies and the recent deploys.",
                        "runbook_url": f"https://runbooks.example.com/HighLatency{i % 50}"},
        "generatorURL": f"http://prometheus.example.com/graph?g0.expr=latency{{host%3D%22host-{i}%22}}",
        "endsAt": ends,
    }


def post(url, count, offset=0):
    ends = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)).isoformat()
    for start in range(offset, offset + count, 2000):
        batch = [alert(i, ends) for i in range(start, min(offset + count, start + 2000))]
        req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(batch).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()


if __name__ == "__main__":
    post(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
