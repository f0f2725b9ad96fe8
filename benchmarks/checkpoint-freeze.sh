#!/usr/bin/env bash
# Checkpoint freeze time under a steady write load: one ext4 file system on a loop device, written
# at a steady rate (default 20 MB/s: 16 KiB records, fsync every 100 ms), replicated by a source
# daemon to a receiver that keeps history (--journal-dir), both on loopback (plain TCP). Takes N
# checkpoints (`replicator checkpoint --freeze MNT --json`), one every INTERVAL, and reports p50/p99
# of freeze_ms (the file system frozen: from every mount point frozen to every one thawed) and of the
# whole checkpoint, with uptime/load before and after. Target: freeze p99 < 200 ms. Root only.
#
# Usage: benchmarks/checkpoint-freeze.sh [--rounds N] [--interval SECONDS] [--write-kib-s N]
#                                        [--size-mib N] [--tracker auto|kernel|scan] [--work DIR]
#                                        [--name RUN] [--keep]
# env REPLICATOR: the replicator command (default: the repository's ./replicator).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/bench-common.sh"
replicator="${REPLICATOR:-$here/../replicator}"
work="$here/work"
rounds=50
interval=2
write_kib_s=20480
size_mib=1024
tracker=auto
run_name="checkpoint-$(date -u +%Y%m%dT%H%M%SZ)"
keep=false

while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --write-kib-s) write_kib_s="$2"; shift 2 ;;
        --size-mib) size_mib="$2"; shift 2 ;;
        --tracker) tracker="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --name) run_name="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        *) usage_from_header 13 ;;
    esac
done
if [[ "$(id -u)" != 0 ]]; then
    echo "checkpoint-freeze.sh needs root (loop devices, mkfs.ext4, fsfreeze)" >&2
    exit 1
fi

need_tools

mkdir -p "$work"
work="$(cd "$work" && pwd)"
uptime_at_start="$(uptime)"
run_dir="$(mktemp -d "$work/checkpoint.XXXXXX")"
tmp="$run_dir/tmp"
mkdir -p "$tmp" "$here/results"
results="$here/results/$run_name.md"
samples="$run_dir/samples.csv"
mnt="$run_dir/mnt"
dev=""
pids=()

