#!/usr/bin/env python3
"""Turns the result lines of one `make bench` run into summary.md tables.

Usage: bench-summary.py RESULTS.jsonl MACHINE.txt  (also usable on a partial run)
"""
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("```"); print(open(sys.argv[2]).read().rstrip()); print("```\n")
print("## Load: API (wrk) vs store round trips (store-probe), same run\n")
print("| request | c | API req/s | API p50 ms | API p99 ms | store req/s | store p50 ms | store p99 ms | p50 diff ms | p50 ratio | non-2xx | load avg |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
api = {r["name"]: r for r in rows if r["kind"] == "api"}
store = {r["name"]: r for r in rows if r["kind"] == "store"}
for name, a in api.items():
    s = store.get(name)
    if not s or "list" in name:
        continue
    request, c = name.rsplit(" c=", 1)
    print(f"| {request} | {c} | {a['rps']} | {a['p50_ms']} | {a['p99_ms']} | {s['rps']} | {s['p50_ms']} | {s['p99_ms']} "
          f"| {a['p50_ms'] - s['p50_ms']:.2f} | {a['p50_ms'] / s['p50_ms']:.2f} | {a['non_2xx']} | {a['loadavg']} |")
print("\n## Scale: insurer listing (c=1)\n")
print("| run | API req/s | p50 ms | p99 ms | non-2xx | load avg |")
print("|---|---|---|---|---|---|")
for name, a in api.items():
    if "list" in name:
        print(f"| {name.rsplit(' c=', 1)[0]} | {a['rps']} | {a['p50_ms']} | {a['p99_ms']} | {a['non_2xx']} | {a['loadavg']} |")
for name, s in store.items():
    if "list" in name:
        print(f"| store Query: {name.rsplit(' c=', 1)[0]} | {s['rps']} | {s['p50_ms']} | {s['p99_ms']} | {s['errors']} | {s['loadavg']} |")
import re
by_page = {}
for name, a in api.items():
    m = re.match(r"list (first page|deep page).*, (\d+) proposals", name)
    if m:
        by_page.setdefault(m.group(1), []).append((int(m.group(2)), a["p50_ms"]))
for page, points in by_page.items():
    points.sort()
    if len(points) > 1:
        (n0, p0), (n1, p1) = points[0], points[-1]
        print(f"\np50 ratio, {page}: {n1} vs {n0} proposals = {p1 / p0:.2f}")
for r in rows:
    if r["kind"] == "seed":
        print(f"\nseeding {r['name']}: {r['seeded']} in {r['seconds']} s ({r['per_second']}/s)")
print("\n## Cold start and memory per function (lambda-harness, 3 runs each)\n")
print("| function | cold start ms (runs) | median | warm p50 µs | warm p99 µs | peak RSS MiB (max) | statuses | load avg |")
print("|---|---|---|---|---|---|---|---|")
fns = {}
for r in rows:
    if r["kind"] == "lambda":
        fns.setdefault(r["function"], []).append(r)
for fn, runs in fns.items():
    colds = [r["cold_start_ms"] for r in runs]
    print(f"| {fn} | {', '.join(str(c) for c in colds)} | {statistics.median(colds)} | {statistics.median(r['warm_p50_us'] for r in runs)} "
          f"| {statistics.median(r['warm_p99_us'] for r in runs)} | {max(r['peak_rss_mib'] for r in runs)} | {runs[-1]['statuses']} | {runs[-1]['loadavg']} |")
for r in rows:
    if r["kind"] == "memory":
        print(f"\n{r['name']}: peak RSS {r['peak_rss_mib']} MiB")
