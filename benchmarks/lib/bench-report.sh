# The markdown report of benchmarks/run.sh (sourced): prints RUN.md from the rows collected.

machine_description() {
    local cpu mem fs
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    fs=$(df --output=fstype,source "$work" | tail -1 | awk '{ print $1 " on " $2 }')
    echo "- CPU: $(nproc) cores, ${cpu:-unknown}"
    echo "- Memory: $mem; kernel $(uname -r); work files on $fs"
    echo "- Load average (1, 5, 15 min) at the start: $load_at_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
    echo "- Tools: $(lz4 --version 2>&1 | grep -o 'v[0-9.]*' | head -1 | sed 's/^/lz4 /'), $(socat -V 2>/dev/null | awk '/socat version/ { print "socat " $3; exit }'), $(rsync --version | awk 'NR == 1 { print "rsync " $3 }')"
    if $run_ours; then
        echo "- Java: $(java -version 2>&1 | head -1)"
        echo "- replicator: $replicator ($(git -C "$(dirname "$replicator")" log -1 --format='%h %cs' 2>/dev/null || echo 'not a git checkout'))"
    fi
}

target_line() {
    local what="$1" value="$2" bound="$3" cmp="$4"
    if [[ "$value" == "-" ]]; then
        echo "- $what: not measured in this run"
    else
        awk -v w="$what" -v v="$value" -v b="$bound" -v c="$cmp" 'BEGIN {
            ok = (c == ">=") ? (v + 0 >= b + 0) : (v + 0 < b + 0)
            printf "- %s: %s (target %s %s): %s\n", w, v, c, b, ok ? "met" : "NOT met" }'
    fi
}

