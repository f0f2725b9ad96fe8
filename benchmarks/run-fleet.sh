#!/usr/bin/env bash
# Many sources, one receiver, and the bandwidth limit, measured with ./replicator on loopback
# (plain TCP) in one run:
#   1. one source copies an image of N x M MiB alone to a receiver;
#   2. N sources copy M MiB each (the same bytes, cut in N pieces) to one receiver at once:
#      aggregate throughput against (1), the receiver's peak RSS, the spread of finish times.
#      In both, the receiver starts with --max-rate 1 (one byte a second) so that every source
#      connects first, and `replicator throttle --admin RECEIVER off` starts them all at once;
#   3. throttle accuracy: one source copies random bytes with --max-rate R for each R given; the
#      rate measured from its sent_bytes over --window-s seconds, and once more after a live
#      `replicator throttle` to the next rate.
# --sources-in-one-jvm runs the sources of each copy as daemons in ONE JVM (the benchmarks module's
# InProcessSources; `mvn -B -q -DskipTests -pl benchmarks -am install` first), so that N sources cost
# what one source process costs for the same bytes and the copy measures the receiver, not N JVMs
# on the same cores; the receiver is still a ./replicator process.
# Prints a Markdown report (and writes it to benchmarks/results/fleet-RUN.md). See benchmarks/README.md.
#
# Usage: benchmarks/run-fleet.sh [--work DIR] [--sources N=32] [--volume-mib M=256]
#                                [--rates "10MB/s 50MB/s 200MB/s"] [--window-s 10] [--name RUN] [--keep]
#                                [--skip-throttle] [--sources-in-one-jvm]
# env REPLICATOR: the replicator command (default: the repository's ./replicator).
# env SOURCES_JAVA_OPTS: more JVM options for the one JVM of --sources-in-one-jvm (e.g. a flight
# recording); REPLICATOR_JAVA_OPTS reaches the receiver through ./replicator.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/work"
sources=32
volume_mib=256
rates="10MB/s 50MB/s 200MB/s"
window_s=10
run_name="$(date -u +%Y%m%dT%H%M%SZ)"
keep=false
skip_throttle=false
in_one_jvm=false
replicator="${REPLICATOR:-$repo/replicator}"

usage() {
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        --sources) sources="$2"; shift 2 ;;
        --volume-mib) volume_mib="$2"; shift 2 ;;
        --rates) rates="$2"; shift 2 ;;
        --window-s) window_s="$2"; shift 2 ;;
        --name) run_name="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --skip-throttle) skip_throttle=true; shift ;;
        --sources-in-one-jvm) in_one_jvm=true; shift ;;
        -h|--help) usage ;;
        *) echo "unknown argument: $1" >&2; usage ;;
    esac
done
[[ "$sources" =~ ^[1-9][0-9]*$ ]] || { echo "--sources must be a positive integer: '$sources'" >&2; exit 2; }
[[ "$volume_mib" =~ ^[1-9][0-9]*$ ]] || { echo "--volume-mib must be a positive integer: '$volume_mib'" >&2; exit 2; }
[[ "$window_s" =~ ^[1-9][0-9]*$ ]] || { echo "--window-s must be a positive integer: '$window_s'" >&2; exit 2; }

source "$here/lib/bench-common.sh"
need_tools
pids=()
mkdir -p "$work"
run_dir="$(mktemp -d "$work/fleet.XXXXXX")"
tmp="$run_dir/tmp"
mkdir -p "$tmp"
trap cleanup EXIT
load_before="$(uptime)"
log "load before: $load_before"
"$replicator" --version >/dev/null

# --- images: 4 seeded mixed images of M MiB, cut into N volumes; the single image is their concatenation
log "making $sources volumes of $volume_mib MiB and one image of $((sources * volume_mib)) MiB"
for s in 0 1 2 3; do
    SEED=$((42 + s)) "$here/make-image.sh" "$run_dir/seed-$s.img" "$volume_mib" >/dev/null
done
single="$run_dir/single.img"
: >"$single"
for ((i = 0; i < sources; i++)); do
    cp "$run_dir/seed-$((i % 4)).img" "$run_dir/vol-$i.img"
    cat "$run_dir/seed-$((i % 4)).img" >>"$single"
