#!/usr/bin/env bash
# Wave cutover downtime: N servers (default 8), each an ext4 file system on a loop device under a
# steady write load, each replicated by its own source daemon to one receiver on loopback (plain
# TCP). Each round cuts the N servers over together (`replicator cutover --wave FILE`), then each
# alone, one after another (`replicator cutover --admin A --freeze M`); after each cutover the seal
# is lifted on both sides (`replicator release`) and the next cutover catches up first.
# Reports p50/p99 of each server's freeze time and of the wave's downtime (first freeze to last
# verified) against the single-server cutovers, and which verification each cutover used
# (incremental by default; --full-verify hashes every block while frozen). Root only (loop devices,
# fsfreeze). Runs unattended: whatever ends it (failure, signal), it thaws, stops what it started,
# unmounts and detaches; a later run first clears what a run killed outright (-9) left behind.
#
# Usage: benchmarks/wave-cutover.sh [--servers N] [--rounds N] [--size-mib N] [--write-kib-s N]
#                                   [--tracker auto|kernel|scan] [--full-verify] [--work DIR]
#                                   [--name RUN] [--keep]
# env REPLICATOR: the replicator command (default: the repository's ./replicator).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/bench-common.sh"
replicator="${REPLICATOR:-$here/../replicator}"
work="$here/work"
servers=8
rounds=5
size_mib=64
write_kib_s=512
tracker=auto
run_name="wave-$(date -u +%Y%m%dT%H%M%SZ)"
keep=false
verify_flags=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --servers) servers="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --size-mib) size_mib="$2"; shift 2 ;;
        --write-kib-s) write_kib_s="$2"; shift 2 ;;
        --tracker) tracker="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --name) run_name="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --full-verify) verify_flags=(--full-verify); shift ;;
        *) usage_from_header 16 ;;
    esac
done
if [[ "$(id -u)" != 0 ]]; then
    echo "wave-cutover.sh needs root (loop devices, mkfs.ext4, fsfreeze)" >&2
    exit 1
fi

need_tools

mkdir -p "$work"
work="$(cd "$work" && pwd)"

