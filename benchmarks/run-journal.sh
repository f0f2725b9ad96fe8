#!/usr/bin/env bash
# Runs JournalAppendBenchmark (about 2 minutes): appending 4 KiB and 64 KiB entries durably with
# group commit, the receiver's journal (Chronicle Queue) against a plain FileChannel append + force
# in the same run, and prints MB/s and the ratio. Files go under DIR (default: the temporary
# directory), which needs about 4 GiB free; they are deleted after each trial.
# Usage: benchmarks/run-journal.sh [--dir DIR] [extra JMH arguments]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
dir="${TMPDIR:-/tmp}"
if [[ "${1:-}" == "--dir" ]]; then
    dir="$2"
    shift 2
fi

if [[ ! -f "$jar" ]] || [[ -n "$(find "$here/src" "$repo/protocol/src/main" "$repo/replicator-target/src/main" \
        -newer "$jar" -type f -print -quit)" ]]; then
    echo "building $jar" >&2
    (cd "$repo" && mvn -B -q -pl benchmarks -am package -DskipTests) >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "uptime before: $(uptime)"
echo "files under $dir: $(df -hT "$dir" | awk 'NR==2 {print $1, $2, $5 " free"}')"
java -jar "$jar" -rf json -rff "$tmp/result.json" \
    -jvmArgsPrepend "-Djournal.bench.dir=$dir" "$@" JournalAppendBenchmark 1>&2
echo "uptime after:  $(uptime)"

python3 - "$tmp/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
rows = {}
print(f"{'benchmark':<12} {'entry':>7} {'sync every':>11} {'entries/s':>10} {'MB/s':>8} {'+/- MB/s':>9}")
for r in results:
    name = r["benchmark"].rsplit(".", 1)[-1]
    entry = int(r["params"]["entryBytes"])
    sync = int(r["params"]["syncEveryBytes"])
    m = r["primaryMetric"]
    score, err = m["score"], m["scoreError"]
    rows[(name, entry, sync)] = score * entry / 1e6
    err_mb = "n/a" if err != err else f"{err * entry / 1e6:.0f}"
    print(f"{name:<12} {entry // 1024:>5} K {sync // 1024:>9} K {score:>10.0f} {score * entry / 1e6:>8.0f} {err_mb:>9}")
print()
for (name, entry, sync), mbs in sorted(rows.items()):
    if name == "journal" and ("fileChannel", entry, sync) in rows:
        base = rows[("fileChannel", entry, sync)]
        print(f"journal / fileChannel, {entry // 1024} KiB entries, sync every {sync // 1024} KiB: {mbs / base:.2f}")
print("MB = 10^6 bytes of payload; +/- is JMH's 99.9% confidence half-width.")
PY
