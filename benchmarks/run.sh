#!/usr/bin/env bash
# Side-by-side benchmark: full copy, convergence after small changes, and memory, of
#   lz4 -1 | socat  ->  socat | lz4 -d | dd (in place),   rsync --inplace to a loopback daemon,
#   and ./replicator (source and target daemons on loopback, plain TCP); the full copies with TLS 1.3:
#   ./replicator with --pki bundles against lz4 | socat OPENSSL (lib/bench-tls.sh). The full copies
#   run in --rounds rounds (default 3), each method once a round; the targets compare medians.
#   With root: fio and pgbench on ext4 on a replicated loop device (--only fio|pgbench: that step alone).
# Writes benchmarks/results/RUN.md and prints it. See benchmarks/README.md.
#
# Usage: benchmarks/run.sh [--work DIR] [--size-mib N] [--seed N] [--only all|copies|baselines|ours|fio|pgbench]
#                          [--name RUN] [--sparse-wait-s N] [--rounds N] [--keep] [--source-flag FLAG]...
# --source-flag: appended to every `replicator source` (e.g. --source-flag=--max-cpu=25).
# env REPLICATOR: the replicator command (default: the repository's ./replicator); FIO_SECONDS,
# FIO_ROUNDS, PG_SECONDS, PG_ROUNDS, PG_SCALE, PG_CLIENTS, PG_JOBS: see lib/bench-kernel.sh, lib/bench-pgbench.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/work"
size_mib=2048
seed=42
only=all
run_name="$(date -u +%Y%m%dT%H%M%SZ)"
sparse_wait_s=60
rounds=3
keep=false
replicator="${REPLICATOR:-$repo/replicator}"
ours_source_extra=()
change_percents=(0.1 1 10)
block_bytes=4096
volume_name=disk

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        --size-mib) size_mib="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --name) run_name="$2"; shift 2 ;;
        --sparse-wait-s) sparse_wait_s="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --source-flag) ours_source_extra+=("$2"); shift 2 ;;
        --source-flag=*) ours_source_extra+=("${1#--source-flag=}"); shift ;;
        -h|--help) usage ;;
        *) echo "unknown argument: $1" >&2; usage ;;
    esac
