#!/usr/bin/env bash
# Makes TARGET/replicator-VERSION-linux-x86_64.tar.gz, called by 'mvn package' in this module once
# the application's jars are in TARGET/archive-lib:
#   replicator-VERSION/
#     bin/replicator        the launcher (runs on runtime/: no JDK needed on the server)
#     runtime/              a Java runtime trimmed by jlink to the modules the application uses
#     lib/                  the application's jars, and the JVM options the launcher gives (lib/jvm)
#     systemd/              service units: the receiver, and the source as a template per instance
#     config/               example --config files
#     monitoring/           Prometheus alert rules and a Grafana dashboard built on the metrics
#     docs/operations.md    install, services, config files, logs, every metric
# Usage: build-archive.sh VERSION TARGET JDK   (JDK: a JDK with jmods/, for jlink)
set -euo pipefail
version="$1" target="$2" jdk="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$here/.."
name="replicator-$version"
# The modules the application needs (jdeps --print-module-deps over the jars), plus those only
# reached through service lookups: jdk.crypto.ec (the EC P-256 keys of every certificate).
# java.compiler and java.desktop: Chronicle Queue (the receiver's journal) loads classes of both.
modules="java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported"

# jlink needs the JDK's jmods/: the one running Maven, else a JDK 17 installed beside it (some
# JDK builds ship no jmods).
if [ ! -e "$jdk/jmods/java.base.jmod" ]; then
  for other in /usr/lib/jvm/*17*; do
    if [ -e "$other/jmods/java.base.jmod" ] && [ -x "$other/bin/jlink" ]; then
      jdk="$other"
      break
    fi
  done
fi
if [ ! -e "$jdk/jmods/java.base.jmod" ]; then
  echo "build-archive: $jdk has no jmods/ for jlink; install a full JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi

# The runtime is made again only when the JDK or the module list changed (jlink takes a while).
runtime="$target/runtime"
stamp="$modules $jdk $(grep -m 1 '^JAVA_VERSION=' "$jdk/release" 2>/dev/null || true)"
if [ ! -x "$runtime/bin/java" ] || [ "$(cat "$runtime.stamp" 2>/dev/null || true)" != "$stamp" ]; then
  rm -rf "$runtime" "$runtime.stamp"
  "$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" --strip-debug --no-header-files \
      --no-man-pages --compress=2 --generate-cds-archive --output "$runtime" >/dev/null
  echo "$stamp" > "$runtime.stamp"
fi

stage="$target/archive/$name"
rm -rf "$target/archive"
mkdir -p "$stage/lib/jvm" "$stage/docs"
cp -a "$runtime" "$stage/runtime"
cp "$target"/archive-lib/*.jar "$stage/lib/"
cp "$repo/replicator-cli/jvm/launch.sh" "$repo/replicator-cli/jvm/compiler-directives.json" "$stage/lib/jvm/"
cp -r "$here/src/dist/." "$stage/"
chmod 755 "$stage/bin/replicator"
cp "$repo/docs/operations.md" "$stage/docs/"
tar -C "$target/archive" --owner=0 --group=0 --numeric-owner -czf "$target/$name-linux-x86_64.tar.gz" "$name"
