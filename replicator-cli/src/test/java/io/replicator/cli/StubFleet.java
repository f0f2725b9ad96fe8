package io.replicator.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The stub source endpoints of one test, closed together after it. Not thread-safe: owned by the test. */
final class StubFleet implements AutoCloseable {
    final List<StubSource> all = new ArrayList<>();

    StubSource add(String id, StubSource.Prepare prepare) throws IOException {
        StubSource s = new StubSource(id, prepare);
        all.add(s);
        return s;
    }

    StubSource get(int i) {
        return all.get(i);
    }

    @Override
    public void close() {
        all.forEach(StubSource::close);
    }
}
