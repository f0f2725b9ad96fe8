# The kernel tracker's part of benchmarks/run.sh (sourced): the source volume as a loop device,
# lag under fio, fio's IOPS with and without the tracker, and RSS for a 1 TiB sparse block device.
# Needs root, tracefs and losetup; without them every row says why it was not measured.

kernel_loops=()
kernel_mounts=()

# kernel_unavailable: prints why the kernel tracker cannot be measured here, or nothing.
kernel_unavailable() {
    if [[ $(id -u) != 0 ]]; then
        echo "not root"
    elif ! command -v losetup >/dev/null; then
        echo "no losetup (util-linux)"
    elif ! grep -qw tracefs /proc/filesystems; then
        echo "the kernel has no tracefs"
    elif ! command -v fio >/dev/null && ! apt_install fio >/dev/null 2>&1; then
        echo "no fio"
    fi
}

# kernel_loop FILE: attaches FILE to a new loop device, remembered for the cleanup, and sets
# kernel_dev to its path. (Not a command substitution: a subshell would forget the device.)
kernel_loop() {
    kernel_dev=$(losetup -f --show "$1")
    kernel_loops+=("$kernel_dev")
}

# kernel_forget ARRAY VALUE: removes VALUE from the array variable named ARRAY.
kernel_forget() {
    local -n list="$1"
    local x kept=()
    for x in "${list[@]}"; do
        [[ "$x" == "$2" ]] || kept+=("$x")
    done
    list=("${kept[@]}")
}

# kernel_detach DEV: detaches a loop device this script attached, and forgets it.
kernel_detach() {
    losetup -d "$1"
    kernel_forget kernel_loops "$1"
}

kernel_cleanup() {
    local m dev
    for m in "${kernel_mounts[@]}"; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    for dev in "${kernel_loops[@]}"; do
        losetup -d "$dev" 2>/dev/null || true
    done
    kernel_mounts=()
    kernel_loops=()
}

# kernel_umount PATH: unmounts PATH, which this script mounted, and forgets it.
kernel_umount() {
    umount "$1"
    kernel_forget kernel_mounts "$1"
}

# percentile FILE P: the P-th percentile (nearest rank) of the numbers in FILE, one per line.
percentile() {
    sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}

# fio_iops DIR SECONDS LABEL: 4 KiB random writes at queue depth 1 (O_DIRECT) into DIR/fio.dat; prints write IOPS.
# With fio_rate_iops set, at most that many writes a second.
fio_iops() {
    fio --name=qd1 --filename="$1/fio.dat" --size=512M --rw=randwrite --bs=4k --iodepth=1 --ioengine=psync \
        --direct=1 ${fio_rate_iops:+--rate_iops="$fio_rate_iops"} --time_based --runtime="$2" --randseed="$seed" --output-format=json \
        --output="$tmp/fio-$3.json" >/dev/null 2>"$tmp/fio-$3.err" || { cat "$tmp/fio-$3.err" >&2; return 1; }
    python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["jobs"][0]["write"]["iops"]))' "$tmp/fio-$3.json"
}

# fio_readback DIR SECONDS LABEL RATE: fio_iops while a second fio reads 4 KiB blocks of the same
# file back at random, at queue depth 1 (O_DIRECT), RATE reads a second: what reading changed blocks
# back costs the writer, with nothing else of the replicator running. Prints the writer's IOPS and
# the reads a second the reader reached.
fio_readback() {
    local reader_pid iops reads
    fio --name=readback --filename="$1/fio.dat" --size=512M --rw=randread --bs=4k --iodepth=1 --ioengine=psync \
        --direct=1 --time_based --runtime="$(($2 + 2))" --rate_iops="$4" --output-format=json \
        --output="$tmp/fio-$3-reader.json" >/dev/null 2>"$tmp/fio-$3-reader.err" &
    reader_pid=$!
    sleep 1
    iops=$(fio_iops "$1" "$2" "$3") || { kill "$reader_pid" 2>/dev/null; wait "$reader_pid"; return 1; }
    wait "$reader_pid" || { cat "$tmp/fio-$3-reader.err" >&2; return 1; }
    reads=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["jobs"][0]["read"]["iops"]))' \
        "$tmp/fio-$3-reader.json")
    echo "$iops $reads"
}

