package io.replicator.source.sync;

import java.lang.management.ManagementFactory;

/**
 * The CPU time the daemon's process has used, for {@link PacingController}. The process's own
 * meter reads the JVM's {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime} (user
 * and system time of every thread, from the kernel); tests hand in their own. Implementations are
 * thread-safe.
 */
interface CpuMeter {
    /** CPU time used by the process since it started, in ns; -1 when the platform cannot tell. */
    long processCpuNs();

    /** The cores the process may run on: 100% of the machine is this many cores busy. */
    int cpus();

    /** The meter of this process. */
    static CpuMeter process() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.OperatingSystemMXBean sun = os instanceof com.sun.management.OperatingSystemMXBean s ? s : null;
        return new CpuMeter() {
            @Override
            public long processCpuNs() {
                return sun == null ? -1 : sun.getProcessCpuTime();
            }

            @Override
            public int cpus() {
                return Runtime.getRuntime().availableProcessors();
            }
        };
    }
}
