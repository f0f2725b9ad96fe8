#!/usr/bin/env bash
# Runs LaunchBenchmark: `launch` of a volume at a checkpoint followed by random writes, against
# `cp --sparse=always` of the same live image, side by side in one run, and prints each timing and
# the medians. By default a 2 GiB volume of random data, 1 GiB of random 4 KiB writes after the
# checkpoint, 3 rounds (about 4 minutes). Run as root the page cache is dropped before each timing.
# Files go under DIR (default: the temporary directory), which needs about 8 GiB free; everything is
# deleted at the end, also on failure or Ctrl-C. LAUNCH_BENCH_WARM=1 keeps the page cache (warm timings).
# Usage: benchmarks/run-launch.sh [--dir DIR] [SIZE_BYTES [WRITE_BYTES [ROUNDS]]]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
dir="${TMPDIR:-/tmp}"
case "${1:-}" in
    -h|--help) usage ;;
    --dir) [[ $# -ge 2 ]] || { echo "--dir needs a directory" >&2; exit 2; }; dir="$2"; shift 2 ;;
    -*) echo "unknown option '$1'" >&2; usage 2 ;;
esac
size="${1:-$((2 << 30))}"
writes="${2:-$((1 << 30))}"
rounds="${3:-3}"
for n in "$size" "$writes" "$rounds"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "SIZE_BYTES, WRITE_BYTES and ROUNDS must be positive whole numbers: '$n'" >&2; exit 2; }
done

if [[ ! -f "$jar" ]] || [[ -n "$(find "$here/src" "$repo/protocol/src/main" "$repo/replicator-target/src/main" \
        -newer "$jar" -type f -print -quit)" ]]; then
    echo "building $jar" >&2
    (cd "$repo" && mvn -B -q -pl benchmarks -am package -DskipTests) >&2
fi

work="$(mktemp -d "$dir/launch-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "uptime before: $(uptime)"
echo "files under $dir: $(df -hT "$dir" | awk 'NR==2 {print $1, $2, $5 " free"}'); $(cp --version | head -n 1)"
java -Xmx1g -XX:+UseParallelGC \
    --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED \
    -cp "$jar" io.replicator.benchmarks.LaunchBenchmark "$work" "$size" "$writes" "$rounds" 2>&1 \
    | grep -v -e '^\[main\] INFO' -e 'SLF4J'
echo "uptime after:  $(uptime)"
