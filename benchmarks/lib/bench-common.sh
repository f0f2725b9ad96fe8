# Helpers shared by benchmarks/run.sh: sourced, not run. Processes are started in their own
# session (setsid) so that one signal to the session stops a daemon and everything it forked,
# and so that their CPU time and memory can be read from /proc by session id.

# usage_from_header LAST: prints the script's header comment (lines 2 to LAST) as its usage, exits 2.
usage_from_header() {
    sed -n "2,${1}p" "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

log() {
    printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

now() {
    date +%s.%N
}

# admin_auth PORT: the header that authenticates a request to the admin endpoint on PORT, with the
# token its daemon wrote for its own user (root: /run/replicator; see docs/security.md).
admin_auth() {
    local dir
    if [ "$(id -u)" = 0 ]; then dir=/run/replicator
    elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then dir="$XDG_RUNTIME_DIR/replicator"
    else dir="${TMPDIR:-/tmp}/replicator-$(id -un)"; fi
    printf 'Authorization: Bearer %s' "$(cat "$dir/admin-$1.token")"
}

# Seconds from $1 to $2 with two decimals.
elapsed() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# MB/s (10^6 bytes) for $1 bytes in $2 seconds.
mbps() {
    awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / 1e6 / s; else print "-" }'
}

# $1 / $2 with two decimals, or "-" when either is missing.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 <= 0) print "-"; else printf "%.2f", a / b }'
}