# Clears what earlier runs whose shell is gone (killed outright) left behind in $work: thaws and
# lazily unmounts their mounts, detaches their loop devices. Their directories stay (maybe --keep).
sweep_leftovers() {
    local old owner m d
    for old in "$work"/wave.*; do
        [[ -d "$old" ]] || continue
        owner="$(cat "$old/owner.pid" 2>/dev/null || true)"
        if [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null; then
            continue
        fi
        for m in "$old"/mnt-*; do
            if mountpoint -q "$m" 2>/dev/null; then
                log "a killed run left $m mounted: thawing and unmounting it"
                fsfreeze --unfreeze "$m" 2>/dev/null || true
                umount "$m" 2>/dev/null || umount --lazy "$m" 2>/dev/null || true
            fi
        done
        for d in $(losetup --list --noheadings --output NAME,BACK-FILE 2>/dev/null \
            | awk -v dir="$old/" 'index($2, dir) == 1 { print $1 }'); do
            log "a killed run left $d attached: detaching it"
            losetup --detach "$d" 2>/dev/null || true
        done
    done
}
sweep_leftovers
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
uptime_at_start="$(uptime)"
run_dir="$(mktemp -d "$work/wave.XXXXXX")"
echo $$ >"$run_dir/owner.pid"
tmp="$run_dir/tmp"
mkdir -p "$tmp" "$here/results"
results="$here/results/$run_name.md"
samples="$run_dir/samples.csv"
pids=()
mounts=()
devices=()

# Thaws every mount first (a writer blocked on a frozen file system would not stop), then stops
# the daemons and writers (cleanup), then thaws again (a freeze guard killed outright leaves its
# freeze), unmounts (lazily when busy, so that the device detaches once released) and detaches.
kernel_cleanup() {
    local m d
    for m in "${mounts[@]}"; do
        fsfreeze --unfreeze "$m" 2>/dev/null || true
        umount "$m" 2>/dev/null || umount --lazy "$m" 2>/dev/null || log "cannot unmount $m"
    done
    for d in "${devices[@]}"; do
        losetup --detach "$d" 2>/dev/null || true
    done
}
on_exit() {
    local rc=$? m
    set +e # the cleanup runs to its end whatever fails in it; a second signal does not cut it short
    trap '' INT TERM HUP
    for m in "${mounts[@]}"; do
        fsfreeze --unfreeze "$m" 2>/dev/null || true
    done
    (exit "$rc")
    cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

# The application of one server: 16 KiB records over a 16 MiB file at RATE KiB/s, fsync every 100 ms.
# The program is written to a file first: a command started in the background reads /dev/null, not a
# here-document given to the function that starts it.
start_writer() {
    [[ -f "$tmp/writer.py" ]] || cat >"$tmp/writer.py" <<'PY'
import os, sys, time
path, rate = sys.argv[1], int(sys.argv[2]) * 1024
record, span = os.urandom(16384), 16 << 20
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
offset, tick = 0, 0.1
while True:
    start = time.monotonic()
    for _ in range(max(1, int(rate * tick) // len(record))):
        os.pwrite(fd, record, offset)
        offset = (offset + len(record)) % span
    os.fsync(fd)
    time.sleep(max(0.0, tick - (time.monotonic() - start)))
PY
    start_bg "writer-$1" python3 "$tmp/writer.py" "$2/app.dat" "$write_kib_s"
    sleep 0.5
    kill -0 "$bg_pid" 2>/dev/null || { echo "the writer of server $1 stopped at once:" >&2; cat "$tmp/writer-$1.log" >&2; exit 1; }
}

receiver_port=$(free_port)
receiver_admin_port=$(free_port)
start_bg receiver "$replicator" target --listen "127.0.0.1:$receiver_port" --data-dir "$run_dir/data" \
    --admin "127.0.0.1:$receiver_admin_port" --insecure-plaintext
receiver_pid=$bg_pid
wait_listening "$receiver_port" "$receiver_pid" 300 || { tail -20 "$tmp/receiver.log" >&2; exit 1; }
receiver_admin="127.0.0.1:$receiver_admin_port"
log "receiver on port $receiver_port, admin $receiver_admin"

admins=()
ids=()
for ((i = 1; i <= servers; i++)); do
    img="$run_dir/disk-$i.img"
    truncate -s "${size_mib}M" "$img"
    dev=$(losetup --find --show "$img")
    devices+=("$dev")
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
    mnt="$run_dir/mnt-$i"
    mkdir -p "$mnt"
    mount "$dev" "$mnt"
    mounts+=("$mnt")
    start_writer "$i" "$mnt"
    port=$(free_port)
    start_bg "source-$i" "$replicator" source --target "127.0.0.1:$receiver_port" --volume "$dev=root" \
        --state-dir "$run_dir/state-$i" --id "server$i" --admin "127.0.0.1:$port" --tracker "$tracker" \
        --insecure-plaintext
    wait_listening "$port" "$bg_pid" 300 || { tail -20 "$tmp/source-$i.log" >&2; exit 1; }
    admins+=("127.0.0.1:$port")
    ids+=("server$i")
done
log "$servers servers: ${size_mib} MiB ext4 each, written at $write_kib_s KiB/s, tracker $tracker"

wave_file="$run_dir/wave.txt"
for ((i = 0; i < servers; i++)); do
    echo "${admins[$i]} ${mounts[$i]}"
done >"$wave_file"

# release I: lifts server I's seal on the receiver, then on its source, which resumes.
release() {
    "$replicator" release --admin "$receiver_admin" --source "${ids[$1]}" >>"$tmp/release.log" 2>&1
    "$replicator" release --admin "${admins[$1]}" >>"$tmp/release.log" 2>&1
}

# await_copied: every source has copied its volume once and replicates.
await_copied() {
    local i
    for ((i = 0; i < servers; i++)); do
        "$replicator" sync --admin "${admins[$i]}" --json --timeout 10m >"$tmp/sync-$i.json" \
            || { log "server $((i + 1)) did not catch up"; cat "$tmp/sync-$i.json" >&2; exit 1; }
    done
}

# record KIND ROUND FILE: appends to the samples, from the cutover report FILE, a line per server:
# its freeze time (freeze to thaw), the wave's downtime (first freeze to last verified), its own
# final sync (its freeze to its verification), the wave's freeze skew (first to last freeze) and
# its commit (last verified to last thawed).
record() {
    python3 - "$1" "$2" "$3" >>"$samples" <<'PY'
import json, sys
from datetime import datetime
kind, rnd, path = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(path))
if doc.get("result") != "ok":
    sys.exit(f"{kind} cutover of round {rnd} failed: {doc.get('failed_server')}: {doc.get('reason')}")
def t(text):
    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "." + (fraction + "000000")[:6])
def ms(a, b):
    return round((t(b) - t(a)).total_seconds() * 1000)
servers = doc["servers"]
skew = ms(min(s["freeze_started_utc"] for s in servers), max(s["freeze_started_utc"] for s in servers))
commit = ms(doc["last_verified_utc"], max(s["thawed_utc"] for s in servers))
for s in servers:
    own = ms(s["freeze_started_utc"], s["verified_utc"])
    how = (s.get("verification") or "unknown").split(" ")[0]
    print(f"{kind},{rnd},{s['source']},{s['freeze_ms']},{doc['wave_downtime_ms']},{own},{skew},{commit},{how}")
PY
}

# run_cutover NAME ARGS...: `replicator cutover ARGS` in a session of its own, output in $tmp/NAME.out
# and .err: a signal to this script interrupts the wait and the cleanup stops that session too.
run_cutover() {
    local name="$1" pid
    shift
    setsid "$replicator" cutover "$@" --json --timeout 10m "${verify_flags[@]}" --report "$tmp/$name.json" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids+=("$pid")
    wait "$pid" || { cat "$tmp/$name.err" >&2; return 1; }
}

await_copied
echo "kind,round,server,freeze_ms,wave_downtime_ms,own_ms,skew_ms,commit_ms,verification" >"$samples"
for ((round = 1; round <= rounds; round++)); do
    log "round $round of $rounds: the wave of $servers"
    run_cutover "wave-$round" --wave "$wave_file" || exit 1
    record wave "$round" "$tmp/wave-$round.json"
    for ((i = 0; i < servers; i++)); do
        release "$i"
    done
    log "round $round of $rounds: $servers single cutovers, one after another"
    for ((i = 0; i < servers; i++)); do
        run_cutover "single-$round-$i" --admin "${admins[$i]}" --freeze "${mounts[$i]}" || exit 1
        record single "$round" "$tmp/single-$round-$i.json"
        release "$i"
    done
done
uptime_at_end="$(uptime)"

python3 - "$samples" "$servers" "$rounds" "$size_mib" "$write_kib_s" "$tracker" "$uptime_at_start" \
    "$uptime_at_end" "$run_name" >"$results" <<'PY'
import csv, math, sys
path, servers, rounds, size_mib, rate, tracker, up0, up1, name = sys.argv[1:]
rows = list(csv.DictReader(open(path)))

def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)] if v else float("nan")

