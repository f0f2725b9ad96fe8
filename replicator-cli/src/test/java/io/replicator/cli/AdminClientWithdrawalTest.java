package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request withdrawn from another thread: withdrawn before it is sent, it never reaches the
 * endpoint; withdrawn while it waits, its connection closes and the endpoint withdraws it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminClientWithdrawalTest {
    @Test
    void shouldNeverSendARequestWithdrawnBeforeItsConnection() throws Exception {
        try (StubSource stub = new StubSource("web1", StubSource.Prepare.HOLD)) {
            AdminClient.Withdrawal withdrawal = new AdminClient.Withdrawal();
            withdrawal.withdraw();
            IOException e = assertThrows(IOException.class, () -> new AdminClient(stub.address(), null)
                    .post("/cutover/prepare", Map.of("wave_id", "wave-20261207T101500Z-0a1b"), 10_000, withdrawal));
            assertTrue(e.getMessage().startsWith("withdrawn: the request to the admin endpoint"), e.getMessage());
            assertEquals(0, stub.count("/cutover/prepare"));
        }
    }

    @Test
    void shouldCloseTheConnectionOfARequestWithdrawnWhileItWaits() throws Exception {
        withdrawWhileWaiting();
    }

    /**
     * Withdrawn the moment the endpoint has the request: the client may not have started reading
     * the answer yet, and the JDK then opens a new connection, which the withdrawal must close too.
     */
    @Test
    void shouldEndARequestWithdrawnBeforeItsAnswerIsRead() throws Exception {
        for (int i = 0; i < 25; i++) {
            withdrawWhileWaiting();
        }
    }

    private static void withdrawWhileWaiting() throws Exception {
        try (StubSource stub = new StubSource("web1", StubSource.Prepare.HOLD)) {
            AdminClient.Withdrawal withdrawal = new AdminClient.Withdrawal();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    new AdminClient(stub.address(), null).post("/cutover/prepare",
                            Map.of("wave_id", "wave-20261207T101500Z-0a1b"), 60_000, withdrawal);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(stub.prepareReceived.await(10, TimeUnit.SECONDS));
            withdrawal.withdraw();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("withdrawn: the request"), e.getCause().getMessage());
            assertTrue(stub.prepareWithdrawn.await(10, TimeUnit.SECONDS), "the endpoint withdrew the request");
            assertEquals(1, stub.count("/cutover/prepare"));
        }
    }
}