# sent_blocks_now: the source's sent_bytes over all volumes, in 4 KiB blocks, and the time (s).
sent_blocks_now() {
    curl -sS -f -H "$(admin_auth "$ours_admin_port")" "http://127.0.0.1:$ours_admin_port/status" | python3 -c '
import json, sys, time
print(sum(v["sent_bytes"] for v in json.load(sys.stdin)["volumes"]) // 4096, time.time())'
}

# kernel_idle_hold / kernel_idle_release: keep the CPUs out of idle states (a PM QoS request of
# 0 us on /dev/cpu_dma_latency, held while the descriptor is open) during every fio run. On a VM a
# halted vCPU wakes slowly, and fio at queue depth 1 waits for a wake-up per write: its IOPS then
# depend on whether the other core has work (here they doubled with the idle states held off), so
# a run beside a busy daemon would look faster than one beside an idle machine.
kernel_idle_note="idle states not held off"
kernel_idle_hold() {
    kernel_qos_fd=
    if [[ -w /dev/cpu_dma_latency ]] && exec {kernel_qos_fd}>/dev/cpu_dma_latency && printf 0 >&"$kernel_qos_fd"; then
        kernel_idle_note="CPU idle states held off during every measured run (/dev/cpu_dma_latency = 0)"
    else
        kernel_idle_note="CPU idle states not held off (/dev/cpu_dma_latency not writable): IOPS depend on the other core's load"
    fi
}
kernel_idle_release() {
    if [[ -n "${kernel_qos_fd:-}" ]]; then
        exec {kernel_qos_fd}>&-
        kernel_qos_fd=
    fi
}

# fio_run SECONDS LABEL: fio_iops on the file system of the fio step (its mnt).
fio_run() {
    fio_iops "$mnt" "$1" "$2"
}

# kernel_fio_fs DIR: ext4 on a new 2 GiB loop device over DIR/fs.img, mounted on DIR/mnt, with fio's
# 512 MiB file written once; and DIR/target, a RAM disk for the receiver's image. Sets img, dev and
# mnt (a caller's locals, when it declared them).
kernel_fio_fs() {
    local dir="$1"
    mkdir -p "$dir"
    workload_ext4 "$dir" 2G
    img=$workload_img dev=$workload_dev mnt=$workload_mnt
    # Write the whole file once first: fio lays it out with unwritten extents, and the first write
    # of each block also converts its extent, which would make whichever run comes first slower.
    fio --name=fill --filename="$mnt/fio.dat" --size=512M --rw=write --bs=1M --direct=1 --ioengine=psync \
        >/dev/null 2>"$tmp/fio-fill.err" || { cat "$tmp/fio-fill.err" >&2; return 1; }
    workload_target_tmpfs "$dir/target" 3G
}

# kernel_fio DIR: ext4 on a loop device; fio's IOPS without the source daemon, then with it (kernel
# tracker) while status is sampled for lag_ms every 200 ms, then without it again.
kernel_fio() {
    local dir="$1" img dev mnt fio_s=${FIO_SECONDS:-60} rounds=${FIO_ROUNDS:-3}
    local slice_s r offs=() on_costs=() trk_costs=() before after rbs=() rb_reads=() rb_costs=() rb
    # The runs with and without the daemons alternate, rounds times, each "with" run compared with
    # the mean of the runs without just before and just after it: this machine drifts by 10-20% over
    # minutes, more than the cost measured. Each run with replication lasts fio_s (60 s: the lag
    # figure), the others a third of that.
    slice_s=$(( fio_s / 3 > 5 ? fio_s / 3 : 5 ))
    kernel_fio_fs "$dir"
    kernel_idle_hold
    log "fio: $rounds rounds of ${slice_s} s without the daemons, ${fio_s} s with replication, ${slice_s} s with the tracker alone; then ${slice_s} s without ($kernel_idle_note)"
    fio_iops "$mnt" 5 warmup >/dev/null
    : >"$tmp/fio-status.jsonl"
    workload_reset
    for ((r = 1; r <= rounds; r++)); do
        offs+=("$(fio_iops "$mnt" "$slice_s" "off-$r")")
        workload_round fio_run "$dev" fs "$dir" "$r" "$rounds" "$fio_s" "$slice_s" "$tmp/fio-status.jsonl"
        if ((r == rounds)); then
            workload_final "$mnt" "$dev" "$dir/target/bench/fs.img" "replicator after fio on ext4"
            mount "$dev" "$mnt"
            kernel_mounts+=("$mnt")
        fi
        # The read-back alone, no daemon running: a plain reader of fio's file at the rate the source
        # sent blocks with replication (each block sent read back once).
        rb=$(fio_readback "$mnt" "$slice_s" "readback-$r" "${w_sent_rate[$((r - 1))]}")
        rbs+=("${rb%% *}")
        rb_reads+=("${rb##* }")
    done
    offs+=("$(fio_iops "$mnt" "$slice_s" "off-$((rounds + 1))")")
    kernel_idle_release
    kernel_umount "$mnt"
    kernel_umount "$dir/target"
    for ((r = 0; r < rounds; r++)); do
        before=${offs[$r]} after=${offs[$((r + 1))]}
        on_costs+=("$(cost_percent "$before" "$after" "${w_on[$r]}")")
        trk_costs+=("$(cost_percent "$before" "$after" "${w_tracker[$r]}")")
        rb_costs+=("$(cost_percent "$before" "$after" "${rbs[$r]}")")
    done
    log "fio IOPS without the daemons: ${offs[*]}; with replication: ${w_on[*]}; with the tracker alone: ${w_tracker[*]}; beside a bare read-back: ${rbs[*]}"
    lag_summary "$tmp/fio-status.jsonl" fs
    kernel_iops_cost=$(median "${on_costs[@]}")
    kernel_tracker_cost=$(median "${trk_costs[@]}")
    kernel_lag_p99=$lag_p99
    kernel_rows+=("| lag_ms while fio writes (status every 200 ms over the $rounds runs of ${fio_s} s, $lag_samples samples) | p50 $lag_p50 ms, p99 $lag_p99 ms, max $lag_max ms; pacing states sampled: $(pacing_states "$tmp/fio-status.jsonl") | p99 < 1000 ms |")
    kernel_rows+=("| fio 4 KiB random write IOPS, QD1, O_DIRECT, on ext4, $kernel_idle_note; $rounds rounds, each run with the daemons against the mean of the runs without just before and after | without (${slice_s} s runs): ${offs[*]}; with the kernel tracker and replication (${fio_s} s): ${w_on[*]}; cost per round ${on_costs[*]} %, **median ${kernel_iops_cost}%**; CPU of the replicator in each run with it: source ${w_src_cpu[*]} s, target ${w_tgt_cpu[*]} s (of 2 x ${fio_s} s) | cost < 5% |")
    kernel_readback_cost=$(median "${rb_costs[@]}")
    kernel_rows+=("| fio IOPS as above with the kernel tracker alone (the receiver stopped: nothing read or sent once the in-flight window is full), ${slice_s} s runs | with the tracker: ${w_tracker[*]}; cost per round ${trk_costs[*]} %, **median ${kernel_tracker_cost}%**; CPU of the source: ${w_trk_cpu[*]} s | cost < 5% |")
    kernel_rows+=("| fio IOPS as above beside a bare read-back: no daemon running, a second fio reading 4 KiB blocks of the same file at random, QD1, O_DIRECT, at the rate the source sent blocks in that round's run with replication (${w_sent_rate[*]} a second), ${slice_s} s runs | beside the reader: ${rbs[*]} (reads a second: ${rb_reads[*]}); cost per round ${rb_costs[*]} %, **median ${kernel_readback_cost}%** | (no target: the part of the replication cost that reading changed blocks back costs on this device) |")
    kernel_detach "$dev"
    rm -f "$img"
}
