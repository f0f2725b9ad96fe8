#!/usr/bin/env bash
# Installs or checks what the tests need: a JDK 17+, Maven, and for the root-only tests
# util-linux (losetup, fsfreeze, taskset), e2fsprogs (mkfs.ext4, e2fsck), xfsprogs (mkfs.xfs: reflinks for
# the launch tests) and a loop device, and
# systemd-analyze for the check of the release archive's service units.
# Tests that still cannot run say why in their skip message.
# --benchmarks: also what benchmarks/run.sh's fio and pgbench steps need (fio, PostgreSQL).
set -euo pipefail
missing=()
if [ "${1:-}" = --benchmarks ]; then
  command -v fio >/dev/null || missing+=(fio)
  ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
fi
command -v mvn >/dev/null || missing+=(maven)
command -v losetup >/dev/null || missing+=(mount)
command -v fsfreeze >/dev/null && command -v taskset >/dev/null || missing+=(util-linux)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v mkfs.xfs >/dev/null || missing+=(xfsprogs)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "missing: ${missing[*]} (install them; tests that need them will be skipped and say why)" >&2
  fi
fi
if [ "$(id -u)" = 0 ]; then
  modprobe loop 2>/dev/null || true
  [ -e /dev/loop-control ] || echo "no /dev/loop-control: loop-device tests will be skipped and say why" >&2
else
  echo "not root: loop-device, ext4 and fsfreeze tests will be skipped and say why" >&2
fi
java -version 2>&1 | head -n 1