done
case "$only" in all|copies|baselines|ours|fio|pgbench) ;; *) echo "--only must be all, copies, baselines, ours, fio or pgbench: '$only'" >&2; exit 2 ;; esac
[[ "$size_mib" =~ ^[1-9][0-9]*$ ]] || { echo "--size-mib must be a positive integer: '$size_mib'" >&2; exit 2; }
[[ "$sparse_wait_s" =~ ^[0-9]+$ ]] || { echo "--sparse-wait-s must be a whole number of seconds" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer: '$rounds'" >&2; exit 2; }
run_baselines=false; run_ours=false
[[ "$only" != ours ]] && run_baselines=true
[[ "$only" != baselines ]] && run_ours=true
# copies: the full copies and the convergence, both sides, without the fio, pgbench and sparse steps.
run_workloads=true
[[ "$only" == copies ]] && run_workloads=false

source "$here/lib/bench-common.sh"

if [[ "$only" == fio || "$only" == pgbench ]]; then
    source "$here/lib/bench-step.sh"
    exit
fi

need_tools
if $run_ours && [[ ! -x "$replicator" ]]; then
    echo "no replicator at $replicator (set REPLICATOR, or run the baselines alone: --only baselines)" >&2
    exit 1
fi

size_bytes=$((size_mib * 1024 * 1024))
mkdir -p "$work"
work="$(cd "$work" && pwd)"
copies=1
$run_baselines && copies=$((copies + 2))
$run_ours && copies=$((copies + 1))
need_bytes=$((size_bytes * copies + 1024 * 1024 * 1024))
avail_bytes=$(df --output=avail -B1 "$work" | tail -1 | tr -d ' ')
if ((avail_bytes < need_bytes)); then
    echo "not enough disk under $work: $((avail_bytes >> 20)) MiB free, need $((need_bytes >> 20)) MiB" \
        "($copies copies of a $size_mib MiB image + 1 GiB); use --work or --size-mib" >&2
    exit 1
fi

start_run run

src="$run_dir/source.img"
log "work dir $run_dir ($((avail_bytes >> 30)) GiB free)"
log "making a $size_mib MiB image (seed $seed)"
SEED="$seed" "$here/make-image.sh" "$src" "$size_mib" 2>"$tmp/make-image.log"
cat "$tmp/make-image.log" >&2

source "$here/lib/bench-baselines.sh"
source "$here/lib/bench-ours.sh"
source "$here/lib/bench-kernel.sh"
source "$here/lib/bench-workload.sh"
source "$here/lib/bench-pgbench.sh"
source "$here/lib/bench-report.sh"
source "$here/lib/bench-tls.sh"

# With root and tracefs our source replicates a loop device over the image with the kernel
# tracker, and the changes are written through it; otherwise the image file with the scan tracker.
kernel_why=$(kernel_unavailable)
ours_volume="$src"
ours_tracker=scan
if $run_ours && [[ -z "$kernel_why" ]]; then
    kernel_loop "$src"
    ours_volume=$kernel_dev
    ours_tracker=kernel
    log "source volume: $ours_volume over $src (kernel tracker)"
elif $run_ours; then
    log "source volume: $src (scan tracker; the kernel tracker is not measured: $kernel_why)"
fi
kernel_rows=()
pg_rows=()
pg_why=

full_rows=()
conv_rows=()
rss_rows=()
notes=()

# The full copies in rounds, each method once a round, plain and TLS side by side on the same
# image; the targets compare medians. The last round's replicator stays up for the convergence.
tls_pki "$run_dir/pki"
for ((round = 1; round <= rounds; round++)); do
    log "full copies, round $round of $rounds"
    if $run_baselines; then
        full_copy_lz4_socat fallocate
        full_copy_lz4_socat truncate
        full_copy_lz4_socat_tls
    fi
    if $run_ours; then
        full_copy_ours_tls
        ours_start_target "$run_dir/ours-target"
        ours_state_name="ours-state-$round" full_copy_ours
        if ((round < rounds)); then
            ours_stop
            rm -rf "$run_dir/ours-target" "$run_dir/ours-state-$round"
        fi
    fi
done
if $run_baselines; then
    rsync_daemon_start
    full_copy_rsync
fi

for pct in "${change_percents[@]}"; do
    sent_before=-; sent_during=-; sent_after=-
    $run_ours && sent_before=$(ours_sent_bytes)
    t0=$(now)
    n_blocks=$(change_blocks "$src" "$pct" "$seed" "$ours_volume")
    change_s=$(elapsed "$t0" "$(now)")
    log "changed $n_blocks blocks of $block_bytes bytes ($pct%) in $change_s s"
    ours_s="-"; rsync_s="-"; ours_cpu="-"; rsync_cpu="-"; ours_cli_s="-"
    if $run_ours; then
        sent_during=$(( $(ours_sent_bytes) - sent_before ))
        converge_ours
        sent_after=$(( $(ours_sent_bytes) - sent_before - sent_during ))
    fi
    if $run_baselines; then
        converge_rsync
    fi
    conv_rows+=("| $pct% | $n_blocks | $rsync_s | $rsync_cpu | $ours_s | $ours_cpu | $(ratio "$rsync_s" "$ours_s") | yes | ${ours_cli_s:--} | $change_s | $sent_during / $sent_after |")
done

if $run_ours; then
    # The source volume's loop device stays attached for the TLS full copy; the exit cleans it up.
    ours_stop
fi
if $run_ours && $run_workloads; then
    if [[ -z "$kernel_why" ]]; then
        kernel_fio "$run_dir/fio"
    fi
    pg_why=$(pg_unavailable)
    if [[ -z "$pg_why" ]]; then
        pgbench_step "$run_dir/pgbench"
    else
        log "pgbench not measured: $pg_why"
    fi
    sparse_rss "$run_dir/sparse"
fi

{ write_report; tls_report; } >"$results"
log "results in $results"
cat "$results"