done
rm -f "$run_dir"/seed-*.img
total_bytes=$((sources * volume_mib * 1048576))

# poll_done START_EPOCH RECEIVER_ADMIN_PORT PORT...: waits until every source on these admin ports
# reports every volume synced with no backlog; prints one line per source: "PORT SECONDS_SINCE_START",
# then "window BYTES SECONDS": the bytes the receiver made durable from now (every source is
# connected) until the first source finished, and how long that took.
poll_done() {
    python3 - "$@" <<'PY'
import json, os, sys, time, urllib.request
start = float(sys.argv[1]); receiver = sys.argv[2]; ports = sys.argv[3:]
d = '/run/replicator' if os.getuid() == 0 else os.environ.get('XDG_RUNTIME_DIR', '/tmp') + '/replicator'
def status(p):
    tok = open(f'{d}/admin-{p}.token').read().strip()
    req = urllib.request.Request(f'http://127.0.0.1:{p}/status', headers={'Authorization': 'Bearer ' + tok})
    return json.load(urllib.request.urlopen(req, timeout=10))
def durable():
    return sum(v['durable_bytes'] for s in status(receiver)['sources'] for v in s['volumes']), time.time()
b0, t0 = durable()
window = None
done = {}
while len(done) < len(ports):
    for p in ports:
        if p in done:
            continue
        try:
            s = status(p)
        except Exception:
            continue
        v = s['volumes']
        if all(x['synced_bytes'] == x['size_bytes'] and x['backlog_bytes'] == 0 for x in v):
            done[p] = time.time() - start
            if window is None:
                b1, t1 = durable()
                window = (b1 - b0, t1 - t0)
    time.sleep(0.5)
for p in ports:
    print(p, f"{done[p]:.2f}")
print("window", window[0], f"{window[1]:.2f}")
PY
}

