package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Talks to a daemon's {@link AdminServer}. Thread-safe. */
public final class AdminClient {
    private final InetSocketAddress address;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminClient(InetSocketAddress address) {
        this.address = address;
    }

    public JsonNode get(String path, long timeoutMs) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), timeoutMs);
    }

    public JsonNode post(String path, Object body, long timeoutMs) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(body);
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), timeoutMs);
    }

    private URI uri(String path) {
        return URI.create("http://" + HostPort.format(address) + path);
    }

    private JsonNode send(HttpRequest.Builder request, long timeoutMs) throws IOException {
        try {
            HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofMillis(timeoutMs)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return Json.MAPPER.readTree(response.body());
        } catch (ConnectException e) {
            throw new IOException("cannot reach the admin endpoint " + HostPort.format(address)
                    + " (is the daemon running, and is --admin right?)", e);
        } catch (HttpTimeoutException e) {
            throw new IOException("the admin endpoint " + HostPort.format(address) + " did not answer within "
                    + timeoutMs + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