# median VALUES...: the median of the numbers given ("-" when none), the mean of the middle two
# for an even count.
median() {
    if (($# == 0)); then
        echo -
        return
    fi
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# walls NAME: the values of the array NAME joined with " / " (the wall times of every round).
walls() {
    local -n values="$1"
    local IFS=/
    echo "${values[*]}" | sed 's|/| / |g'
}

add() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'
}

apt_install() {
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

need_tools() {
    local missing=() pair
    for pair in socat:socat rsync:rsync lz4:lz4 python3:python3 openssl:openssl cmp:diffutils curl:curl \
        setsid:util-linux fallocate:util-linux; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [[ -x /usr/bin/time ]] || missing+=(time)
    if ((${#missing[@]} > 0)); then
        apt_install $(printf '%s\n' "${missing[@]}" | sort -u)
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether something listens on TCP port $1 (read from /proc: connecting would use up a one-shot listener).
is_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'substr($2, length($2) - 4) == p && $4 == "0A" { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6
}

# wait_listening PORT PID TIMEOUT_S: waits until PORT listens; fails if PID exits first.
wait_listening() {
    local port="$1" pid="$2" deadline=$((SECONDS + $3))
    while ! is_listening "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "process $pid exited before listening on port $port"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            log "nothing listens on port $port after $3 s"
            return 1
        fi
        sleep 0.05
    done
}

cache_dropped=unknown
drop_caches() {
    sync
    if echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
        if [[ "$cache_dropped" == unknown ]]; then cache_dropped=yes; fi
    else
        cache_dropped=no
    fi
}

# start_bg LOGNAME COMMAND...: starts COMMAND in a new session; its pid (= session id) goes to $bg_pid.
start_bg() {
    local name="$1"
    shift
    setsid "$@" >"$tmp/$name.log" 2>&1 &
    bg_pid=$!
    pids+=("$bg_pid")
}

# stop_session PID: TERM to the whole session, KILL after 15 s, then reaps the leader.
stop_session() {
    local pid="$1" i
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        session_alive "$pid" || break
        sleep 0.1
    done
    if session_alive "$pid"; then
        log "session $pid ignored TERM for 15 s: KILL"
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

session_alive() {
    [[ -n "$(session_pids "$1")" ]]
}

session_pids() {
    local sid="$1" stat rest f
    for stat in /proc/[0-9]*/stat; do
        read -r rest 2>/dev/null <"$stat" || continue
        rest="${rest##*) }"
        read -ra f <<<"$rest"
        # f[0] state, f[1] ppid, f[2] pgrp, f[3] session; zombies count as gone
        [[ "${f[3]}" == "$sid" && "${f[0]}" != Z ]] && echo "${stat//[^0-9]/}"
    done
    return 0
}

# session_stats SID: "cpu_s hwm_kib rss_kib procs" over the live processes of a session: CPU is
# user+sys of each plus what it reaped (so exited children count); memory is the largest process's.
session_stats() {
    python3 - "$1" <<'PY'
import os, sys
sid, hz = int(sys.argv[1]), os.sysconf('SC_CLK_TCK')
cpu = hwm = rss = procs = 0
for p in filter(str.isdigit, os.listdir('/proc')):
    try:
        stat = open(f'/proc/{p}/stat').read()
        status = open(f'/proc/{p}/status').read()
    except OSError:
        continue
    f = stat[stat.rindex(')') + 2:].split()
    if int(f[3]) != sid or f[0] == 'Z':
        continue
    procs += 1
    cpu += sum(int(x) for x in f[11:15])
    mem = dict(line.split(':', 1) for line in status.splitlines() if ':' in line)
    hwm = max(hwm, int(mem.get('VmHWM', '0 kB').split()[0]))
    rss = max(rss, int(mem.get('VmRSS', '0 kB').split()[0]))
print(f"{cpu / hz:.2f} {hwm} {rss} {procs}")
PY
}

# "%e %U %S" file of /usr/bin/time -> user+sys seconds
time_cpu() {
    tail -1 "$1" | awk '{ printf "%.2f", $2 + $3 }'
}

verify_equal() {
    local a="$1" b="$2" what="$3"
    if ! cmp -s "$a" "$b"; then
        log "VERIFY FAILED: $what: $b differs from $a"
        cmp "$a" "$b" | head -1 >&2 || true
        return 1
    fi
    log "verified: $what"
}

# change_blocks IMAGE PERCENT SEED [DEVICE]: overwrites PERCENT% of the 4 KiB blocks of IMAGE, at
# distinct seeded offsets, with seeded random bytes, through DEVICE when given (a loop device over
# IMAGE, so that the kernel sees the writes); fsyncs; prints how many blocks changed.
change_blocks() {
    python3 - "$1" "$2" "$3" "$block_bytes" "${4:-$1}" <<'PY'
import os, random, sys
image, pct, seed, block, path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
blocks = os.path.getsize(image) // block
n = max(1, round(blocks * pct / 100))
rnd = random.Random(f"{seed}/{pct}")
offsets = sorted(rnd.sample(range(blocks), n))
data = rnd.randbytes(n * block)
fd = os.open(path, os.O_WRONLY)
try:
    for i, b in enumerate(offsets):
        os.pwrite(fd, data[i * block:(i + 1) * block], b * block)
    os.fsync(fd)
finally:
    os.close(fd)
print(n)
PY
}

# start_run PREFIX: the run's directory (work/PREFIX.XXXXXX, its tmp), the results file
# (results/RUN.md), the load and uptime at the start, and the cleanup at exit.
start_run() {
    load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
    uptime_at_start="$(uptime)"
    run_dir="$(mktemp -d "$work/$1.XXXXXX")"
    tmp="$run_dir/tmp"
    mkdir -p "$tmp" "$here/results"
    results_dir="$here/results"
    results="$results_dir/$run_name.md"
    pids=()
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

cleanup() {
    local rc=$? pid
    for pid in "${pids[@]}"; do
        session_alive "$pid" && stop_session "$pid"
    done
    # PostgreSQL before the unmounts: its data directory lies on one.
    if declare -F pg_cleanup >/dev/null; then
        pg_cleanup
    fi
    if declare -F kernel_cleanup >/dev/null; then
        kernel_cleanup
    fi
    if [[ -n "${run_dir:-}" && -d "$run_dir" ]]; then
        if $keep; then
            log "kept $run_dir"
        else
            rm -rf "$run_dir"
        fi
    fi
    exit "$rc"
}
