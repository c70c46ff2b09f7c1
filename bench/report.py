"""Prints bench/compare.sh's table: the median over rounds per case, each server's peak RSS, and the
ratios issue 16 targets (each with its target and whether this run met it).

    python3 bench/report.py RESULTS.tsv HEADER_FILE db=KIB conformance=KIB ts=KIB
"""
import statistics
import sys
from collections import defaultdict

results_file, header_file, *rss_args = sys.argv[1:]
rss_kib = dict(arg.split("=", 1) for arg in rss_args)
server_of = {"db": "db", "conformance": "conformance", "ts-sdk": "ts"}

runs = defaultdict(list)
order = []
for line in open(results_file):
    name, _round, result = line.rstrip("\n").split("\t")
    fields = dict(part.split("=") for part in result.split()[1:])
    if name not in runs:
        order.append(name)
    runs[name].append(fields)


def median(name, key):
    return statistics.median(float(run[key]) for run in runs[name])


def rate(name):
    return statistics.median(
        float(run["requests"]) / (float(run["duration_us"]) / 1e6) for run in runs[name]
    )


print(open(header_file).read().rstrip())
print()
print("| case | req/s (median) | req/s (min–max) | p50 | p99 | errors | server peak RSS |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name in order:
    rates = [float(r["requests"]) / (float(r["duration_us"]) / 1e6) for r in runs[name]]
    errors = sum(int(r["bad"]) + int(r["socket_errors"]) for r in runs[name])
    rss = int(rss_kib[server_of[name.split()[0]]]) / 1024
    print(
        f"| {name} | {rate(name):,.0f} | {min(rates):,.0f}–{max(rates):,.0f} "
        f"| {median(name, 'p50_us') / 1000:.2f} ms | {median(name, 'p99_us') / 1000:.2f} ms "
        f"| {errors} | {rss:.1f} MiB |"
    )

ratios = [
    ("db list_tables / ts-sdk list_tables", "db list_tables", "ts-sdk list_tables", 10.0),
    ("conformance test_simple_text / ts-sdk test_simple_text", "conformance test_simple_text", "ts-sdk test_simple_text", 30.0),
    ("conformance test_simple_text / conformance ping", "conformance test_simple_text", "conformance ping", 0.8),
    ("db tools/list (8 tools, admin) / db ping", "db tools/list (8 tools, admin)", "db ping", 0.6),
    ("db tools/list (filtered, db:query) / db ping", "db tools/list (filtered, db:query)", "db ping", 0.6),
    ("db query (small SELECT) / db ping", "db query (small SELECT)", "db ping", 0.5),
    ("db query (small SELECT) / ts-sdk query (small SELECT)", "db query (small SELECT)", "ts-sdk query (small SELECT)", None),
]
print()
print("| ratio (req/s) | this run | target | met |")
print("|---|---:|---:|---|")
for label, top, bottom, target in ratios:
    value = rate(top) / rate(bottom)
    met = "—" if target is None else ("yes" if value >= target else "**no**")
    shown = "—" if target is None else f"≥ {target:g}×"
    print(f"| {label} | {value:.2f}× | {shown} | {met} |")

ours = [n for n in order if not n.startswith("ts-sdk")]
worst_p99 = max(median(n, "p99_us") for n in ours) / 1000
peak = max(int(rss_kib[s]) for s in ("db", "conformance")) / 1024
print()
print(f"- p99 of our servers, worst case: {worst_p99:.2f} ms (target ≤ 5 ms: {'met' if worst_p99 <= 5 else 'not met'})")
print(f"- peak RSS of our servers: {peak:.1f} MiB (target ≤ 40 MiB: {'met' if peak <= 40 else 'not met'})")