wave = [r for r in rows if r["kind"] == "wave"]
single = [r for r in rows if r["kind"] == "single"]
wave_downtime = {r["round"]: int(r["wave_downtime_ms"]) for r in wave}
slowest_single = {}
for r in single:
    slowest_single[r["round"]] = max(slowest_single.get(r["round"], 0), int(r["wave_downtime_ms"]))
wave_freeze = [int(r["freeze_ms"]) for r in wave]
single_freeze = [int(r["freeze_ms"]) for r in single]
single_downtime = [int(r["wave_downtime_ms"]) for r in single]
print(f"# Wave cutover, run {name}\n")
print(f"{servers} servers, {size_mib} MiB ext4 on a loop device each, each written at {rate} KiB/s "
      f"(16 KiB records, fsync every 100 ms), tracker `{tracker}`, one receiver, plain TCP on loopback; "
      f"{rounds} rounds, each: the wave of {servers} together, then {servers} single cutovers one after another.\n")
print(f"- uptime at the start: `{up0.strip()}`\n- uptime at the end: `{up1.strip()}`")
hows = {}
for r in rows:
    hows[r["verification"]] = hows.get(r["verification"], 0) + 1
print("- verification while frozen: " + ", ".join(f"{h} ({n} server cutovers)" for h, n in sorted(hows.items())) + "\n")
print("| figure (ms) | samples | p50 | p99 | max |\n|---|---:|---:|---:|---:|")
def row(label, values):
    print(f"| {label} | {len(values)} | {pct(values, 50)} | {pct(values, 99)} | {max(values)} |")
row("wave: downtime (first freeze to last verified)", list(wave_downtime.values()))
row("wave: each server's freeze time (freeze to thaw)", wave_freeze)
row("single: downtime (freeze to verified)", single_downtime)
row("single: freeze time (freeze to thaw)", single_freeze)
row("single: slowest of the round's servers, downtime", list(slowest_single.values()))
row("wave: each server's own final sync (its freeze to its verification)", [int(r["own_ms"]) for r in wave])
row("wave: freeze skew (first freeze to last freeze)", [int(r["skew_ms"]) for r in wave if r["server"] == wave[0]["server"]])
row("wave: commit (last verified to last thawed)", [int(r["commit_ms"]) for r in wave if r["server"] == wave[0]["server"]])
print("\n| round | wave downtime | slowest single downtime | difference |\n|---:|---:|---:|---:|")
for rnd in sorted(wave_downtime, key=int):
    w, s = wave_downtime[rnd], slowest_single.get(rnd, 0)
    print(f"| {rnd} | {w} | {s} | {w - s:+d} |")
target = pct(list(wave_downtime.values()), 50) <= pct(list(slowest_single.values()), 50) + 500
print(f"\nTarget: the wave's downtime no more than the slowest single server's plus 0.5 s (p50 against p50): "
      f"{'met' if target else 'NOT met'}.")
PY
cat "$results"
log "results in $results"
