package io.replicator.source.sync;

/** A {@link CpuMeter} of two cores whose CPU time the test adds as its simulated time goes. Not thread-safe. */
final class TwoCoreMeter implements CpuMeter {
    long cpuNs;

    TwoCoreMeter(long cpuNs) {
        this.cpuNs = cpuNs;
    }

    @Override
    public long processCpuNs() {
        return cpuNs;
    }

    @Override
    public int cpus() {
        return 2;
    }
}
