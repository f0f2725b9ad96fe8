package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One phase of a wave: the same request sent to every server at once, each on a thread of its
 * own, the answers handed back to the thread that runs the wave in the order they arrive. The
 * first failure (an answer that is not a success, a connection lost, no answer by the phase's
 * deadline) names the culprit; with {@code stopAtFirstFailure} every request still pending is then
 * withdrawn (its connection closed: the daemon withdraws a request whose client went away). Not
 * thread-safe: run by the wave's thread, which alone touches the {@link WaveServer}s.
 */
final class WavePhase {
    /** How long withdrawn requests get to end after their connections were closed. */
    static final long WITHDRAW_WAIT_MS = 5_000;

    /** One request of the phase, sent on a worker thread; it must not touch the server's state. */
    @FunctionalInterface
    interface Request {
        JsonNode send(WaveServer server, AdminClient.Withdrawal withdrawal) throws IOException;
    }

    /** What the wave's thread does with one answer: null when it is a success, else the reason it failed. */
    @FunctionalInterface
    interface Answered {
        String failure(WaveServer server, JsonNode answer);
    }

    /** The first failure of a phase: the culprit, why, and whether its daemon was lost (no answer at all). */
    record Failure(WaveServer server, String reason, boolean lost) {
    }

    private record Done(WaveServer server, JsonNode answer, IOException error) {
    }

    private final String name;
    private final ExecutorService pool;

    WavePhase(String name, ExecutorService pool) {
        this.name = name;
        this.pool = pool;
    }

    /**
     * Sends {@code request} to each of {@code servers} and waits for the answers until {@code
     * deadlineMs} from now, handing each to {@code answered}; a lost connection marks its server
     * {@link WaveServer#lost}. Returns the first failure, or null when every server succeeded.
     */
    Failure run(List<WaveServer> servers, Request request, Answered answered, boolean stopAtFirstFailure,
                long deadlineMs) throws InterruptedException {
        BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        Map<WaveServer, AdminClient.Withdrawal> pending = new LinkedHashMap<>();
        for (WaveServer s : servers) {
            AdminClient.Withdrawal withdrawal = new AdminClient.Withdrawal();
            pending.put(s, withdrawal);
            pool.execute(() -> done.add(send(s, request, withdrawal)));
        }
        Failure first = null;
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        while (!pending.isEmpty() && (first == null || !stopAtFirstFailure)) {
            Done d = done.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null) {
                WaveServer late = pending.keySet().iterator().next();
                late.lost = true;
                if (first == null) {
                    first = new Failure(late, "no answer to the " + name + " within " + deadlineMs + " ms", true);
                }
                break;
            }
            pending.remove(d.server());
            String failure = handle(d, answered);
            if (failure != null && first == null) {
                first = new Failure(d.server(), failure, d.error() != null);
            }
        }
        withdraw(pending, done, answered);
        return first;
    }

    /** Withdraws what is still pending and hands what ends within {@value #WITHDRAW_WAIT_MS} ms to {@code answered}. */
    private void withdraw(Map<WaveServer, AdminClient.Withdrawal> pending, BlockingQueue<Done> done,
                          Answered answered) throws InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        pending.values().forEach(AdminClient.Withdrawal::withdraw);
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WITHDRAW_WAIT_MS);
        while (!pending.isEmpty()) {
            Done d = done.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (d == null) {
                return;
            }
            pending.remove(d.server());
            if (d.error() == null) {
                answered.failure(d.server(), d.answer());
            }
        }
    }

    private String handle(Done d, Answered answered) {
        if (d.error() != null) {
            d.server().lost = true;
            return d.error().getMessage();
        }
        return answered.failure(d.server(), d.answer());
    }

    private static Done send(WaveServer s, Request request, AdminClient.Withdrawal withdrawal) {
        try {
            return new Done(s, request.send(s, withdrawal), null);
        } catch (IOException e) {
            return new Done(s, null, e);
        } catch (RuntimeException e) {
            return new Done(s, null, new IOException("the request to " + s.member.name() + " failed: " + e, e));
        }
    }

    /** The answers' common success test: {@code result} equal to {@code expected}, else the answer's reason. */
    static Function<JsonNode, String> expecting(String expected) {
        return answer -> {
            if (expected.equals(answer.path("result").asText())) {
                return null;
            }
            String reason = answer.path("reason").asText("");
            return reason.isEmpty() ? "answered " + answer : reason;
        };
    }
}
