package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.OperationRefusedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One operation at a time: the second is refused at once naming the first; the source is free once answered. */
@Timeout(10)
class OperationsTest {
    @Test
    void shouldRefuseASecondOperationNamingTheFirstAndBeFreeWhenTheFirstIsAnswered() throws Exception {
        Operations operations = new Operations();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> answer = operations.run("cutover", "wave-1", "ops-admin", () -> first);
        CompletableFuture<String> second = operations.run("sync", null, "loopback", CompletableFuture::new);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, second::get);
        OperationRefusedException refused = assertInstanceOf(OperationRefusedException.class, e.getCause());
        assertTrue(refused.getMessage().matches("refused: a sync asked by 'loopback' cannot run now: a cutover "
                + "\\(wave wave-1\\) asked by 'ops-admin' at \\d{4}-.*Z is running.*"), refused.getMessage());
        assertEquals("ops-admin", refused.running().askedBy());
        first.complete("sealed");
        assertNull(operations.running(), "free before the answer is handed on");
        assertEquals("sealed", answer.get());
        assertEquals("ok", operations.run("sync", null, "loopback", () -> CompletableFuture.completedFuture("ok"))
                .get());
    }

    @Test
    void shouldWithdrawTheOperationWhenItsAnswerIsCancelled() {
        Operations operations = new Operations();
        CompletableFuture<String> inner = new CompletableFuture<>();
        operations.run("verify", null, "loopback", () -> inner).cancel(false);
        assertTrue(inner.isCancelled(), "the client went away: the request is withdrawn");
        assertNull(operations.running());
    }
}
