#!/usr/bin/env python3
"""Turns the result lines of one `make bench` run into summary.md tables.

Usage: bench-summary.py RESULTS.jsonl MACHINE.txt  (also usable on a partial run)
"""
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("```"); print(open(sys.argv[2]).read().rstrip()); print("```\n")
def grouped(kind):
    out = {}
    for r in rows:
        if r["kind"] == kind:
            out.setdefault(r["name"], []).append(r)
    return out

def med(runs, key):
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 3) if values else None

print("## Load: API (wrk) vs store round trips (store-probe), same run\n")
print("Medians over the alternating rounds (per-round p50s in brackets); CPU = the process's CPU time per request.\n")
print("| request | c | API req/s | API p50 ms | API p99 ms | store req/s | store p50 ms | store p99 ms | p50 diff ms | p50 ratio | API CPU ms/req | store CPU ms/req | CPU diff ms | non-2xx | load avg |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
api_runs, store_runs = grouped("api"), grouped("store")
for name, a in api_runs.items():
    s = store_runs.get(name)
    if not s or name.startswith("list"):
        continue
    request, c = name.rsplit(" c=", 1)
    ap, sp = med(a, "p50_ms"), med(s, "p50_ms")
    ac, sc = med(a, "cpu_ms_per_request"), med(s, "cpu_ms_per_request")
    cpu_diff = f"{ac - sc:.2f}" if ac is not None and sc is not None else ""
    print(f"| {request} | {c} | {med(a, 'rps')} | {ap} [{', '.join(str(r['p50_ms']) for r in a)}] | {med(a, 'p99_ms')} "
          f"| {med(s, 'rps')} | {sp} [{', '.join(str(r['p50_ms']) for r in s)}] | {med(s, 'p99_ms')} "
          f"| {ap - sp:.2f} | {ap / sp:.2f} | {ac} | {sc} | {cpu_diff} | {sum(r['non_2xx'] for r in a)} | {a[-1]['loadavg']} |")
api = {r["name"]: r for r in rows if r["kind"] == "api"}
store = {r["name"]: r for r in rows if r["kind"] == "store"}
for name, a in api_runs.items():
    if name.startswith("gateway floor"):
        request, c = name.rsplit(" c=", 1)
        print(f"\n{request}, c={c}: p50 {med(a, 'p50_ms')} ms [{', '.join(str(r['p50_ms']) for r in a)}], "
              f"p99 {med(a, 'p99_ms')} ms, {med(a, 'rps')} req/s, CPU {med(a, 'cpu_ms_per_request')} ms/req")
print("\n## Scale: insurer listing (c=1), API vs the same Query sent raw\n")
print("| run | API req/s | API p50 ms | API p99 ms | store p50 ms | store p99 ms | p50 diff ms | non-2xx | load avg |")
print("|---|---|---|---|---|---|---|---|---|")
import re
by_page = {}
for name, a in api.items():
    m = re.match(r"list (first page|deep page).*, (\d+) proposals", name)
    if not m:
        continue
    s = store.get(name, {})
    diff = f"{a['p50_ms'] - s['p50_ms']:.2f}" if s else ""
    print(f"| {name.rsplit(' c=', 1)[0]} | {a['rps']} | {a['p50_ms']} | {a['p99_ms']} | {s.get('p50_ms', '')} "
          f"| {s.get('p99_ms', '')} | {diff} | {a['non_2xx']} | {a['loadavg']} |")
    by_page.setdefault(m.group(1), []).append((int(m.group(2)), a["p50_ms"], s.get("p50_ms")))
for page, points in by_page.items():
    points.sort()
    if len(points) > 1:
        (n0, p0, s0), (n1, p1, s1) = points[0], points[-1]
        raw = f", raw Query {s1 / s0:.2f}" if s0 and s1 else ""
        print(f"\np50 ratio, {page}, {n1} vs {n0} proposals: API {p1 / p0:.2f}{raw}")
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
