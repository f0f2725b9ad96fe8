# PostgreSQL's part of benchmarks/run.sh (sourced): pgbench (TPC-B like) on ext4 on a loop device
# replicated with the kernel tracker; TPS without the daemons, with replication, and with the
# tracker alone, in alternating rounds as the fio step; lag while pgbench runs; after the last round
# pgbench's invariant on the target's copy. Needs root (loop device, mount), tracefs, and
# PostgreSQL (initdb, pg_ctl, postgres, pgbench; Debian: postgresql postgresql-contrib, installed
# here when missing), run as the user `postgres` (initdb refuses root). Every PostgreSQL server it
# starts is stopped by pg_cleanup, which the exit of run.sh calls before it unmounts.

pg_bin=
pgbench_cmd=
pg_user=postgres
pg_datas=()
pg_sock=

# pg_find: sets pg_bin to a directory with initdb, pg_ctl and postgres (Debian's
# /usr/lib/postgresql/VERSION/bin, newest first, else beside pg_ctl on the PATH) and pgbench_cmd.
pg_find() {
    local d
    pg_bin=
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
        "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"; do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
            pg_bin=$d
            break
        fi
    done
    [[ -n "$pg_bin" ]] || return 1
    if [[ -x "$pg_bin/pgbench" ]]; then
        pgbench_cmd="$pg_bin/pgbench"
    else
        pgbench_cmd=$(command -v pgbench) || return 1
    fi
}

# pg_unavailable: prints why pgbench cannot be measured here, or nothing; installs PostgreSQL
# (Debian packages postgresql, postgresql-contrib) when it is missing and this runs as root.
pg_unavailable() {
    if [[ $(id -u) != 0 ]]; then
        echo "not root (a loop device, ext4, the kernel tracker)"
    elif ! command -v losetup >/dev/null || ! command -v runuser >/dev/null; then
        echo "no losetup or runuser (util-linux)"
    elif ! grep -qw tracefs /proc/filesystems; then
        echo "the kernel has no tracefs"
    elif ! pg_find && ! { apt_install postgresql postgresql-contrib >/dev/null 2>&1 && pg_find; }; then
        echo "PostgreSQL is not installed (initdb, pg_ctl, postgres, pgbench) and apt-get could not install postgresql postgresql-contrib"
    elif ! id -u "$pg_user" >/dev/null 2>&1; then
        echo "no user '$pg_user' to run PostgreSQL as (initdb refuses root)"
    fi
}

pg_as() {
    runuser -u "$pg_user" -- "$@"
}

# pg_start PGDATA PORT LOG: starts a server on PGDATA, its socket in $pg_sock, waits until it answers.
pg_start() {
    pg_as "$pg_bin/pg_ctl" -D "$1" -l "$3" -w -t 300 -o "-p $2 -k $pg_sock -c listen_addresses=''" start >/dev/null \
        || { cat "$3" >&2; return 1; }
    pg_datas+=("$1")
}

# pg_stop PGDATA: a clean (fast) shutdown: a checkpoint, everything on disk.
pg_stop() {
    pg_as "$pg_bin/pg_ctl" -D "$1" -m fast -w -t 300 stop >/dev/null
    kernel_forget pg_datas "$1"
}

pg_cleanup() {
    local d
    for d in "${pg_datas[@]}"; do
        pg_as "$pg_bin/pg_ctl" -D "$d" -m immediate -w -t 60 stop >/dev/null 2>&1 \
            || log "could not stop the PostgreSQL server on $d"
    done
    pg_datas=()
    if [[ -n "$pg_sock" ]]; then
        rm -rf "$pg_sock"
        pg_sock=
    fi
}

# pg_sql PORT SQL: runs SQL as postgres, prints the unaligned result.
pg_sql() {
    pg_as "$pg_bin/psql" -X -q -A -t -h "$pg_sock" -p "$1" -U postgres -d postgres -c "$2"
}

# pgbench_tps PORT SECONDS LABEL: the TPC-B like transactions of pgbench (no vacuum first) for
# SECONDS; prints the TPS without the initial connection time.
pgbench_tps() {
    pg_as "$pgbench_cmd" -h "$pg_sock" -p "$1" -U postgres -n -c "${PG_CLIENTS:-4}" -j "${PG_JOBS:-2}" -T "$2" postgres \
        >"$tmp/pgbench-$3.out" 2>"$tmp/pgbench-$3.err" || { cat "$tmp/pgbench-$3.err" >&2; return 1; }
    awk '/^tps = / && /without initial connection/ { printf "%.0f", $3 }' "$tmp/pgbench-$3.out"
}

