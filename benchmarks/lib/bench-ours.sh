# ./replicator in benchmarks/run.sh (sourced), driven only through its command-line contract:
#   replicator target --listen HOST:PORT --data-dir DIR (--insecure-plaintext | --pki BUNDLE)
#   replicator source --target HOST:PORT --volume PATH=NAME --state-dir DIR --id bench --admin HOST:PORT --tracker T
#                     (--insecure-plaintext | --pki BUNDLE)
#   replicator status|sync --admin HOST:PORT --json
# The target image of volume NAME lands in DIR/bench/NAME.img. REPLICATOR_TARGET_FLAGS adds flags to the
# target (e.g. --no-journal, to measure the receiver without its journal).

startup_timeout_s=300 # a fresh clone builds on first start
# Transport of the daemons: plain TCP on loopback here; bench-tls.sh sets --pki bundles for its rows.
ours_target_flags=(--insecure-plaintext)
ours_source_flags=(--insecure-plaintext)
ours_label="(plain TCP: \`--insecure-plaintext\`)"

ours_start_target() {
    ours_data_dir="$1"
    mkdir -p "$ours_data_dir"
    ours_target_port=$(free_port)
    start_bg ours-target "$replicator" target --listen "127.0.0.1:$ours_target_port" --data-dir "$ours_data_dir" \
        "${ours_target_flags[@]}" ${REPLICATOR_TARGET_FLAGS:-}
    ours_target_pid=$bg_pid
    log "replicator target pid $ours_target_pid on port $ours_target_port (waiting for it to listen)"
    wait_listening "$ours_target_port" "$ours_target_pid" "$startup_timeout_s" || { tail -20 "$tmp/ours-target.log" >&2; return 1; }
}

# ours_start_source VOLUME_PATH NAME STATE_DIR LOGNAME [TRACKER (default: scan)]
ours_start_source() {
    mkdir -p "$3"
    ours_admin_port=$(free_port)
    start_bg "$4" "$replicator" source --target "127.0.0.1:$ours_target_port" --volume "$1=$2" \
        --state-dir "$3" --id bench --admin "127.0.0.1:$ours_admin_port" --tracker "${5:-scan}" "${ours_source_flags[@]}" \
        "${ours_source_extra[@]}"
    ours_source_pid=$bg_pid
    wait_listening "$ours_admin_port" "$ours_source_pid" "$startup_timeout_s" || { tail -20 "$tmp/$4.log" >&2; return 1; }
}

# ours_cli LABEL COMMAND: runs `replicator COMMAND --admin ... --json` under /usr/bin/time;
# its JSON goes to $tmp/LABEL.json.
ours_cli() {
    /usr/bin/time -o "$tmp/$1.time" -f '%e %U %S' \
        "$replicator" "$2" --admin "127.0.0.1:$ours_admin_port" --json >"$tmp/$1.json" 2>"$tmp/$1.err" \
        || { log "replicator $2 failed:"; cat "$tmp/$1.err" "$tmp/$1.json" >&2; return 1; }
}

# json_volume FILE NAME FIELD: a field of one volume in a status JSON file
json_volume() {
    python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
vols = [v for v in doc.get('volumes', []) if v.get('name') == sys.argv[2]]
print(vols[0].get(sys.argv[3], '-') if vols else '-')
PY
}

# full_copy_ours [ROWS WALLS]: appends its row to the array named ROWS and its wall time to WALLS
# (default full_rows and ours_walls, and in the last round the memory rows).
ours_walls=()
full_copy_ours() {
    local -n rows="${1:-full_rows}"
    local -n round_walls="${2:-ours_walls}"
    local t0 t1 wall tgt_before tgt_after src_after cpu dst="$ours_data_dir/bench/$volume_name.img"
    drop_caches
    tgt_before=$(session_stats "$ours_target_pid")
    log "full copy: replicator source -> target, until \`replicator sync\` returns"
    t0=$(now)
    ours_start_source "$ours_volume" "$volume_name" "$run_dir/${ours_state_name:-ours-state}" ours-source "$ours_tracker"
    ours_cli full-sync sync
    t1=$(now)
    wall=$(elapsed "$t0" "$t1")
    src_after=$(session_stats "$ours_source_pid")
    tgt_after=$(session_stats "$ours_target_pid")
    ours_cli full-status status
    verify_equal "$src" "$dst" "replicator full copy"
    ours_dst=$dst
    read -r src_cpu src_hwm _ _ <<<"$src_after"
    read -r tgt_cpu tgt_hwm _ _ <<<"$tgt_after"
    tgt_cpu=$(awk -v a="${tgt_before%% *}" -v b="$tgt_cpu" 'BEGIN { printf "%.2f", b - a }')
    cpu=$(awk -v a="$src_cpu" -v b="$tgt_cpu" -v c="$(time_cpu "$tmp/full-sync.time")" 'BEGIN { printf "%.2f", a + b + c }')
    rows+=("| \`replicator source\` -> \`replicator target\` ($ours_tracker tracker) $ours_label, until \`replicator sync\` returns, round $round | $wall | $(mbps "$size_bytes" "$wall") | $cpu | yes | source $src_cpu s + target $tgt_cpu s + sync CLI $(time_cpu "$tmp/full-sync.time") s CPU; sent_bytes $(json_volume "$tmp/full-status.json" "$volume_name" sent_bytes); includes the source's start-up |")
    ours_full_s=$wall
    round_walls+=("$wall")
    # memory rows only for the plain copy of the last round
    if [[ -n "${1:-}" ]] || ((round < rounds)); then
        return 0
    fi
    rss_rows+=("| full copy of the $size_mib MiB image | source | $((src_hwm / 1024)) MiB peak (VmHWM) | $wall s |")
    rss_rows+=("| full copy of the $size_mib MiB image | target | $((tgt_hwm / 1024)) MiB peak (VmHWM) | $wall s |")
}

