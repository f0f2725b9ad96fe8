# The freeze guard: freezes the mount points it is given, holds them frozen, and thaws them when
# the daemon asks (a line on standard input other than "extend MS"), when the daemon is gone (standard input closes: a
# crash or kill -9 closes the pipe), on SIGTERM, SIGINT or SIGHUP, or at its deadline, whichever
# comes first. It runs in a session of its own, so that a signal to the daemon's process group
# does not take it along, and it writes nothing but its report on standard output (a pipe).
#
# Arguments: DEADLINE_MS MOUNT...   (DEADLINE_MS counts from the guard's start)
# Report, one line each:  pid N | frozen MNT | freeze-failed MNT: WHY | ready | thaw REASON |
#                         extended MS | thawed MNT | thaw-failed MNT: WHY | done
trap '' PIPE
deadline_ms=$1
shift
start_us=${EPOCHREALTIME/./}
end_us=$((start_us + deadline_ms * 1000))
frozen=()
thaw() {
  local i out
  for ((i = ${#frozen[@]} - 1; i >= 0; i--)); do
    if out=$(fsfreeze --unfreeze "${frozen[i]}" 2>&1); then
      echo "thawed ${frozen[i]}"
    else
      echo "thaw-failed ${frozen[i]}: ${out//$'\n'/ }"
    fi
  done
  frozen=()
}
finish() {
  echo "thaw $1"
  thaw
  echo "done"
  exit 0
}
trap 'finish signal' TERM INT HUP
echo "pid $$"
for mount in "$@"; do
  if ((${EPOCHREALTIME/./} >= end_us)); then
    echo "freeze-failed $mount: the deadline passed before it was frozen"
    finish deadline
  fi
  if out=$(fsfreeze --freeze "$mount" 2>&1); then
    frozen+=("$mount")
    echo "frozen $mount"
  else
    echo "freeze-failed $mount: ${out//$'\n'/ }"
    finish freeze-failed
  fi
done
echo "ready"
# A line "extend MS" moves the deadline to MS from now (a cutover kept frozen after it was verified);
# any other line asks for the thaw.
while :; do
  left_us=$((end_us - ${EPOCHREALTIME/./}))
  if ((left_us <= 0)); then
    finish deadline
  fi
  if read -r -t "$((left_us / 1000000)).$(printf '%06d' $((left_us % 1000000)))" line; then
    if [[ $line =~ ^extend\ ([0-9]{1,12})$ ]]; then
      end_us=$((${EPOCHREALTIME/./} + BASH_REMATCH[1] * 1000))
      echo "extended ${BASH_REMATCH[1]}"
    else
      finish asked
    fi
  elif (($? > 128)); then
    finish deadline
  else
    finish parent-gone
  fi
done
