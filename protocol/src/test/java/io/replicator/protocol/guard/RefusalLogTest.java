package io.replicator.protocol.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RefusalLogTest {
    /** Keeps every line logged. */
    private static final class Lines extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] arguments,
                                                   Throwable throwable) {
            lines.add(MessageFormatter.basicArrayFormat(message, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);

    @Test
    void shouldLogOneLinePerKeyPerIntervalAndCountTheRest() {
        Lines log = new Lines();
        RefusalLog refusals = new RefusalLog(log, 200, 100, nowNs::get);
        for (int i = 0; i < 5; i++) {
            refusals.refused("192.0.2.1", "refused connection " + i);
        }
        refusals.refused("192.0.2.2", "refused another");
        assertEquals(List.of("refused connection 0", "refused another"), log.lines);
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(199));
        refusals.refused("192.0.2.1", "refused within the interval");
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        refusals.refused("192.0.2.1", "refused connection 5");
        assertEquals("refused connection 5 (5 more refused connections from 192.0.2.1 since the last line, not logged "
                + "one by one)", log.lines.get(2));
    }

    @Test
    void shouldBoundTheLinesOfAFloodFromManyAddressesAndSayWhatWasLeftOut() {
        Lines log = new Lines();
        RefusalLog refusals = new RefusalLog(log, 200, 3, nowNs::get);
        for (int i = 0; i < 50; i++) {
            refusals.refused("2001:db8:" + i + ":0::/64", "refused " + i);
        }
        assertEquals(List.of("refused 0", "refused 1", "refused 2"), log.lines);
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        refusals.refused("2001:db8:99:0::/64", "refused 99");
        assertEquals("refused 99 (47 refused connections from other addresses were not logged: too many to log)",
                log.lines.get(3));
    }

    @Test
    void shouldEscapeWhatThePeerWrote() {
        Lines log = new Lines();
        new RefusalLog(log, 10_000, 10, nowNs::get).refused("192.0.2.1", "refused: TLS says 'CN=x\r\n[main] INFO forged'");
        assertEquals("refused: TLS says 'CN=x\\r\\n[main] INFO forged'", log.lines.get(0));
    }

    @Test
    void shouldRememberABoundedNumberOfKeys() {
        Lines log = new Lines();
        RefusalLog refusals = new RefusalLog(log, 60_000, Integer.MAX_VALUE, nowNs::get);
        for (int i = 0; i < RefusalLog.MAX_KEYS + 100; i++) {
            refusals.refused("key " + i, "refused " + i);
        }
        assertEquals(RefusalLog.MAX_KEYS, log.lines.size(), "keys beyond the bound are counted, not remembered");
        assertTrue(log.lines.get(log.lines.size() - 1).startsWith("refused " + (RefusalLog.MAX_KEYS - 1)));
    }
}
