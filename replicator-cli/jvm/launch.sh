# The JVM part of the replicator launchers, sourced by ./replicator (a clone, after its build) and by
# bin/replicator (an unpacked release archive, with its own Java runtime). Defines:
#   require_java17 JAVA          exits 2 saying what to install when JAVA is missing or older than 17
#   launch JAVA CLASSPATH CDS_DIR ARGS...   execs the command line with the daemons' JVM options
# Needs bash and coreutils only (dirname, basename, readlink, head, mv, rm).

jvm_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

java_install_hint="install a Java runtime 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; \
RHEL: dnf install java-17-openjdk-headless), or use the release archive, which brings its own"

# The feature version of a JDK or JRE: from its 'release' file (no JVM start), else from 'java -version'.
java_feature_version() {
  local java="$1" home line
  home="$(dirname "$(dirname "$(readlink -f "$java")")")"
  if [ -r "$home/release" ]; then
    line="$(grep -m 1 '^JAVA_VERSION=' "$home/release" || true)"
  fi
  [ -n "${line:-}" ] || line="$("$java" -version 2>&1 | head -n 1)"
  line="${line#*\"}"
  line="${line%%\"*}"
  case "$line" in
    1.*) line="${line#1.}" ;;
  esac
  echo "${line%%[!0-9]*}"
}

require_java17() {
  local java="$1" version
  if [ -z "$java" ] || [ ! -x "$java" ]; then
    echo "replicator: no 'java' found on PATH or in JAVA_HOME; $java_install_hint" >&2
    exit 2
  fi
  version="$(java_feature_version "$java")"
  if [ -z "$version" ] || [ "$version" -lt 17 ]; then
    echo "replicator: $java is Java ${version:-of an unknown version}, and 17 or newer is needed; $java_install_hint" >&2
    exit 2
  fi
}

launch() {
  local java="$1" classpath="$2" cds_dir="$3"
  shift 3
  # Daemons (and the demo) run C1 for everything but the JDK's SHA-256 and AES-GCM code, which C2
  # compiles for its intrinsics (compiler-directives.json): verification, and so the cutover's
  # downtime, needs them, while C2 compiling the rest cost a full copy more CPU than it saved. The
  # short-lived admin commands use C1 only: they start faster and compile less (docs/benchmarks.md).
  # -XX:-UsePerfData: no hsperfdata file under /tmp, whose pages the JVM writes all along and whose
  # next write would block its threads while a cutover has frozen the file system holding /tmp.
  # -XX:-DisplayVMOutput: the JVM's informational lines ("2 compiler directives added") stay out of
  # the log; its warnings and errors still reach stderr.
  local daemon_opts="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=256m -XX:-UsePerfData
      -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=$jvm_dir/compiler-directives.json
      -XX:-DisplayVMOutput"
  local default_opts
  case "${1:-}" in
    # The receiver's sessions each hold their queue share and read buffers in direct memory: 32
    # busy sources need about 270 MiB of it, and a JVM at its direct limit runs a full collection
    # (System.gc) for every buffer it cannot reserve, which cost 32 sources more CPU than their copy.
    target) default_opts="${daemon_opts/-XX:MaxDirectMemorySize=256m/-XX:MaxDirectMemorySize=512m}" ;;
    source|demo) default_opts="$daemon_opts" ;;
    *) default_opts="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:TieredStopAtLevel=1" ;;
  esac
  local java_opts=(${REPLICATOR_JAVA_OPTS:-$default_opts})
  # What Chronicle Queue, the receiver's journal, needs on Java 17 and later
  # (io.replicator.target.journal.JournalJvm), and from Java 24 on two more that Java 17 refuses.
  # Every daemon gets them, whatever REPLICATOR_JAVA_OPTS says, so that one class archive fits all.
  local journal_opts=()
  case "${1:-}" in
    source|target|demo)
      journal_opts=(--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
          --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/jdk.internal.util=ALL-UNNAMED
          --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
          --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
          --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED)
      if [ "$(java_feature_version "$java")" -ge 24 ] 2>/dev/null; then
        journal_opts+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
      fi ;;
  esac
  # Netty calls a heap of 512 MiB or less "low memory" and then pools no buffer over 16.5 KiB: every
  # frame of a run of blocks (up to 64 KiB) was a new, zeroed direct buffer. The heap cap is ours,
  # not a shortage, so the daemons pool them (about 10% less CPU on a full copy).
  local netty_opts=(-Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=1
      -Dio.netty.allocator.lowMemory=false)

  # Class data sharing: the classes a daemon loads, parsed and verified once into an archive that
  # every later start maps (about 0.3 s less from start to first block sent, docs/benchmarks.md).
  # A short demo on loopback writes it the first time a daemon starts after a build or a Java
  # update, in CDS_DIR when that is writable. A start never fails for want of it: without an
  # archive the JVM loads its classes as usual.
  local cds_opts=()
  case "${1:-}" in
    source|target|demo)
      if [ -z "${REPLICATOR_JAVA_OPTS:-}" ] && mkdir -p "$cds_dir" 2>/dev/null && [ -w "$cds_dir" ]; then
        local jdk archive libjvm jar
        jdk="$(dirname "$(dirname "$(readlink -f "$java")")")"
        archive="$cds_dir/replicator-classes-$(basename "$jdk").jsa" # an archive only fits the JVM that wrote it
        libjvm="$jdk/lib/server/libjvm.so"
        jar="${classpath%%:*}"
        archive_stale() {
          [ ! -s "$archive" ] || [ "$jar" -nt "$archive" ] || { [ -e "$libjvm" ] && [ "$libjvm" -nt "$archive" ]; }
        }
        if archive_stale; then
          local tmp="$archive.$$"
          echo "replicator: writing the daemons' class archive (once per build, a few seconds)..." >&2
          if "$java" $daemon_opts "${journal_opts[@]}" "${netty_opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds*=off -cp "$classpath" \
              io.replicator.cli.Main demo --size 16MiB >/dev/null 2>&1 && [ -s "$tmp" ] && mv -f "$tmp" "$archive" 2>/dev/null; then
            :
          else
            rm -f "$tmp"
            echo "replicator: could not write $archive; starting without it" >&2
          fi
        fi
        # Its warnings (an archive the JVM refuses, say) go to stderr, not into a command's output.
        archive_stale || cds_opts=(-XX:SharedArchiveFile="$archive" -Xlog:cds*=off -Xlog:cds*=warning:stderr)
      fi ;;
  esac
  exec "$java" "${java_opts[@]}" "${journal_opts[@]}" "${cds_opts[@]}" "${netty_opts[@]}" -cp "$classpath" io.replicator.cli.Main "$@"
}
