# One workload step of benchmarks/run.sh alone (sourced by run.sh for --only fio or --only pgbench):
# no image, no full copies; the step's rows, the machine and its load before and after, in
# benchmarks/results/RUN.md. Needs root; prints why and exits 1 when the step cannot run here.

need_tools
if [[ ! -x "$replicator" ]]; then
    echo "no replicator at $replicator (set REPLICATOR)" >&2
    exit 1
fi
source "$here/lib/bench-ours.sh"
source "$here/lib/bench-kernel.sh"
source "$here/lib/bench-workload.sh"
source "$here/lib/bench-pgbench.sh"
source "$here/lib/bench-report.sh"

run_ours=true
kernel_rows=()
pg_rows=()
if [[ "$only" == fio ]]; then
    step_why=$(kernel_unavailable)
else
    step_why=$(pg_unavailable)
fi
if [[ -n "$step_why" ]]; then
    echo "$only: not measured here: $step_why" >&2
    exit 1
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
start_run "$only"

if [[ "$only" == fio ]]; then
    kernel_fio "$run_dir/fio"
else
    pgbench_step "$run_dir/pgbench"
fi

{
    echo "# $only on a replicated loop device, $run_name"
    echo
    echo "Run with \`benchmarks/run.sh --only $only${ours_source_extra[*]:+ $(printf -- '--source-flag=%s ' "${ours_source_extra[@]}")}\`" \
        "(FIO_SECONDS=${FIO_SECONDS:-60} FIO_ROUNDS=${FIO_ROUNDS:-3} PG_SECONDS=${PG_SECONDS:-60} PG_ROUNDS=${PG_ROUNDS:-3}" \
        "PG_SCALE=${PG_SCALE:-20}) on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "## Machine"
    machine_description
    echo "- uptime at the start: $uptime_at_start"
    echo "- uptime at the end: $(uptime)"
    echo "- source daemon flags added: ${ours_source_extra[*]:-none}"
    echo
    echo "| what | measured | target |"
    echo "|---|---|---|"
    for row in "${kernel_rows[@]}" "${pg_rows[@]}"; do echo "$row"; done
    echo
    echo "## Targets"
    if [[ "$only" == fio ]]; then
        target_line "p99 lag_ms under fio (kernel tracker)" "${kernel_lag_p99:--}" 1000 "<"
        target_line "fio IOPS cost of the tracker and replication, %" "${kernel_iops_cost:--}" 5 "<"
        target_line "fio IOPS cost of the tracker alone (receiver stopped), %" "${kernel_tracker_cost:--}" 5 "<"
    else
        target_line "p99 lag_ms under pgbench (kernel tracker)" "${pg_lag_p99:--}" 1000 "<"
        target_line "pgbench TPS cost of the tracker and replication, %" "${pg_tps_cost:--}" 10 "<"
    fi
} >"$results"
log "results in $results"
cat "$results"