# copy_run LABEL VOLUMES...: a fresh receiver, one source per volume started at once; sets
# run_wall (s, from the first start to the last finish), run_spread (s, first to last finish),
# run_hwm_mib (the receiver's peak RSS).
copy_run() {
    local label="$1" i v port t0 ports=() srcs=() data="$run_dir/data-$1"
    shift
    drop_caches
    mkdir -p "$data"
    local tport aport
    tport=$(free_port)
    aport=$(free_port)
    start_bg "$label-target" "$replicator" target --listen "127.0.0.1:$tport" --data-dir "$data" \
        --admin "127.0.0.1:$aport" --insecure-plaintext --max-rate 1
    local target_pid=$bg_pid
    wait_listening "$aport" "$target_pid" 300
    if $in_one_jvm; then
        copy_in_one_jvm "$label" "$tport" "$aport" "$target_pid" "$@"
        return
    fi
    t0=$(now)
    i=0
    for v in "$@"; do
        port=$(free_port)
        ports+=("$port")
        start_bg "$label-source-$i" "$replicator" source --target "127.0.0.1:$tport" --volume "$v=disk" \
            --state-dir "$run_dir/state-$label-$i" --id "src$i" --admin "127.0.0.1:$port" --tracker scan \
            --scan-interval 1h --insecure-plaintext
        srcs+=("$bg_pid")
        i=$((i + 1))
    done
    # A source's admin endpoint listens once it has connected to the receiver (and started copying).
    for ((i = 0; i < ${#ports[@]}; i++)); do
        wait_listening "${ports[$i]}" "${srcs[$i]}" 600
    done
    run_ready=$(elapsed "$t0" "$(now)")
    run_before=$(curl -s -H "$(admin_auth "$aport")" "http://127.0.0.1:$aport/status" | python3 -c '
import json, sys
print(sum(v["received_bytes"] for s in json.load(sys.stdin)["sources"] for v in s["volumes"]))')
    t0=$(now)
    # What `replicator throttle --admin RECEIVER off` sends, without the start of a command-line JVM in the timing.
    curl -s -X POST -H "$(admin_auth "$aport")" -H 'Content-Type: application/json' \
        -d '{"max_rate_bytes_per_second": 0}' "http://127.0.0.1:$aport/throttle" >/dev/null
    poll_done "$t0" "$aport" "${ports[@]}" >"$tmp/$label.all"
    grep -v '^window' "$tmp/$label.all" >"$tmp/$label.done"
    read -r _ run_window_bytes run_window_s <<<"$(grep '^window' "$tmp/$label.all")"
    read -r run_target_cpu run_hwm_kib _ _ <<<"$(session_stats "$target_pid")"
    run_sources_cpu=0
    for v in "${srcs[@]}"; do
        run_sources_cpu=$(add "$run_sources_cpu" "$(session_stats "$v" | cut -d' ' -f1)")
    done
    run_hwm_mib=$((run_hwm_kib / 1024))
    run_wall=$(awk '{ if ($2 > m) m = $2 } END { printf "%.2f", m }' "$tmp/$label.done")
    run_spread=$(awk 'NR == 1 || $2 < lo { lo = $2 } { if ($2 > hi) hi = $2 } END { printf "%.2f", hi - lo }' "$tmp/$label.done")
    run_first=$(awk 'NR == 1 || $2 < lo { lo = $2 } END { printf "%.2f", lo }' "$tmp/$label.done")
    curl -s -H "$(admin_auth "$aport")" "http://127.0.0.1:$aport/status" >"$tmp/$label-fleet.json"
    for v in "${srcs[@]}"; do stop_session "$v"; done
    stop_session "$target_pid"
    run_data="$data"
}

# copy_in_one_jvm LABEL TARGET_PORT ADMIN_PORT TARGET_PID VOLUMES...: copy_run's copy with every
# source a daemon in one JVM (InProcessSources); sets the same results (the window: the whole copy).
copy_in_one_jvm() {
    local label="$1" tport="$2" aport="$3" target_pid="$4" tokdir=/run/replicator
    shift 4
    # Where admin_auth reads the token (docs/security.md).
    if [[ "$(id -u)" != 0 ]]; then
        tokdir="${TMPDIR:-/tmp}/replicator-$(id -un)"
        [[ -z "${XDG_RUNTIME_DIR:-}" ]] || tokdir="$XDG_RUNTIME_DIR/replicator"
    fi
    local cli="$repo/replicator-cli/target" bench="$repo/benchmarks/target/classes"
    [[ -f "$bench/io/replicator/benchmarks/InProcessSources.class" ]] || { log "no $bench: mvn -B -q -DskipTests -pl benchmarks -am install"; exit 1; }
    local cp
    cp="$(ls "$cli"/replicator-cli-*.jar | grep -v -- '-sources\|-tests' | head -n 1):$cli/lib/*:$bench"
    # The daemons' JVM options (replicator-cli/jvm/launch.sh) with room for N sources' buffers.
    start_bg "$label-sources" /usr/bin/time -f "%e %U %S" -o "$tmp/$label-sources.time" java -XX:+UseSerialGC \
        -Xms64m -Xmx2g -XX:MaxDirectMemorySize=2g -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions \
        -XX:CompilerDirectivesFile="$repo/replicator-cli/jvm/compiler-directives.json" -XX:-DisplayVMOutput \
        ${SOURCES_JAVA_OPTS:-} -cp "$cp" io.replicator.benchmarks.InProcessSources "$tmp/$label-sources.result" "$tport" "$aport" "$tokdir/admin-$aport.token" \
        "$run_dir/state-$label" "$@"
    local spid=$bg_pid
    wait "$spid" || { log "the in-process sources failed:"; tail -20 "$tmp/$label-sources.log" >&2; exit 1; }
    grep '^src' "$tmp/$label-sources.result" >"$tmp/$label.done"
    run_ready=$(awk '/^connected/ { print $2 }' "$tmp/$label-sources.result")
    run_before=0
    read -r run_target_cpu run_hwm_kib _ _ <<<"$(session_stats "$target_pid")"
    run_sources_cpu=$(time_cpu "$tmp/$label-sources.time")
    run_hwm_mib=$((run_hwm_kib / 1024))
    run_wall=$(awk '{ if ($2 > m) m = $2 } END { printf "%.2f", m }' "$tmp/$label.done")
    run_spread=$(awk 'NR == 1 || $2 < lo { lo = $2 } { if ($2 > hi) hi = $2 } END { printf "%.2f", hi - lo }' "$tmp/$label.done")
    run_first=$(awk 'NR == 1 || $2 < lo { lo = $2 } END { printf "%.2f", lo }' "$tmp/$label.done")
    run_window_bytes=$total_bytes
    run_window_s=$run_wall
    curl -s -H "$(admin_auth "$aport")" "http://127.0.0.1:$aport/status" >"$tmp/$label-fleet.json"
    stop_session "$target_pid"
    run_data="$run_dir/data-$label"
}

log "1. one source, $((sources * volume_mib)) MiB alone"
copy_run single "$single"
single_wall=$run_wall
single_hwm=$run_hwm_mib
single_ready=$run_ready
single_before=$run_before
single_cpu="$run_target_cpu / $run_sources_cpu"
single_window_mbps=$(mbps "$run_window_bytes" "$run_window_s")
verify_equal "$single" "$run_data/src0/disk.img" "single source"
rm -rf "$run_data"

log "2. $sources sources of $volume_mib MiB at once"
vols=()
for ((i = 0; i < sources; i++)); do vols+=("$run_dir/vol-$i.img"); done
copy_run fleet "${vols[@]}"
fleet_wall=$run_wall
fleet_hwm=$run_hwm_mib
fleet_ready=$run_ready
fleet_before=$run_before
fleet_cpu="$run_target_cpu / $run_sources_cpu"
fleet_window_mbps=$(mbps "$run_window_bytes" "$run_window_s")
fleet_window_s=$run_window_s
fleet_spread=$run_spread
fleet_first=$run_first
for i in $(printf '%s\n' 0 $((sources / 3)) $((2 * sources / 3)) $((sources - 1)) | sort -un); do
    verify_equal "$run_dir/vol-$i.img" "$run_data/src$i/disk.img" "fleet source $i"
done
fleet_listed=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sources"]))' "$tmp/fleet-fleet.json")
rm -rf "$run_data" "$run_dir"/vol-*.img "$single"

load_mid="$(uptime)"
throttle_rows=()
if ! $skip_throttle; then
log "3. throttle accuracy"
random_img="$run_dir/random.img"
max_rate_bytes=0
for r in $rates; do
    b=$(python3 - "$r" <<'PY'
import re, sys
m = re.fullmatch(r'(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b|bit)?(/s)?', sys.argv[1].strip(), re.I)
n, p, i, u = float(m.group(1)), m.group(2).lower(), m.group(3), m.group(4) or 'B'
scale = {'': 1, 'k': 1e3, 'm': 1e6, 'g': 1e9, 't': 1e12}[p] if not i else {'k': 2**10, 'm': 2**20, 'g': 2**30}[p]
print(int(n * scale / (8 if u == 'bit' or u == 'b' and p else 1)))
PY
)
    ((b > max_rate_bytes)) && max_rate_bytes=$b
done
random_mib=$(((max_rate_bytes * (window_s + 8) / 1048576) + 64))
log "random image of $random_mib MiB"
{ openssl enc -aes-128-ctr -nosalt -pass pass:fleet -in /dev/zero 2>/dev/null | head -c $((random_mib * 1048576)) >"$random_img"; } || true
[[ $(stat -c %s "$random_img") == $((random_mib * 1048576)) ]] || { log "could not write $random_img"; exit 1; }

# sample_sent PORT: the source's sent_bytes now
sample_sent() {
    curl -s -H "$(admin_auth "$1")" "http://127.0.0.1:$1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["volumes"][0]["sent_bytes"])'
}

rate_list=($rates)
for idx in "${!rate_list[@]}"; do
    r=${rate_list[$idx]}
    data="$run_dir/data-rate-$idx"
    mkdir -p "$data"
    tport=$(free_port)
    start_bg "rate-$idx-target" "$replicator" target --listen "127.0.0.1:$tport" --data-dir "$data" --insecure-plaintext
    tpid=$bg_pid
    wait_listening "$tport" "$tpid" 300
    sport=$(free_port)
    start_bg "rate-$idx-source" "$replicator" source --target "127.0.0.1:$tport" --volume "$random_img=disk" \
        --state-dir "$run_dir/state-rate-$idx" --id rate --admin "127.0.0.1:$sport" --tracker scan \
        --scan-interval 1h --insecure-plaintext --max-rate "$r"
    spid=$bg_pid
    wait_listening "$sport" "$spid" 300
    sleep 2
    a=$(sample_sent "$sport"); ta=$(now)
    sleep "$window_s"
    z=$(sample_sent "$sport"); tz=$(now)
    measured=$(awk -v a="$a" -v z="$z" -v s="$(elapsed "$ta" "$tz")" 'BEGIN { printf "%.2f", (z - a) / s / 1e6 }')
    req=$(curl -s -H "$(admin_auth "$sport")" "http://127.0.0.1:$sport/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_rate_bytes_per_second"])')
    throttle_rows+=("| \`--max-rate $r\` | $(awk -v b="$req" 'BEGIN { printf "%.2f", b / 1e6 }') | $measured | $(awk -v m="$measured" -v b="$req" 'BEGIN { printf "%+.1f%%", (m * 1e6 / b - 1) * 100 }') |")
    next=${rate_list[$(((idx + 1) % ${#rate_list[@]}))]}
    "$replicator" throttle --admin "127.0.0.1:$sport" "$next" >/dev/null
    sleep 1
    a=$(sample_sent "$sport"); ta=$(now)
    sleep "$window_s"
    z=$(sample_sent "$sport"); tz=$(now)
    measured=$(awk -v a="$a" -v z="$z" -v s="$(elapsed "$ta" "$tz")" 'BEGIN { printf "%.2f", (z - a) / s / 1e6 }')
    req=$(curl -s -H "$(admin_auth "$sport")" "http://127.0.0.1:$sport/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_rate_bytes_per_second"])')
    throttle_rows+=("| then live \`throttle $next\` (1 s later) | $(awk -v b="$req" 'BEGIN { printf "%.2f", b / 1e6 }') | $measured | $(awk -v m="$measured" -v b="$req" 'BEGIN { printf "%+.1f%%", (m * 1e6 / b - 1) * 100 }') |")
    stop_session "$spid"
    stop_session "$tpid"
    rm -rf "$data"
done
fi
load_after="$(uptime)"

ratio_pct=$(awk -v s="$single_wall" -v f="$fleet_wall" 'BEGIN { printf "%.0f", s / f * 100 }')
mkdir -p "$here/results"
report="$here/results/fleet-$run_name.md"
{
    echo "### Fleet run $run_name"
    echo
    echo "\`benchmarks/run-fleet.sh --sources $sources --volume-mib $volume_mib --rates \"$rates\" --window-s $window_s$($in_one_jvm && echo ' --sources-in-one-jvm')\`"
    echo "on $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); page cache dropped: $cache_dropped."
    echo "Load: before \`${load_before##*load average: }\`, between \`${load_mid##*load average: }\`, after \`${load_after##*load average: }\` (1, 5, 15 min)."
    echo
    echo "| copy | bytes | sources started and connected in (s) | copy wall from \`throttle off\` to the last finish (s) | aggregate MB/s | receiver peak RSS | CPU s, receiver / all sources | finish times (s) |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| 1 source alone | $((total_bytes >> 20)) MiB | $single_ready | $single_wall | $(mbps "$total_bytes" "$single_wall") | $single_hwm MiB | $single_cpu | - |"
    echo "| $sources sources at once | $sources x $volume_mib MiB | $fleet_ready | $fleet_wall | $(mbps "$total_bytes" "$fleet_wall") | $fleet_hwm MiB | $fleet_cpu | first $fleet_first, spread $fleet_spread |"
    echo
    echo "Aggregate throughput of $sources sources against one alone: **$ratio_pct%** (target >= 90%). Received before \`throttle off\` (the limit's first burst): $((single_before >> 20)) MiB alone, $((fleet_before >> 20)) MiB by the $sources sources."
    if $in_one_jvm; then
        echo "Sources in one JVM: the CPU column's second figure is that one process (/usr/bin/time), the receiver is a ./replicator process."
    else
        echo "Until the first source finished ($fleet_window_s s), the receiver made **$fleet_window_mbps MB/s** durable from the $sources sources, against **$single_window_mbps MB/s** from the one alone over its whole copy."
    fi
    echo "The receiver's fleet view listed $fleet_listed sources."
    echo
    if ((${#throttle_rows[@]} > 0)); then
        echo "| limit | in force (MB/s) | measured over $window_s s (MB/s, payload on the wire) | error |"
        echo "|---|---|---|---|"
        printf '%s\n' "${throttle_rows[@]}"
    fi
} | tee "$report"