# pg_invariant PORT: "ok" when pgbench's invariant holds (the sum of the accounts' balances equals
# the sum of the history's deltas, and so do the tellers' and the branches'), else what differs.
pg_invariant() {
    local sums
    sums=$(pg_sql "$1" "SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(delta) FROM pgbench_history), (SELECT count(*) FROM pgbench_history)")
    awk -F'|' '{ if ($1 == $4 && $2 == $4 && $3 == $4) printf "ok (%s history rows, balances %s)", $5, $4
                 else printf "NOT ok: accounts %s, tellers %s, branches %s, history %s", $1, $2, $3, $4 }' <<<"$sums"
}

# pg_invariant_on_copy IMAGE DIR: mounts the target's copy IMAGE (a loop device), starts PostgreSQL on
# it, sets pg_copy_invariant to pg_invariant, and stops, unmounts and detaches again. (Not a command
# substitution: a subshell would forget what the cleanup must undo.)
pg_invariant_on_copy() {
    local img="$1" mnt="$2/copy-mnt" port copy_dev
    mkdir -p "$mnt"
    kernel_loop "$img"
    copy_dev=$kernel_dev
    mount "$copy_dev" "$mnt"
    kernel_mounts+=("$mnt")
    port=$(free_port)
    pg_start "$mnt/pgdata" "$port" "$mnt/pgdata/pg.log"
    pg_copy_invariant=$(pg_invariant "$port")
    pg_stop "$mnt/pgdata"
    kernel_umount "$mnt"
    kernel_detach "$copy_dev"
}

# pg_run SECONDS LABEL: pgbench_tps on the server of the pgbench step (its port).
pg_run() {
    pgbench_tps "$port" "$1" "$2"
}