write_report() {
    local rsync_1 ours_1 row
    echo "# Side-by-side benchmark $run_name"
    echo
    echo "Run with \`benchmarks/run.sh --only $only --size-mib $size_mib --seed $seed\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "## Machine"
    machine_description
    echo
    echo "## Image"
    echo "$(sed 's/^.*: //' "$tmp/make-image.log" | head -1)"
    echo
    echo "Page cache dropped before every measured copy: $cache_dropped. MB = 10^6 bytes; MB/s = image size / wall time."
    echo "CPU s = user + system seconds of every process of that method (both ends)."
    echo
    echo "## Full copy"
    echo
    echo "| method | wall s | MB/s | CPU s | verified (cmp) | notes |"
    echo "|---|---:|---:|---:|---|---|"
    for row in "${full_rows[@]}"; do echo "$row"; done
    echo
    echo "Medians of the $rounds rounds: \`lz4 | socat\` into a fallocated file $(median "${lz4_fallocate_walls[@]}") s ($(walls lz4_fallocate_walls)), into a truncated file $(median "${lz4_truncate_walls[@]}") s ($(walls lz4_truncate_walls)); replicator $(median "${ours_walls[@]}") s ($(walls ours_walls))."
    echo
    echo "## Convergence after changing 4 KiB blocks at random offsets"
    echo
    echo "The target copy of each method was equal to the image before each change; each time includes"
    echo "reading what is needed from disk (page cache dropped) and making the copy durable."
    echo
    echo "The replicator's time is from the end of the change (written and fsynced on the source) until"
    echo "POST /sync on the source daemon's admin endpoint answers that every change is durable on the"
    echo "target. The last column is \`replicator sync\` run right after, when nothing is left: the command"
    echo "line's own start-up, which an admin typing it adds. The source daemon follows the change while it is"
    echo "being written (the kernel tracker sees each write complete): the last columns give how long writing"
    echo "the change took and the payload bytes the replicator sent while it was written and after."
    echo
    echo "| changed | blocks | rsync --inplace --no-whole-file --ignore-times s | rsync CPU s | replicator POST /sync s | replicator CPU s | rsync / replicator | verified (cmp) | \`replicator sync\` CLI, no-op, s | writing the change s | replicator bytes sent during / after it |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    for row in "${conv_rows[@]}"; do echo "$row"; done
    echo
    echo "## Kernel tracker under fio"
    echo
    if ((${#kernel_rows[@]} > 0)); then
        echo "ext4 on a 2 GiB loop device replicated with \`--tracker kernel\`; fio writes 4 KiB random blocks at"
        echo "queue depth 1 with O_DIRECT into a 512 MiB file. ${FIO_ROUNDS:-3} rounds, each of a run without the daemons, ${FIO_SECONDS:-60} s with"
        echo "replication, and a run with the receiver stopped (the tracker alone), the other runs a third as long; then one more"
        echo "run without. A run with the daemons is compared with the mean of the runs without just before and after it, and the"
        echo "costs are the medians over the rounds; $kernel_idle_note."
        echo
        echo "| what | measured | target |"
        echo "|---|---|---|"
        for row in "${kernel_rows[@]}"; do echo "$row"; done
    else
        echo "Not measured in this run: ${kernel_why:-only $only}."
    fi
    echo
    echo "## PostgreSQL under pgbench"
    echo
    if ((${#pg_rows[@]} > 0)); then
        echo "| what | measured | target |"
        echo "|---|---|---|"
        for row in "${pg_rows[@]}"; do echo "$row"; done
    else
        echo "Not measured in this run: ${pg_why:-${kernel_why:-only $only}}."
    fi
    echo
    echo "## Memory of the replicator daemons"
    echo
    if ((${#rss_rows[@]} > 0)); then
        echo "| when | process | RSS | progress |"
        echo "|---|---|---|---|"
        for row in "${rss_rows[@]}"; do echo "$row"; done
    else
        echo "Not measured in this run (--only $only)."
    fi
    echo
    echo "## Targets"
    ours_1=$(awk -F'|' '$2 + 0 == 1 { gsub(/ /, "", $6); print $6 }' <<<"$(printf '%s\n' "${conv_rows[@]}")")
    target_line "full copy, replicator / lz4-socat speed (medians; the faster lz4-socat mode)" "$(ratio "$(lz4_best_median)" "$(median "${ours_walls[@]}")")" 1.0 ">="
    for row in "${conv_rows[@]}"; do
        awk -F' *[|] *' -v t="$ours_tracker" '{ printf "- %s changed, rsync time / replicator time (%s tracker): %s (target >= %s): %s\n", $2, t, $8, t == "kernel" ? 20 : 3, ($8 + 0 >= (t == "kernel" ? 20 : 3)) ? "met" : "NOT met" }' <<<"$row"
    done
    target_line "p99 lag_ms under fio (kernel tracker)" "${kernel_lag_p99:--}" 1000 "<"
    target_line "fio IOPS cost of the tracker and replication, %" "${kernel_iops_cost:--}" 5 "<"
    target_line "fio IOPS cost of the tracker alone (receiver stopped), %" "${kernel_tracker_cost:--}" 5 "<"
    target_line "p99 lag_ms under pgbench (kernel tracker)" "${pg_lag_p99:--}" 1000 "<"
    target_line "pgbench TPS cost of the tracker and replication, %" "${pg_tps_cost:--}" 10 "<"
    if [[ -n "${kernel_readback_cost:-}" ]]; then
        echo "- fio IOPS cost of a bare read-back at the source's send rate (no daemon; what reading changed blocks back costs on this device), %: ${kernel_readback_cost}"
    fi
    if ((${#rss_rows[@]} > 0)); then
        for row in "${rss_rows[@]}"; do
            awk -F' *[|] *' '{ split($4, a, " "); printf "- RSS of the %s, %s: %s MiB (target < 300 MiB): %s\n", $3, $2, a[1], (a[1] + 0 < 300) ? "met" : "NOT met" }' <<<"$row"
        done
    else
        echo "- RSS under 300 MiB: not measured in this run"
    fi
}
