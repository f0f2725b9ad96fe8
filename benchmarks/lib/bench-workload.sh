# What the fio and pgbench steps of benchmarks/run.sh share (sourced): ext4 on a loop device, the
# target's copy on a RAM disk, one round of a workload with replication and with the tracker alone,
# sampling the source's lag meanwhile, and the cost of a run with the daemons against the runs
# without.

# workload_ext4 DIR SIZE: ext4 on a new loop device over DIR/fs.img of SIZE (truncate's units),
# mounted on DIR/mnt; sets workload_img, workload_dev and workload_mnt. The exit cleans up.
workload_ext4() {
    workload_img="$1/fs.img"
    truncate -s "$2" "$workload_img"
    kernel_loop "$workload_img"
    workload_dev=$kernel_dev
    mkfs.ext4 -q -F "$workload_dev"
    workload_mnt="$1/mnt"
    mkdir -p "$workload_mnt"
    mount "$workload_dev" "$workload_mnt"
    kernel_mounts+=("$workload_mnt")
}

# workload_target_tmpfs DIR SIZE: the target's data directory DIR on a RAM disk of SIZE. In a
# migration the receiver is another machine, and here its random 4 KiB writes and syncs would compete
# with the workload for this machine's one disk (its CPU still competes: it runs on the same cores).
workload_target_tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o size="$2" replicator-bench "$1"
    kernel_mounts+=("$1")
}

# workload_round RUN DEV NAME DIR R ROUNDS ON_S SLICE_S JSONL: one round with the daemons: the receiver and
# the source (kernel tracker, state in DIR/state, the copy in DIR/target) started and in sync, then
# `RUN ON_S on-R` (a function printing the workload's rate) while the lag is sampled into JSONL, then
# `RUN SLICE_S tracker-alone-R` with the receiver stopped; then, but after the last round (ROUNDS),
# a sync and the daemons stopped (after the last, they stay up for workload_final). Appends to the
# arrays w_on and w_tracker (the rates), w_src_cpu, w_tgt_cpu, w_trk_cpu (CPU seconds) and
# w_sent_rate (4 KiB blocks sent a second during the run with replication); workload_reset empties them.
workload_reset() {
    w_on=() w_tracker=() w_src_cpu=() w_tgt_cpu=() w_trk_cpu=() w_sent_rate=()
}

workload_round() {
    local run="$1" dev="$2" name="$3" dir="$4" r="$5" rounds="$6" on_s="$7" slice_s="$8" jsonl="$9" src_before tgt_before
    local sent_before sent_after
    # The source keeps its state directory: from round 2 on it finds that the device was written
    # while it was stopped and rescans by fingerprint; the sync waits for that before the run.
    ours_start_target "$dir/target"
    ours_start_source "$dev" "$name" "$dir/state" "ours-$name-source-$r" kernel
    ours_cli "$name-initial-$r" sync
    ours_cli "$name-tracker" status
    src_before=$(session_stats "$ours_source_pid")
    tgt_before=$(session_stats "$ours_target_pid")
    sent_before=$(sent_blocks_now)
    lag_sampler_start "$jsonl" "$on_s"
    "$run" "$on_s" "on-$r" >"$tmp/$name-on.rate"
    lag_sampler_stop "$jsonl"
    sent_after=$(sent_blocks_now)
    w_on+=("$(cat "$tmp/$name-on.rate")")
    w_sent_rate+=("$(awk -v a="$sent_before" -v b="$sent_after" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%d", (y[1] - x[1]) / (y[2] - x[2]) }')")
    w_src_cpu+=("$(cpu_since "$ours_source_pid" "$src_before")")
    w_tgt_cpu+=("$(cpu_since "$ours_target_pid" "$tgt_before")")
    # The tracker alone: the receiver stopped (SIGSTOP), so that once the source's in-flight window
    # is full it reads and sends nothing and only follows the writes; then the receiver goes on.
    kill -STOP -- "-$ours_target_pid"
    sleep 5
    src_before=$(session_stats "$ours_source_pid")
    w_tracker+=("$("$run" "$slice_s" "tracker-alone-$r")")
    w_trk_cpu+=("$(cpu_since "$ours_source_pid" "$src_before")")
    kill -CONT -- "-$ours_target_pid"
    if ((r < rounds)); then
        ours_cli "$name-drain-$r" sync
        ours_stop
    fi
}

# workload_final MNT DEV COPY WHAT: after the last round: unmounts MNT (which writes the superblock),
# replicates that, compares DEV with the target's COPY, stops the daemons.
workload_final() {
    kernel_umount "$1"
    ours_cli final sync
    ours_cli final-status status
    verify_equal "$2" "$3" "$4"
    ours_stop
}

# lag_sampler_start FILE SECONDS: samples the source daemon's status from its admin endpoint (what
# `replicator status --json` reads) by one curl over one kept-alive connection, 5 requests a second
# for about SECONDS, one JSON document a line appended to FILE, parsed afterwards: a process started
# every 200 ms (2% of this machine's CPU for curl alone) would load the machine the workload is
# measured on. Sets lag_sampler_pid.
lag_sampler_start() {
    curl -sS -f --rate 5/s -w '\n' -H "$(admin_auth "$ours_admin_port")" \
        "http://127.0.0.1:$ours_admin_port/status?sample=[1-$(($2 * 5 + 50))]" >>"$1" 2>/dev/null &
    lag_sampler_pid=$!
}

# lag_sampler_stop FILE: stops the sampler; the sample cut short by the kill ends its line here and
# is left out by lag_values.
lag_sampler_stop() {
    kill "$lag_sampler_pid" 2>/dev/null
    wait "$lag_sampler_pid" 2>/dev/null || true
    echo >>"$1"
}

# lag_values JSONL VOLUME: the lag_ms of VOLUME in every whole sample of JSONL, one a line.
lag_values() {
    python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        status = json.loads(line)
    except ValueError:  # an empty line, or the sample cut short when the sampler was stopped
        continue
    for v in status.get('volumes', []):
        if v.get('name') == sys.argv[2]:
            print(v['lag_ms'])
PY
}

# lag_summary JSONL VOLUME: sets lag_samples, lag_p50, lag_p99, lag_max (ms) of VOLUME over JSONL.
lag_summary() {
    lag_values "$1" "$2" >"$1.lag"
    lag_samples=$(wc -l <"$1.lag")
    lag_p50=$(percentile "$1.lag" 50)
    lag_p99=$(percentile "$1.lag" 99)
    lag_max=$(percentile "$1.lag" 100)
}

# pacing_states JSONL: how many samples of JSONL were in each pacing state, e.g. "full_speed 120, pacing 30";
# "-" when the daemon reports no pacing.
pacing_states() {
    python3 - "$1" <<'PY'
import collections, json, sys
counts = collections.Counter()
for line in open(sys.argv[1]):
    try:
        counts[json.loads(line).get('pacing', {}).get('state', '-')] += 1
    except ValueError:
        continue
print(', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or '-')
PY
}

# cost_percent BEFORE AFTER WITH: how much lower WITH is than the mean of BEFORE and AFTER, in %.
cost_percent() {
    awk -v a="$1" -v b="$2" -v x="$3" 'BEGIN { printf "%.1f", 100 * (1 - 2 * x / (a + b)) }'
}

# cpu_since SID BEFORE: CPU seconds the session SID used since BEFORE (a session_stats line).
cpu_since() {
    awk -v a="${2%% *}" -v b="$(session_stats "$1" | cut -d' ' -f1)" 'BEGIN { printf "%.1f", b - a }'
}