converge_ours() {
    local t0 t1 before_s before_t after_s after_t
    drop_caches
    before_s=$(session_stats "$ours_source_pid")
    before_t=$(session_stats "$ours_target_pid")
    # The daemon replicates continuously: convergence is how long after the change the target holds
    # it durable, which POST /sync on the admin endpoint (what `replicator sync` calls) answers.
    log "convergence: POST /sync on the source's admin endpoint"
    t0=$(now)
    /usr/bin/time -o "$tmp/conv-$pct-sync.time" -f '%e %U %S' \
        curl -sS -f -X POST -H 'Content-Type: application/json' -H "$(admin_auth "$ours_admin_port")" -d '{}' \
        "http://127.0.0.1:$ours_admin_port/sync" >"$tmp/conv-$pct-sync.json" 2>"$tmp/conv-$pct-sync.err" \
        || { log "POST /sync failed:"; cat "$tmp/conv-$pct-sync.err" "$tmp/conv-$pct-sync.json" >&2; return 1; }
    t1=$(now)
    after_s=$(session_stats "$ours_source_pid")
    after_t=$(session_stats "$ours_target_pid")
    ours_s=$(elapsed "$t0" "$t1")
    ours_cpu=$(awk -v a="${before_s%% *}" -v b="${after_s%% *}" -v c="${before_t%% *}" -v d="${after_t%% *}" \
        -v e="$(time_cpu "$tmp/conv-$pct-sync.time")" 'BEGIN { printf "%.2f", b - a + d - c + e }')
    verify_equal "$src" "$ours_dst" "replicator after $pct% changed"
    # The same question through the command line once nothing is left to send: the CLI's own cost
    # (JVM start), which an admin typing `replicator sync` adds.
    t0=$(now)
    ours_cli "conv-$pct-cli" sync
    ours_cli_s=$(elapsed "$t0" "$(now)")
}

# ours_sent_bytes: the source's sent_bytes of the volume, from its admin endpoint.
ours_sent_bytes() {
    curl -sS -f -H "$(admin_auth "$ours_admin_port")" "http://127.0.0.1:$ours_admin_port/status" >"$tmp/sent-status.json" \
        && json_volume "$tmp/sent-status.json" "$volume_name" sent_bytes
}

ours_stop() {
    stop_session "$ours_source_pid"
    stop_session "$ours_target_pid"
}

# sparse_rss DIR: a 1 TiB sparse volume (all holes) through a fresh source and target; RSS of
# both once the initial pass is over or after --sparse-wait-s, whichever comes first.
sparse_rss() {
    local dir="$1" vol="$1/volume.img" tracker=scan t0 synced size waited state guard_kib used_kib srcs tgts outcome
    mkdir -p "$dir"
    truncate -s 1T "$vol"
    if [[ -z "$kernel_why" ]]; then
        kernel_loop "$vol"
        vol=$kernel_dev
        tracker=kernel
    fi
    guard_kib=$((4 * 1024 * 1024)) # the target may write at most 4 GiB for 1 TiB of holes
    ours_start_target "$dir/target"
    log "1 TiB sparse volume: waiting up to $sparse_wait_s s for the initial pass"
    t0=$SECONDS
    ours_start_source "$vol" sparse "$dir/state" ours-sparse-source "$tracker"
    outcome="initial pass not finished after $sparse_wait_s s"
    while true; do
        ours_cli sparse-status status
        synced=$(json_volume "$tmp/sparse-status.json" sparse synced_bytes)
        size=$(json_volume "$tmp/sparse-status.json" sparse size_bytes)
        if [[ "$synced" =~ ^[0-9]+$ && "$size" =~ ^[0-9]+$ && "$size" -gt 0 && "$synced" -ge "$size" ]]; then
            outcome="initial pass over the whole 1 TiB finished"
            break
        fi
        used_kib=$(du -sk "$dir/target" | cut -f1)
        if ((used_kib > guard_kib)); then
            outcome="stopped: the target had allocated $((used_kib >> 10)) MiB on disk for an all-hole volume"
            break
        fi
        ((SECONDS - t0 >= sparse_wait_s)) && break
        sleep 5
    done
    waited=$((SECONDS - t0))
    sleep 5 # idle
    srcs=$(session_stats "$ours_source_pid")
    tgts=$(session_stats "$ours_target_pid")
    state="$(awk -v s="$synced" -v z="$size" 'BEGIN { if (z > 0) printf "%.1f%%", 100 * s / z; else print "-" }') synced after $waited s"
    read -r _ hwm rss _ <<<"$srcs"
    rss_rows+=("| 1 TiB sparse volume ($tracker tracker), idle ($outcome) | source | $((rss / 1024)) MiB now (VmRSS), $((hwm / 1024)) MiB peak | $state |")
    read -r _ hwm rss _ <<<"$tgts"
    rss_rows+=("| 1 TiB sparse volume ($tracker tracker), idle ($outcome) | target | $((rss / 1024)) MiB now (VmRSS), $((hwm / 1024)) MiB peak | target allocated $(du -sk "$dir/target" | cut -f1) KiB |")
    ours_stop
    [[ "$tracker" == kernel ]] && kernel_detach "$vol"
    return 0
}
