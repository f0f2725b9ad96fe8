#!/usr/bin/env bash
# The cost of each replicated write: fio 4 KiB random writes (QD1, O_DIRECT) on ext4 on a loop
# device followed by the kernel tracker, in alternating rounds without the daemons and with full
# replication (the receiver's image on a RAM disk). Reports, per round and as medians: source and
# receiver CPU per block replicated and per fio write (CPU time of the process over the run divided
# by the blocks sent, from the source's /metrics), fio's IOPS cost, and lag_ms p50/p99 from status.
# Runs unattended, root only; removes its loop devices, mounts, daemons and files on exit.
#
# Usage: benchmarks/run-write-path.sh [--work DIR] [--rounds N] [--seconds S] [--rate-iops N] [--name RUN] [--keep]
# --rate-iops N: fio writes at most N a second in every run, so that both builds compared replicate the
# same write rate whatever the machine's load (CPU per write depends on the rate: batches grow with it);
# fio's cost is then meaningless, the CPU per block is the figure.
# env REPLICATOR: the replicator command (default: the repository's ./replicator);
# env WRITE_PATH_JFR=1: the source also records a JFR profile per round into the results directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/work"
rounds=3
seconds=30
run_name="write-path-$(date -u +%Y%m%dT%H%M%SZ)"
keep=false
seed=42
fio_rate_iops=
replicator="${REPLICATOR:-$repo/replicator}"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --name) run_name="$2"; shift 2 ;;
        --rate-iops) fio_rate_iops="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer: '$rounds'" >&2; exit 2; }
[[ -z "$fio_rate_iops" || "$fio_rate_iops" =~ ^[1-9][0-9]*$ ]] || { echo "--rate-iops must be a positive integer: '$fio_rate_iops'" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds must be a positive integer: '$seconds'" >&2; exit 2; }

source "$here/lib/bench-common.sh"
source "$here/lib/bench-ours.sh"
source "$here/lib/bench-kernel.sh"
source "$here/lib/bench-workload.sh"

need_tools
why=$(kernel_unavailable)
[[ -z "$why" ]] || { echo "run-write-path.sh cannot run here: $why" >&2; exit 1; }
[[ -x "$replicator" ]] || { echo "no replicator at $replicator (set REPLICATOR)" >&2; exit 1; }

mkdir -p "$work"
work="$(cd "$work" && pwd)"
start_run write-path

# blocks_sent_now: the source's plain bytes sent, over all encodings and volumes, in 4 KiB blocks.
blocks_sent_now() {
    curl -sS -f -H "$(admin_auth "$ours_admin_port")" "http://127.0.0.1:$ours_admin_port/metrics" \
        | awk '/^replicator_source_sent_plain_bytes_total/ { s += $NF } END { printf "%d\n", s / 4096 }'
}

# thread_cpu SID: "name ticks" for each thread of a session's processes, digits in names dropped
# (so that the pool's threads add up), summed by name.
thread_cpu() {
    python3 - "$1" <<'PY'
import collections, os, re, sys
sid, ticks = int(sys.argv[1]), collections.Counter()
for p in filter(str.isdigit, os.listdir('/proc')):
    try:
        stat = open(f'/proc/{p}/stat').read()
        if int(stat[stat.rindex(')') + 2:].split()[3]) != sid:
            continue
        for t in os.listdir(f'/proc/{p}/task'):
            st = open(f'/proc/{p}/task/{t}/stat').read()
            name = re.sub(r'[0-9]+', 'N', st[st.index('(') + 1:st.rindex(')')])
            f = st[st.rindex(')') + 2:].split()
            ticks[name] += int(f[11]) + int(f[12])
    except (OSError, ValueError):
        continue
for name, n in ticks.items():
    print(name.replace(' ', '_'), n)
PY
}

# thread_cpu_delta BEFORE AFTER: the threads' CPU seconds between two thread_cpu snapshots, busiest first.
thread_cpu_delta() {
    awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d > 0) printf "%s %.2f\n", $1, d / hz }' "$1" "$2" \
        | sort -k2 -gr | head -8 | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $1, $2 }'
}

# cpu_s SID: user+sys seconds of a daemon's session.
cpu_s() {
    session_stats "$1" | cut -d' ' -f1
}

load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
kernel_fio_fs "$run_dir"
kernel_idle_hold
log "write path: $rounds rounds of $((seconds / 2)) s of fio without the daemons, then $seconds s with replication ($kernel_idle_note); load $load_at_start"
fio_iops "$mnt" 5 warmup >/dev/null

