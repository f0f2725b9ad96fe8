#!/usr/bin/env bash
# Runs the JMH block-codec benchmarks (about 2-3 minutes) and prints MB/s per core.
# Usage: benchmarks/run-jmh.sh [extra JMH arguments, e.g. a benchmark regex or -f 2]
# Builds benchmarks/target/benchmarks.jar first when it is missing or older than the sources.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
block_size_bytes=65536

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "installing $2 (for $1)" >&2
    apt-get install -y -q "$2" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }
}
need java openjdk-17-jdk-headless
need mvn maven
need python3 python3

if [[ ! -f "$jar" ]] || [[ -n "$(find "$here/src" "$repo/protocol/src/main" -newer "$jar" -type f -print -quit)" ]]; then
    echo "building $jar" >&2
    (cd "$repo" && mvn -B -q -pl benchmarks -am package -DskipTests)
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

java -jar "$jar" -rf json -rff "$tmp/result.json" "$@" BlockCodecBenchmark 1>&2

python3 - "$tmp/result.json" "$block_size_bytes" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
block = int(sys.argv[2])
print(f"{'benchmark (one 64 KiB block per op, 1 thread)':<48} {'ops/s':>12} {'MB/s':>10} {'+/- MB/s':>10}")
for r in results:
    name = r["benchmark"].rsplit(".", 1)[-1]
    m = r["primaryMetric"]
    score, err = m["score"], m["scoreError"]
    err_mb = "n/a" if err != err else f"{err * block / 1e6:.0f}"  # NaN with a single iteration
    print(f"{name:<48} {score:>12.0f} {score * block / 1e6:>10.0f} {err_mb:>10}")
print("MB = 10^6 bytes; +/- is JMH's 99.9% confidence half-width.")
PY