# Thaws first (a writer blocked on a frozen file system would not stop), then stops the daemons and
# the writer (cleanup), then unmounts and detaches.
kernel_cleanup() {
    umount "$mnt" 2>/dev/null || log "cannot unmount $mnt"
    [[ -n "$dev" ]] && { losetup --detach "$dev" 2>/dev/null || true; }
}
on_exit() {
    local rc=$?
    set +e # under errexit the (exit "$rc") below would end the trap before the cleanup
    fsfreeze --unfreeze "$mnt" 2>/dev/null || true
    (exit "$rc")
    cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM

img="$run_dir/disk.img"
truncate -s "${size_mib}M" "$img"
dev=$(losetup --find --show "$img")
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
mkdir -p "$mnt"
mount "$dev" "$mnt"

receiver_port=$(free_port)
receiver_admin_port=$(free_port)
start_bg receiver "$replicator" target --listen "127.0.0.1:$receiver_port" --data-dir "$run_dir/data" \
    --journal-dir "$run_dir/journal" --admin "127.0.0.1:$receiver_admin_port" --insecure-plaintext
wait_listening "$receiver_port" "$bg_pid" 300 || { tail -20 "$tmp/receiver.log" >&2; exit 1; }
source_port=$(free_port)
source_admin="127.0.0.1:$source_port"
start_bg source "$replicator" source --target "127.0.0.1:$receiver_port" --volume "$dev=root" \
    --state-dir "$run_dir/state" --id bench --admin "$source_admin" --tracker "$tracker" --freeze "$mnt" \
    --insecure-plaintext
wait_listening "$source_port" "$bg_pid" 300 || { tail -20 "$tmp/source.log" >&2; exit 1; }
"$replicator" sync --admin "$source_admin" --json --timeout 10m >"$tmp/sync.json" \
    || { log "the initial copy did not finish"; cat "$tmp/sync.json" >&2; exit 1; }
log "initial copy of ${size_mib} MiB done; writing at $write_kib_s KiB/s"

# The application: 16 KiB records of fresh random bytes (a block rewritten with what the receiver holds
# is not sent again) over a 256 MiB file at RATE KiB/s, fsync every 100 ms.
# (A file, not a here-document: a command started in the background reads /dev/null, not the
# here-document of the function that starts it.)
cat >"$run_dir/writer.py" <<'PY'
import os, sys, time
path, rate = sys.argv[1], int(sys.argv[2]) * 1024
size, span = 16384, 256 << 20
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
offset, tick = 0, 0.1
while True:
    start = time.monotonic()
    for _ in range(max(1, int(rate * tick) // size)):
        os.pwrite(fd, os.urandom(size), offset)
        offset = (offset + size) % span
    os.fsync(fd)
    time.sleep(max(0.0, tick - (time.monotonic() - start)))
PY
start_bg writer python3 "$run_dir/writer.py" "$mnt/app.dat" "$write_kib_s"
sleep 5
[[ -s "$mnt/app.dat" ]] || { log "the writer does not write:"; cat "$tmp/writer.log" >&2; exit 1; }

echo "round,result,freeze_ms,capture_bytes,total_ms" >"$samples"
for ((round = 1; round <= rounds; round++)); do
    started=$(date +%s%N)
    "$replicator" checkpoint --admin "$source_admin" --label "round-$round" --json >"$tmp/cp-$round.json" \
        2>"$tmp/cp-$round.err" || true
    total_ms=$(( ($(date +%s%N) - started) / 1000000 ))
    python3 - "$tmp/cp-$round.json" "$round" "$total_ms" >>"$samples" <<'PY'
import json, sys
path, rnd, total = sys.argv[1:]
try:
    doc = json.load(open(path))
except ValueError:
    doc = {"result": "no answer"}
print(f"{rnd},{doc.get('result')},{doc.get('freeze_ms', '')},{doc.get('capture_bytes', '')},{total}")
PY
    sleep "$interval"
done
uptime_at_end="$(uptime)"

python3 - "$samples" "$rounds" "$size_mib" "$write_kib_s" "$tracker" "$interval" "$uptime_at_start" \
    "$uptime_at_end" "$run_name" >"$results" <<'PY'
import csv, math, sys
path, rounds, size_mib, rate, tracker, interval, up0, up1, name = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
ok = [r for r in rows if r["result"] == "ok"]

def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)] if v else float("nan")

print(f"# Checkpoint freeze time, run {name}\n")
print(f"One {size_mib} MiB ext4 file system on a loop device written at {rate} KiB/s (16 KiB records of fresh "
      f"random bytes over a 256 MiB file, fsync every 100 ms), tracker `{tracker}`, a receiver with --journal-dir, plain TCP on "
      f"loopback; {rounds} checkpoints `--freeze` of it, one every {interval} s after the previous answer.\n")
print(f"- uptime at the start: `{up0.strip()}`\n- uptime at the end: `{up1.strip()}`\n")
print(f"{len(ok)} of {len(rows)} checkpoints ok" + ("" if len(ok) == len(rows) else
      ": not ok: " + ", ".join(f"round {r['round']} {r['result']}" for r in rows if r["result"] != "ok")) + "\n")
print("| figure | samples | p50 | p99 | max |\n|---|---:|---:|---:|---:|")
def row(label, values):
    if values:
        print(f"| {label} | {len(values)} | {pct(values, 50)} | {pct(values, 99)} | {max(values)} |")
freeze = [int(r["freeze_ms"]) for r in ok]
row("freeze (ms): every mount point frozen to every one thawed", freeze)
row("whole checkpoint (ms): the command, catch-up to the receiver's answer", [int(r["total_ms"]) for r in ok])
row("captured while frozen (KiB on the wire)", [int(r["capture_bytes"]) // 1024 for r in ok])
met = bool(freeze) and pct(freeze, 99) < 200
print(f"\nTarget: freeze p99 < 200 ms: {'met' if met else 'NOT met'}.")
PY
cat "$results"
log "results in $results"
