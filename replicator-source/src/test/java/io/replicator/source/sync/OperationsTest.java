package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.OperationRefusedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One operation at a time: the second is refused at once naming the first; the source is free once
 * answered. None starts while sending is paused.
 */
@Timeout(10)
class OperationsTest {
    @Test
    void shouldRefuseASecondOperationNamingTheFirstAndBeFreeWhenTheFirstIsAnswered() throws Exception {
        Operations operations = new Operations(() -> false);
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
        Operations operations = new Operations(() -> false);
        CompletableFuture<String> inner = new CompletableFuture<>();
        operations.run("verify", null, "loopback", () -> inner).cancel(false);
        assertTrue(inner.isCancelled(), "the client went away: the request is withdrawn");
        assertNull(operations.running());
    }

    @Test
    void shouldRefuseEveryOperationAtOnceWhileSendingIsPausedAndRunThemOnceResumed() throws Exception {
        AtomicBoolean paused = new AtomicBoolean(true);
        Operations operations = new Operations(paused::get);
        for (String operation : new String[] {"cutover", "verify", "sync"}) {
            CompletableFuture<String> inner = new CompletableFuture<>();
            CompletableFuture<String> asked = operations.run(operation, null, "loopback", () -> inner);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, asked::get);
            OperationRefusedException refused = assertInstanceOf(OperationRefusedException.class, e.getCause());
            assertEquals("refused: a " + operation + " asked by 'loopback' cannot run now: the source is paused: "
                    + "replicator resume first", refused.getMessage());
            assertNull(refused.running(), "nothing else runs");
            assertTrue(!inner.isDone(), "it never started");
            assertNull(operations.running());
        }
        paused.set(false);
        assertEquals("ok", operations.run("sync", null, "loopback", () -> CompletableFuture.completedFuture("ok"))
                .get());
    }
}