# pgbench_step DIR: the step. Env: PG_SCALE (default 20: about 300 MiB of tables and indexes, ten
# times shared_buffers), PG_SECONDS (60: each run with replication; the others a third), PG_ROUNDS
# (3), PG_CLIENTS (4), PG_JOBS (2), PG_DEVICE_GIB (3).
pgbench_step() {
    local dir="$1" dev mnt pgdata port pg_s=${PG_SECONDS:-60} rounds=${PG_ROUNDS:-3} scale=${PG_SCALE:-20}
    local slice_s r offs=() on_costs=() trk_costs=()
    local data_mib invariant="-" t0 init_s version jsonl="$tmp/pg-status.jsonl"
    slice_s=$(( pg_s / 3 > 5 ? pg_s / 3 : 5 ))
    # pg_unavailable ran in a command substitution: find the binaries again in this shell.
    pg_find
    mkdir -p "$dir"
    # The server runs as $pg_user: it must reach its data directory under the run directory.
    chmod o+x "$run_dir" "$dir"
    workload_ext4 "$dir" "${PG_DEVICE_GIB:-3}G"
    dev=$workload_dev mnt=$workload_mnt
    pgdata="$mnt/pgdata"
    install -d -o "$pg_user" -m 700 "$pgdata"
    pg_sock=$(mktemp -d /tmp/replicator-pg.XXXXXX)
    chown "$pg_user" "$pg_sock"
    pg_as "$pg_bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
        || { cat "$tmp/initdb.log" >&2; return 1; }
    # shared_buffers far smaller than the tables, so that pgbench reads and writes the device; every
    # commit waits for its WAL on disk.
    cat >>"$pgdata/postgresql.conf" <<CONF
shared_buffers = 32MB
synchronous_commit = on
fsync = on
full_page_writes = on
max_wal_size = 1GB
CONF
    port=$(free_port)
    pg_start "$pgdata" "$port" "$pgdata/pg.log"
    version=$("$pg_bin/postgres" --version | awk '{ print $3 }')
    log "pgbench: PostgreSQL $version on ext4 on $dev; initializing scale $scale"
    t0=$(now)
    pg_as "$pgbench_cmd" -h "$pg_sock" -p "$port" -U postgres -i -q -s "$scale" postgres >"$tmp/pgbench-init.log" 2>&1 \
        || { cat "$tmp/pgbench-init.log" >&2; return 1; }
    pg_sql "$port" "CHECKPOINT" >/dev/null
    init_s=$(elapsed "$t0" "$(now)")
    data_mib=$(( $(pg_sql "$port" "SELECT pg_database_size('postgres')") >> 20 ))
    workload_target_tmpfs "$dir/target" "$(( ${PG_DEVICE_GIB:-3} + 1 ))G"
    kernel_idle_hold
    log "pgbench: $rounds rounds of ${slice_s} s without the daemons, ${pg_s} s with replication, ${slice_s} s with the tracker alone; then ${slice_s} s without (database $data_mib MiB, shared_buffers 32MB; $kernel_idle_note)"
    pgbench_tps "$port" 10 warmup >/dev/null
    : >"$jsonl"
    workload_reset
    for ((r = 1; r <= rounds; r++)); do
        offs+=("$(pgbench_tps "$port" "$slice_s" "off-$r")")
        workload_round pg_run "$dev" pg "$dir" "$r" "$rounds" "$pg_s" "$slice_s" "$jsonl"
        if ((r == rounds)); then
            # A clean stop puts everything on the device; then check pgbench's invariant on the
            # target's copy with a server of its own.
            pg_stop "$pgdata"
            workload_final "$mnt" "$dev" "$dir/target/bench/pg.img" "replicator after pgbench on ext4"
            pg_invariant_on_copy "$dir/target/bench/pg.img" "$dir"
            invariant=$pg_copy_invariant
            log "pgbench invariant on the target's copy: $invariant"
            mount "$dev" "$mnt"
            kernel_mounts+=("$mnt")
            pg_start "$pgdata" "$port" "$pgdata/pg.log"
        fi
    done
    offs+=("$(pgbench_tps "$port" "$slice_s" "off-$((rounds + 1))")")
    kernel_idle_release
    pg_stop "$pgdata"
    kernel_umount "$mnt"
    kernel_umount "$dir/target"
    for ((r = 0; r < rounds; r++)); do
        on_costs+=("$(cost_percent "${offs[$r]}" "${offs[$((r + 1))]}" "${w_on[$r]}")")
        trk_costs+=("$(cost_percent "${offs[$r]}" "${offs[$((r + 1))]}" "${w_tracker[$r]}")")
    done
    log "pgbench TPS without the daemons: ${offs[*]}; with replication: ${w_on[*]}; with the tracker alone: ${w_tracker[*]}"
    lag_summary "$jsonl" pg
    pg_tps_cost=$(median "${on_costs[@]}")
    pg_tracker_cost=$(median "${trk_costs[@]}")
    pg_lag_p99=$lag_p99
    pg_rows+=("| pgbench: PostgreSQL $version, scale $scale ($data_mib MiB, initialized in $init_s s), shared_buffers 32MB, synchronous_commit on, ${PG_CLIENTS:-4} clients, ${PG_JOBS:-2} threads, TPC-B like, no vacuum before a run, on ext4 on a ${PG_DEVICE_GIB:-3} GiB loop device; $kernel_idle_note | | |")
    pg_rows+=("| lag_ms while pgbench runs (status every 200 ms over the $rounds runs of ${pg_s} s, $lag_samples samples) | p50 $lag_p50 ms, p99 $lag_p99 ms, max $lag_max ms; pacing states sampled: $(pacing_states "$jsonl") | p99 < 1000 ms |")
    pg_rows+=("| pgbench TPS; $rounds rounds, each run with the daemons against the mean of the runs without just before and after | without (${slice_s} s runs): ${offs[*]}; with the kernel tracker and replication (${pg_s} s): ${w_on[*]}; cost per round ${on_costs[*]} %, **median ${pg_tps_cost}%**; CPU of the replicator in each run with it: source ${w_src_cpu[*]} s, target ${w_tgt_cpu[*]} s (of 2 x ${pg_s} s) | cost < 10% |")
    pg_rows+=("| pgbench TPS with the kernel tracker alone (the receiver stopped), ${slice_s} s runs | with the tracker: ${w_tracker[*]}; cost per round ${trk_costs[*]} %, **median ${pg_tracker_cost}%**; CPU of the source: ${w_trk_cpu[*]} s | |")
    pg_rows+=("| pgbench's invariant on the target's copy after the last round (PostgreSQL stopped cleanly, the file system unmounted, \`replicator sync\`, the copy compared with cmp, then a server started on it): sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta) | $invariant | ok |")
    kernel_detach "$dev"
    rm -f "$workload_img"
}
