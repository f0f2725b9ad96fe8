# Full copy with TLS in benchmarks/run.sh (sourced): the replicator with mutual TLS 1.3 (--pki
# bundles made by `replicator pki`) against `lz4 | socat` over OpenSSL with TLS 1.3 and the same
# certificates, next to the plain-TCP rows of the same run. Uses src, run_dir, tmp, size_bytes, and
# the helpers of bench-common.sh, bench-ours.sh and bench-baselines.sh.

tls_rows=()
lz4_tls_walls=()
ours_tls_walls=()

# tls_pki DIR: a CA, a target bundle named 127.0.0.1 (what the source dials) and a source bundle "bench".
tls_pki() {
    tls_dir="$1"
    "$replicator" pki init --dir "$tls_dir/ca" >"$tmp/pki.log" 2>&1 \
        && "$replicator" pki issue --dir "$tls_dir/ca" --role target --name 127.0.0.1 --out "$tls_dir/target" \
            >>"$tmp/pki.log" 2>&1 \
        && "$replicator" pki issue --dir "$tls_dir/ca" --role source --name bench --out "$tls_dir/source" \
            >>"$tmp/pki.log" 2>&1 \
        || { cat "$tmp/pki.log" >&2; return 1; }
}

# socat OPENSSL options for bundle $1: its certificate and key, only its CA trusted, TLS 1.3 only.
tls_socat_opts() {
    echo "cert=$1/node.crt,key=$1/node.key,cafile=$1/ca.crt,verify=1,openssl-min-proto-version=TLS1.3"
}

# lz4 -1 | socat OPENSSL -> socat OPENSSL-LISTEN | lz4 -d | dd, into a truncated file (a new sparse
# file, as the replicator's target writes).
full_copy_lz4_socat_tls() {
    local dst="$run_dir/lz4-socat-tls.img" port recv_pid t0 t1 wall cpu
    truncate -s "$size_bytes" "$dst"
    drop_caches
    port=$(free_port)
    start_bg lz4-tls-recv /usr/bin/time -o "$tmp/lz4-tls-recv.time" -f '%e %U %S' bash -c \
        "socat -u OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,$(tls_socat_opts "$tls_dir/target") STDOUT \
         | lz4 -d -c | dd of='$dst' bs=1M iflag=fullblock conv=notrunc,fsync status=none"
    recv_pid=$bg_pid
    wait_listening "$port" "$recv_pid" 10
    log "full copy, TLS 1.3: lz4 -1 | socat OPENSSL -> socat OPENSSL-LISTEN | lz4 -d | dd conv=notrunc,fsync"
    t0=$(now)
    /usr/bin/time -o "$tmp/lz4-tls-send.time" -f '%e %U %S' bash -c \
        "lz4 -1 --no-frame-crc -c '$src' | socat -u STDIN OPENSSL:127.0.0.1:$port,$(tls_socat_opts "$tls_dir/source")"
    wait "$recv_pid"
    t1=$(now)
    wall=$(elapsed "$t0" "$t1")
    cpu=$(add "$(time_cpu "$tmp/lz4-tls-send.time")" "$(time_cpu "$tmp/lz4-tls-recv.time")")
    verify_equal "$src" "$dst" "lz4/socat TLS full copy"
    tls_rows+=("| \`lz4 -1 --no-frame-crc \| socat OPENSSL\` -> \`socat OPENSSL-LISTEN \| lz4 -d \| dd conv=notrunc,fsync\`, TLS 1.3, mutual certificates, into a file made by \`truncate\`, round $round | $wall | $(mbps "$size_bytes" "$wall") | $cpu | yes | sender $(time_cpu "$tmp/lz4-tls-send.time") s + receiver $(time_cpu "$tmp/lz4-tls-recv.time") s CPU |")
    lz4_tls_walls+=("$wall")
    rm -f "$dst"
}

# The replicator's full copy with --pki on both daemons (a fresh target and state directory).
full_copy_ours_tls() {
    local label="$ours_label"
    ours_target_flags=(--pki "$tls_dir/target")
    ours_source_flags=(--pki "$tls_dir/source")
    ours_label="(mutual TLS 1.3: \`--pki\`)"
    ours_start_target "$run_dir/ours-tls-target"
    ours_state_name=ours-tls-state full_copy_ours tls_rows ours_tls_walls
    if ((round == rounds)); then
        tls_rows+=("| (memory of the TLS full copy, round $round) | | | | | source $((src_hwm / 1024)) MiB, target $((tgt_hwm / 1024)) MiB peak (VmHWM) |")
    fi
    ours_stop
    rm -rf "$run_dir/ours-tls-target" "$run_dir/ours-tls-state"
    ours_label=$label
    ours_target_flags=(--insecure-plaintext)
    ours_source_flags=(--insecure-plaintext)
}

tls_report() {
    local row cost
    echo
    echo "## Full copy with TLS"
    echo
    echo "Both ends authenticate with certificates of one CA made by \`replicator pki\` (EC P-256); TLS 1.3 only."
    echo "The plain-TCP rows are those of the full-copy table above (same run)."
    echo
    echo "| method | wall s | MB/s | CPU s | verified (cmp) | notes |"
    echo "|---|---:|---:|---:|---|---|"
    for row in "${tls_rows[@]}"; do echo "$row"; done
    echo
    local pipe_s ours_s plain_s
    pipe_s=$(median "${lz4_tls_walls[@]}")
    ours_s=$(median "${ours_tls_walls[@]}")
    plain_s=$(median "${ours_walls[@]}")
    echo "Medians of the $rounds rounds: \`lz4 | socat OPENSSL\` $pipe_s s ($(walls lz4_tls_walls)); replicator with TLS $ours_s s ($(walls ours_tls_walls)); replicator with plain TCP $plain_s s."
    echo
    echo "### TLS targets"
    target_line "full copy with TLS, replicator / lz4-socat-OpenSSL speed (medians)" "$(ratio "$pipe_s" "$ours_s")" 1.0 ">="
    cost=$(awk -v t="$ours_s" -v p="$plain_s" 'BEGIN {
        if (t == "-" || p == "-" || p + 0 <= 0) print "-"; else printf "%.1f", 100 * (t / p - 1) }')
    target_line "replicator, time with TLS over time with plain TCP, extra %" "$cost" 20 "<"
}