threads=() offs=() ons=() src_us=() tgt_us=() src_us_write=() blocks=() costs=() rows=()
: >"$tmp/status.jsonl"
for ((r = 1; r <= rounds; r++)); do
    offs+=("$(fio_iops "$mnt" $((seconds / 2)) "off-$r")")
    ours_start_target "$run_dir/target"
    # The daemons' own options (replicator-cli/jvm/launch.sh) plus a recording.
    [[ -n "${WRITE_PATH_JFR:-}" ]] && export REPLICATOR_JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx256m
        -XX:MaxDirectMemorySize=256m -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions
        -XX:CompilerDirectivesFile=$repo/replicator-cli/jvm/compiler-directives.json -XX:-DisplayVMOutput
        -XX:StartFlightRecording=filename=$results_dir/$run_name-source-$r.jfr,settings=profile"
    ours_start_source "$dev" fs "$run_dir/state" "source-$r" kernel
    unset REPLICATOR_JAVA_OPTS
    ours_cli "initial-$r" sync
    # Five seconds of fio with replication first, unmeasured: the daemons' JIT compiles the write
    # path then, not during the run (a fresh JVM spends about 0.4 s compiling in its first 20 s).
    fio_iops "$mnt" 5 "warm-$r" >/dev/null
    src0=$(cpu_s "$ours_source_pid")
    tgt0=$(cpu_s "$ours_target_pid")
    b0=$(blocks_sent_now)
    thread_cpu "$ours_source_pid" >"$tmp/threads-src-0"
    thread_cpu "$ours_target_pid" >"$tmp/threads-tgt-0"
    curl -sS -f --rate 5/s -w '\n' -H "$(admin_auth "$ours_admin_port")" \
        "http://127.0.0.1:$ours_admin_port/status?sample=[1-$((seconds * 5 + 50))]" >>"$tmp/status.jsonl" 2>/dev/null &
    sampler_pid=$!
    on=$(fio_iops "$mnt" "$seconds" "on-$r")
    kill "$sampler_pid" 2>/dev/null
    wait "$sampler_pid" 2>/dev/null || true
    echo >>"$tmp/status.jsonl"
    b1=$(blocks_sent_now)
    thread_cpu "$ours_source_pid" >"$tmp/threads-src-1"
    thread_cpu "$ours_target_pid" >"$tmp/threads-tgt-1"
    threads+=("- round $r, source threads: $(thread_cpu_delta "$tmp/threads-src-0" "$tmp/threads-src-1"); receiver threads: $(thread_cpu_delta "$tmp/threads-tgt-0" "$tmp/threads-tgt-1")")
    src1=$(cpu_s "$ours_source_pid")
    tgt1=$(cpu_s "$ours_target_pid")
    ons+=("$on")
    n=$((b1 - b0))
    writes=$((on * seconds))
    blocks+=("$n")
    src_us+=("$(awk -v a="$src0" -v b="$src1" -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }')")
    tgt_us+=("$(awk -v a="$tgt0" -v b="$tgt1" -v n="$n" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }')")
    src_us_write+=("$(awk -v a="$src0" -v b="$src1" -v n="$writes" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }')")
    rows+=("| $r | ${offs[$((r - 1))]} | $on | $writes | $n | $(awk -v a="$src0" -v b="$src1" 'BEGIN { printf "%.1f", b - a }') / $(awk -v a="$tgt0" -v b="$tgt1" 'BEGIN { printf "%.1f", b - a }') | ${src_us[$((r - 1))]} / ${tgt_us[$((r - 1))]} | ${src_us_write[$((r - 1))]} |")
    log "round $r: fio $on IOPS with replication (${offs[$((r - 1))]} without before), $n blocks sent, source ${src_us[$((r - 1))]} us / block"
    ours_cli "drain-$r" sync
    ours_stop
done
offs+=("$(fio_iops "$mnt" $((seconds / 2)) "off-$((rounds + 1))")")
kernel_idle_release
for ((r = 0; r < rounds; r++)); do
    costs+=("$(awk -v a="${offs[$r]}" -v b="${offs[$((r + 1))]}" -v x="${ons[$r]}" 'BEGIN { printf "%.1f", 100 * (1 - 2 * x / (a + b)) }')")
done
python3 - "$tmp/status.jsonl" fs >"$tmp/lag.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        status = json.loads(line)
    except ValueError:
        continue
    for v in status.get('volumes', []):
        if v.get('name') == sys.argv[2]:
            print(v['lag_ms'])
PY
# The final image must equal the source after the last drain (the fs is still mounted: compare the device).
kernel_umount "$mnt"
ours_start_target "$run_dir/target"
ours_start_source "$dev" fs "$run_dir/state" source-final kernel
ours_cli final sync
verify_equal "$dev" "$run_dir/target/bench/fs.img" "replicator after fio on ext4"
ours_stop
load_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"
{
    echo "# Write path \`$run_name\` (commit $commit)"
    echo
    echo "\`benchmarks/run-write-path.sh --rounds $rounds --seconds $seconds${fio_rate_iops:+ --rate-iops $fio_rate_iops}\`; load average $load_at_start at the start, $load_at_end at the end; $kernel_idle_note."
    echo
    echo "| round | fio IOPS without (before) | with replication | fio writes | blocks sent | CPU source / receiver s | us per block sent, source / receiver | source us per fio write |"
    echo "|---|---:|---:|---:|---:|---|---|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "- fio IOPS without the daemons: ${offs[*]}; cost per round ${costs[*]} %, **median $(median "${costs[@]}")%**"
    echo "- **source us per block sent: median $(median "${src_us[@]}")**; receiver $(median "${tgt_us[@]}"); source us per fio write $(median "${src_us_write[@]}")"
    printf '%s\n' "${threads[@]}"
    echo "- lag_ms over $(wc -l <"$tmp/lag.txt") samples: p50 $(percentile "$tmp/lag.txt" 50), **p99 $(percentile "$tmp/lag.txt" 99)**, max $(percentile "$tmp/lag.txt" 100)"
} >"$results"
log "results in $results"
cat "$results"
