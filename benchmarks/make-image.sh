#!/usr/bin/env bash
# Writes a benchmark disk image of 1 MiB chunks in a seeded shuffled order:
# 40% zeros, 30% compressible (real files from /usr/share and /usr/lib, already-compressed formats
# skipped), 30% random (AES-CTR keystream keyed by the seed). Same machine + same seed = same bytes.
# Usage: benchmarks/make-image.sh OUT [SIZE_MIB=2048]    (env SEED, default 42)
# One python3 process writes the image sequentially; about 20-30 s for 2 GiB on a 2-core VM
# whose disk writes ~200 MB/s (the write and fsync dominate; real zeros are written, no holes).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 OUT [SIZE_MIB=2048]   (env SEED=42)" >&2
    exit 2
fi
out="$1"
size_mib="${2:-2048}"
seed="${SEED:-42}"
if ! [[ "$size_mib" =~ ^[1-9][0-9]*$ ]]; then
    echo "SIZE_MIB must be a positive integer of MiB: '$size_mib'" >&2
    exit 2
fi
for tool in python3:python3 openssl:openssl; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
        apt-get install -y -q "${tool#*:}" >/dev/null \
            || { apt-get update -q >/dev/null && apt-get install -y -q "${tool#*:}" >/dev/null; }
    fi
done

tmp_out="$out.partial.$$"
trap 'rm -f "$tmp_out"' EXIT

python3 - "$tmp_out" "$size_mib" "$seed" "$out" <<'PY'
import os, random, subprocess, sys, time

out, size_mib, seed, final_name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
MIB = 1 << 20
COMPRESSED = ('.gz', '.xz', '.bz2', '.zst', '.lz4', '.zip', '.jar', '.png', '.jpg', '.jpeg', '.gif',
              '.woff', '.woff2', '.deb', '.svgz', '.br', '.7z')
started = time.monotonic()

n_zero = round(size_mib * 0.4)
n_text = round(size_mib * 0.3)
n_rand = size_mib - n_zero - n_text
kinds = ['z'] * n_zero + ['c'] * n_text + ['r'] * n_rand
random.Random(seed).shuffle(kinds)

def corpus(root):
    """Yields the bytes of every regular, not already compressed file under root, in name order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(COMPRESSED):
                continue
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                with open(path, 'rb') as f:
                    data = f.read()
            except OSError:
                continue
            if data:
                yield data

class Stream:
    """1 MiB chunks of real data; starts over when the tree runs out."""
    def __init__(self, root):
        self.root, self.files, self.buf, self.restarts = root, corpus(root), bytearray(), 0
    def chunk(self):
        while len(self.buf) < MIB:
            data = next(self.files, None)
            if data is None:
                self.restarts += 1
                if self.restarts > 100:
                    sys.exit(f"no readable data under {self.root}")
                self.files = corpus(self.root)
                continue
            self.buf += data
        chunk, self.buf = bytes(self.buf[:MIB]), self.buf[MIB:]
        return chunk

streams = [Stream('/usr/share'), Stream('/usr/lib')]
# AES-128-CTR keystream keyed by the seed: reproducible, incompressible, ~3x faster than randbytes.
rand = subprocess.Popen(['openssl', 'enc', '-aes-128-ctr', '-nosalt', '-pbkdf2', '-pass', f'pass:{seed}',
                         '-in', '/dev/zero'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
zeros = bytes(MIB)
n_text_written = 0
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
try:
    for kind in kinds:
        if kind == 'z':
            chunk = zeros
        elif kind == 'c':
            chunk = streams[n_text_written % 2].chunk()
            n_text_written += 1
        else:
            chunk = rand.stdout.read(MIB)
            if len(chunk) != MIB:
                sys.exit(f"openssl gave {len(chunk)} bytes of keystream (expected: {MIB})")
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view):]
    os.fsync(fd)
finally:
    os.close(fd)
    rand.kill()
    rand.wait()
print(f"{final_name}: {size_mib} MiB = {n_zero} zero + {n_text} compressible + {n_rand} random 1 MiB chunks "
      f"(seed {seed}; corpus restarts share={streams[0].restarts} lib={streams[1].restarts}) "
      f"in {time.monotonic() - started:.1f} s", file=sys.stderr)
PY
mv "$tmp_out" "$out"
