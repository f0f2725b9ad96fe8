package io.replicator.protocol.tls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP for the whole process: the handler is installed once, on the first listener, and calls
 * every listener registered now, on the JVM's signal thread (listeners only hand work to their own
 * threads). Where the JVM does not let a handler be installed (e.g. {@code -Xrs}), that is logged
 * once and listeners are never called. Thread-safe.
 */
final class HangupSignal {
    private static final Logger log = LoggerFactory.getLogger(HangupSignal.class);
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private HangupSignal() {
    }

    /** Calls {@code listener} on every SIGHUP until the returned handle is closed. */
    static synchronized AutoCloseable onHangup(Runnable listener) {
        if (!installed) {
            installed = true;
            try {
                Signal.handle(new Signal("HUP"), signal -> LISTENERS.forEach(Runnable::run));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.warn("cannot handle SIGHUP in this JVM ({}); files are still re-read when they change", e.toString());
            }
        }
        LISTENERS.add(listener);
        return () -> LISTENERS.remove(listener);
    }
}
