# The two baselines of benchmarks/run.sh (sourced): lz4 | socat and rsync to a loopback daemon.
# Each appends a row to full_rows (the lz4 rows of round $round, their wall times to
# lz4_fallocate_walls / lz4_truncate_walls) / sets rsync_s, rsync_cpu; uses src, run_dir, tmp, size_bytes.
lz4_fallocate_walls=()
lz4_truncate_walls=()

# full_copy_lz4_socat fallocate|truncate: the target file is preallocated with fallocate
# (unwritten extents: ext4 converts them as it writes back) or made by truncate (a sparse file of
# the image's size, like the new files rsync and the replicator write).
full_copy_lz4_socat() {
    local mode="$1" dst="$run_dir/lz4-socat.img" port recv_pid t0 t1 wall cpu
    case "$mode" in
        fallocate) fallocate -l "$size_bytes" "$dst" ;;
        truncate) truncate -s "$size_bytes" "$dst" ;;
    esac
    drop_caches
    port=$(free_port)
    start_bg lz4-recv /usr/bin/time -o "$tmp/lz4-recv.time" -f '%e %U %S' bash -c \
        "socat -u TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr STDOUT | lz4 -d -c \
         | dd of='$dst' bs=1M iflag=fullblock conv=notrunc,fsync status=none"
    recv_pid=$bg_pid
    wait_listening "$port" "$recv_pid" 10
    log "full copy: lz4 -1 | socat -> socat | lz4 -d | dd conv=notrunc,fsync into a file made by $mode"
    t0=$(now)
    /usr/bin/time -o "$tmp/lz4-send.time" -f '%e %U %S' bash -c \
        "lz4 -1 --no-frame-crc -c '$src' | socat -u STDIN TCP:127.0.0.1:$port"
    wait "$recv_pid"
    t1=$(now)
    wall=$(elapsed "$t0" "$t1")
    cpu=$(add "$(time_cpu "$tmp/lz4-send.time")" "$(time_cpu "$tmp/lz4-recv.time")")
    verify_equal "$src" "$dst" "lz4/socat full copy ($mode)"
    full_rows+=("| \`lz4 -1 --no-frame-crc \| socat\` -> \`socat \| lz4 -d \| dd conv=notrunc,fsync\` into a file made by \`$mode\`, round $round | $wall | $(mbps "$size_bytes" "$wall") | $cpu | yes | sender $(time_cpu "$tmp/lz4-send.time") s + receiver $(time_cpu "$tmp/lz4-recv.time") s CPU |")
    case "$mode" in
        fallocate) lz4_fallocate_walls+=("$wall") ;;
        truncate) lz4_truncate_walls+=("$wall") ;;
    esac
    rm -f "$dst"
}

# lz4_best_median: the median wall time of the faster lz4 | socat mode (the replicator's baseline).
lz4_best_median() {
    local a b
    a=$(median "${lz4_fallocate_walls[@]}")
    b=$(median "${lz4_truncate_walls[@]}")
    if [[ "$a" == "-" ]]; then echo "$b"; elif [[ "$b" == "-" ]]; then echo "$a"
    else awk -v a="$a" -v b="$b" 'BEGIN { print (a + 0 < b + 0) ? a : b }'; fi
}

rsync_daemon_start() {
    local conf="$tmp/rsyncd.conf"
    rsync_port=$(free_port)
    rsync_dst="$run_dir/rsync/$(basename "$src")"
    mkdir -p "$run_dir/rsync"
    cat >"$conf" <<EOF
use chroot = false
pid file = $tmp/rsyncd.pid
log file = $tmp/rsyncd.log
uid = $(id -un)
gid = $(id -gn)
[bench]
    path = $run_dir/rsync
    read only = false
EOF
    start_bg rsyncd rsync --daemon --no-detach --config="$conf" --port="$rsync_port" --address=127.0.0.1
    rsync_pid=$bg_pid
    wait_listening "$rsync_port" "$rsync_pid" 10
}

# rsync_timed LABEL ARGS...: one rsync client run into the daemon, then fsync of the copy.
# Sets rsync_s (wall incl. fsync), rsync_xfer_s (without), rsync_cpu (client + daemon children).
rsync_timed() {
    local label="$1" t0 t1 t2 before after i
    shift
    before=$(session_stats "$rsync_pid")
    t0=$(now)
    /usr/bin/time -o "$tmp/rsync-$label.time" -f '%e %U %S' \
        rsync "$@" "$src" "rsync://127.0.0.1:$rsync_port/bench/$(basename "$src")"
    t1=$(now)
    sync "$rsync_dst"
    t2=$(now)
    # the daemon's per-connection child must be reaped before its CPU shows in the daemon's cutime
    for ((i = 0; i < 100; i++)); do
        [[ $(session_pids "$rsync_pid" | wc -l) -le 1 ]] && break
        sleep 0.1
    done
    after=$(session_stats "$rsync_pid")
    rsync_s=$(elapsed "$t0" "$t2")
    rsync_xfer_s=$(elapsed "$t0" "$t1")
    rsync_cpu=$(awk -v a="${before%% *}" -v b="${after%% *}" -v c="$(time_cpu "$tmp/rsync-$label.time")" \
        'BEGIN { printf "%.2f", b - a + c }')
}

full_copy_rsync() {
    drop_caches
    log "full copy: rsync --inplace to a loopback rsync daemon"
    rsync_timed full --inplace
    verify_equal "$src" "$rsync_dst" "rsync full copy"
    full_rows+=("| \`rsync --inplace\` to an rsync daemon on 127.0.0.1, then fsync of the copy | $rsync_s | $(mbps "$size_bytes" "$rsync_s") | $rsync_cpu | yes | transfer $rsync_xfer_s s + fsync; no file at the target before |")
    rsync_full_s=$rsync_s
}

converge_rsync() {
    drop_caches
    log "convergence: rsync --inplace --no-whole-file --ignore-times"
    # --ignore-times: rsync's quick check compares whole seconds of mtime, so a change written in
    # the second of its last run would be skipped as unchanged (seen with a small image).
    rsync_timed "conv-$pct" --inplace --no-whole-file --ignore-times
    verify_equal "$src" "$rsync_dst" "rsync after $pct% changed"
}
