package io.replicator.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStatus;
import io.replicator.source.VolumeStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many source daemons in one JVM against one receiver, for {@code benchmarks/run-fleet.sh
 * --sources-in-one-jvm}: on a machine where every source would otherwise be its own JVM on the
 * same cores as the receiver, the sources then cost what one source process costs for the same
 * bytes (one JIT, one heap), and the measurement shows the receiver rather than N JVMs competing
 * for the cores. In production each source runs on its own server.
 *
 * <p>Starts one source (scan tracker, plain TCP) per volume, waits until each is connected, then
 * lifts the receiver's limit ({@code POST /throttle} with {@code 0} on its admin endpoint, with
 * the token the receiver wrote) so every copy starts at once, and prints one line per source:
 * {@code ID SECONDS} from that moment to when every block of its volume was durable on the
 * receiver, polled every {@value #POLL_MS} ms; before them {@code connected SECONDS}, the time from the start
 * of {@code main} until every source was connected. The lines go to {@code RESULT_FILE} (the
 * daemons log to stderr). Single-threaded but for the daemons' own threads.
 *
 * <p>Usage: {@code InProcessSources RESULT_FILE TARGET_PORT RECEIVER_ADMIN_PORT TOKEN_FILE STATE_ROOT VOLUME...}
 */
public final class InProcessSources {
    /**
     * How often the sources' status is read until each is synced: every read makes each agent take a
     * snapshot of its status, which the 32 agents of a fleet would otherwise do 320 times a second.
     */
    private static final long POLL_MS = 250;
    /** How long a poll waits for a source's status before asking again at the next one. */
    private static final long ANSWER_S = 10;

    private InProcessSources() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: InProcessSources RESULT_FILE TARGET_PORT RECEIVER_ADMIN_PORT TOKEN_FILE STATE_ROOT "
                    + "VOLUME...");
            System.exit(2);
        }
        long mainNs = System.nanoTime();
        Path resultFile = Path.of(args[0]);
        int targetPort = Integer.parseInt(args[1]);
        int adminPort = Integer.parseInt(args[2]);
        String token = Files.readString(Path.of(args[3])).trim();
        Path stateRoot = Path.of(args[4]);
        List<Path> volumes = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            volumes.add(Path.of(args[i]));
        }
        List<SourceDaemon> sources = start(targetPort, stateRoot, volumes);
        try {
            awaitConnected(sources);
            long startNs = System.nanoTime();
            StringBuilder result = new StringBuilder(String.format("connected %.2f%n", (startNs - mainNs) / 1e9));
            lift(adminPort, token);
            double[] finishS = awaitSynced(sources, startNs);
            for (int i = 0; i < sources.size(); i++) {
                result.append(String.format("src%d %.2f%n", i, finishS[i]));
            }
            Files.writeString(resultFile, result);
        } finally {
            for (SourceDaemon s : sources) {
                s.close();
            }
        }
    }

    private static List<SourceDaemon> start(int targetPort, Path stateRoot, List<Path> volumes) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(8);
        try {
            List<Future<SourceDaemon>> started = new ArrayList<>();
            for (int i = 0; i < volumes.size(); i++) {
                SourceConfig config = SourceConfig.builder().target(new InetSocketAddress("127.0.0.1", targetPort))
                        .volume(volumes.get(i), "disk").stateDir(stateRoot.resolve("state-" + i)).id("src" + i)
                        .tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(3_600_000).insecurePlaintext(true).build();
                started.add(starter.submit(() -> SourceDaemon.start(config, new SimpleMeterRegistry())));
            }
            List<SourceDaemon> sources = new ArrayList<>();
            for (Future<SourceDaemon> f : started) {
                sources.add(f.get(600, TimeUnit.SECONDS));
            }
            return sources;
        } finally {
            starter.shutdownNow();
        }
    }

    private static void awaitConnected(List<SourceDaemon> sources) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        for (SourceDaemon s : sources) {
            while (!s.status().connected()) {
                if (System.nanoTime() > deadlineNs) {
                    throw new IOException(s.config().id() + " did not connect to the receiver within 600 s");
                }
                Thread.sleep(50);
            }
        }
    }

    private static void lift(int adminPort, String token) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/throttle"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"max_rate_bytes_per_second\": 0}")).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("the receiver refused to lift its limit: " + answer.statusCode() + " " + answer.body());
        }
    }

    private static double[] awaitSynced(List<SourceDaemon> sources, long startNs) throws Exception {
        double[] finishS = new double[sources.size()];
        int left = sources.size();
        long deadlineNs = startNs + TimeUnit.HOURS.toNanos(1);
        while (left > 0) {
            // Every source is asked at once; one that does not answer in time (its agent did not get a
            // core on a loaded machine) is asked again at the next poll.
            List<CompletableFuture<SourceStatus>> asked = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                asked.add(finishS[i] == 0 ? sources.get(i).statusAsync() : null);
            }
            for (int i = 0; i < sources.size(); i++) {
                if (asked.get(i) == null) {
                    continue;
                }
                SourceStatus status;
                try {
                    status = asked.get(i).get(ANSWER_S, TimeUnit.SECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    System.err.printf("src%d: no status within %d s (%s); asked again%n", i, ANSWER_S, e);
                    continue;
                }
                if (synced(status)) {
                    finishS[i] = Math.max(0.01, (System.nanoTime() - startNs) / 1e9);
                    left--;
                }
            }
            if (System.nanoTime() > deadlineNs) {
                throw new IOException(left + " sources not synced within an hour");
            }
            Thread.sleep(POLL_MS);
        }
        return finishS;
    }

    private static boolean synced(SourceStatus status) {
        for (VolumeStatus v : status.volumes()) {
            if (v.syncedBytes() != v.sizeBytes() || v.backlogBytes() != 0) {
                return false;
            }
        }
        return true;
    }
}
