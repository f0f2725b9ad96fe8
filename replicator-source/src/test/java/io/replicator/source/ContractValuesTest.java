package io.replicator.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The values the admin endpoint writes for each outcome and state: a contract (docs/admin-api.md), never renamed. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ContractValuesTest {
    private static List<String> values(Enum<?>[] constants) {
        return Arrays.stream(constants).map(Object::toString).toList();
    }

    @Test
    void shouldWriteEachOutcomeAsTheLowercaseValueOfTheContract() {
        assertEquals(List.of("ok", "failed"), values(Outcome.values()));
        assertEquals(List.of("ok", "differ", "incomplete", "failed", "cut_over"), values(VerifyOutcome.values()));
        assertEquals(List.of("none", "not_frozen", "thawed", "still_frozen", "frozen"),
                values(CutoverResult.FileSystems.values()));
    }

    @Test
    void shouldWriteEachSourceStateAsTheDaemonHasAlwaysReportedIt() {
        assertEquals(List.of("connecting", "initial_sync", "continuous", "rescan", "disconnected", "cutting_over",
                "cut_over", "not_converging", "paused"), values(SourceState.values()));
    }
}
