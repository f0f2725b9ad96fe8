package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import io.replicator.admin.AdminToken;
import io.replicator.admin.Json;
import io.replicator.source.admin.SourceAdmin;
import io.replicator.target.admin.TargetAdmin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every answer of both daemons' admin endpoints matches docs/admin-api.md: a real source and
 * receiver run in this JVM, each route is asked over a socket, and each JSON answer is checked
 * against the page's {@code fields} block for it: every field documented with its type (and, for
 * an enumeration, its value), every documented field present, and every block exercised.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminSchemaTest {
    private static final Path DOC = Path.of("..", "docs", "admin-api.md");
    private static final Pattern BLOCK = Pattern.compile("```fields ([^\\n]+)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ENUM = Pattern.compile("enum\\(([^)]*)\\)");

    @TempDir
    Path dir;

    private final Set<String> checked = new TreeSet<>();

    /** One documented field: the types it may have and, for an enumeration, its values. */
    private record Field(Set<String> types, Set<String> values) {
    }

    @Test
    void shouldAnswerEveryRouteOfBothDaemonsAsDocsAdminApiSays() throws Exception {
        Map<String, Map<String, Field>> doc = blocks(Files.readString(DOC));
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Replication r = new Replication(dir)) {
            r.startTarget();
            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);
            try (AdminServer source = SourceAdmin.start(LOOPBACK, r.source, metrics);
                 AdminServer target = TargetAdmin.start(LOOPBACK, null, r.target, metrics)) {
                int port = source.address().getPort();
                check(doc, "source /status 200", ask(source, "GET", "/status", null), 200);
                check(doc, "source /sync 200", ask(source, "POST", "/sync", "{\"timeout_ms\": 60000}"), 200);
                check(doc, "source /verify 200", ask(source, "POST", "/verify", "{}"), 200);
                check(doc, "target /status 200", ask(target, "GET", "/status", null), 200);
                Answer asked = ask(source, "POST", "/checkpoint", "{\"label\": \"schema\"}");
                JsonNode checkpoint = check(doc, "source /checkpoint 200", asked, asked.status == 200 ? 200 : 409);
                assertTrue(asked.status == 200 || !checkpoint.path("reason").asText().isEmpty(), checkpoint::toString);
                JsonNode withCheckpoint = check(doc, "source /status 200", ask(source, "GET", "/status", null), 200);
                assertEquals(checkpoint.path("result").asText(), withCheckpoint.path("checkpoint").path("result").asText(),
                        withCheckpoint::toString);
                checkLaunch(doc, target, withCheckpoint.path("id").asText());
                check(doc, "source /pause 200", ask(source, "POST", "/pause", "{}"), 200);
                JsonNode paused = check(doc, "source /status 200", ask(source, "GET", "/status", null), 200);
                assertEquals("paused", paused.path("state").asText(), paused::toString);
                check(doc, "source /resume 200", ask(source, "POST", "/resume", "{}"), 200);
                check(doc, "source /throttle 200", ask(source, "POST", "/throttle",
                        "{\"max_rate_bytes_per_second\": 50000000}"), 200);
                JsonNode limited = check(doc, "source /status 200", ask(source, "GET", "/status", null), 200);
                assertEquals(50_000_000, limited.path("max_rate_bytes_per_second").asLong(), limited::toString);
                check(doc, "source /throttle 200", ask(source, "POST", "/throttle",
                        "{\"max_rate_bytes_per_second\": null}"), 200);
                check(doc, "error", ask(source, "POST", "/throttle", "{}"), 400);
                check(doc, "error", ask(source, "GET", "/pause", null), 405);
                check(doc, "target /throttle 200", ask(target, "POST", "/throttle",
                        "{\"max_rate_bytes_per_second\": 100000000}"), 200);
                JsonNode fleet = check(doc, "target /status 200", ask(target, "GET", "/status", null), 200);
                assertEquals(100_000_000, fleet.path("max_rate_bytes_per_second").asLong(), fleet::toString);
                check(doc, "target /throttle 200", ask(target, "POST", "/throttle",
                        "{\"max_rate_bytes_per_second\": 0}"), 200);
                checkCutoverRecords(doc, target, r);
                for (AdminServer server : List.of(source, target)) {
                    Answer m = ask(server, "GET", "/metrics", null);
                    assertEquals(200, m.status);
                    assertTrue(m.contentType.startsWith("text/plain; version=0.0.4"), m.contentType);
                }
                check(doc, "error", ask(source, "GET", "/sync", null), 405);
                check(doc, "error", ask(source, "POST", "/cutover", "{\"timeout_ms\": 0}"), 400);
                check(doc, "error", ask(source, "POST", "/verify", "{not json"), 400);
                check(doc, "error", ask(source, "GET", "/nowhere", null), 404);
                check(doc, "error", raw(source, "GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nConnection: close\r\n\r\n"), 401);
                check(doc, "error", raw(source, "GET /status HTTP/1.1\r\nHost: evil.example:" + port
                        + "\r\n" + auth(port) + "Connection: close\r\n\r\n"), 421);
                check(doc, "error", raw(source, "GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nOrigin: http://evil.example\r\n" + auth(port) + "Connection: close\r\n\r\n"), 403);
                check(doc, "error", raw(source, "POST /sync HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n" + auth(port)
                        + "Connection: close\r\n\r\n{}"), 415);
                checkHeldCutover(doc, source);
                JsonNode cutover = check(doc, "source /cutover 200", ask(source, "POST", "/cutover", "{}"), 200);
                assertEquals("ok", cutover.path("result").asText(), cutover::toString);
                assertTrue(cutover.path("fenced").asBoolean(), cutover::toString);
                JsonNode again = check(doc, "source /cutover 200", ask(source, "POST", "/cutover", "{}"), 200);
                assertEquals("failed", again.path("result").asText(), again::toString);
                JsonNode verify = check(doc, "source /verify 200", ask(source, "POST", "/verify", "{}"), 200);
                assertEquals("cut_over", verify.path("result").asText(), verify::toString);
                JsonNode cutOver = check(doc, "source /status 200", ask(source, "GET", "/status", null), 200);
                assertEquals("sealed", cutOver.path("cut_over").path("how").asText(), cutOver::toString);
                check(doc, "error", ask(source, "POST", "/sync", "{}"), 409);
                check(doc, "source /cutover/commit 200", ask(source, "POST", "/thaw", "{}"), 409);
                check(doc, "source /release 200", ask(source, "POST", "/release", "{}"), 200);
            }
        }
        assertEquals(doc.keySet(), checked, "every block of " + DOC + " is checked against an answer");
    }

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** A wave's cutover held, another operation refused meanwhile, a commit of another wave refused, the abort. */
    private void checkHeldCutover(Map<String, Map<String, Field>> doc, AdminServer source) throws IOException {
        JsonNode held = check(doc, "source /cutover/prepare 200", ask(source, "POST", "/cutover/prepare",
                "{\"wave_id\": \"wave-a\", \"timeout_ms\": 60000}"), 200);
        assertEquals("loopback", held.path("asked_by").asText(), held::toString);
        JsonNode refused = check(doc, "refused", ask(source, "POST", "/sync", "{}"), 409);
        assertEquals("wave-a", refused.path("running").path("wave_id").asText(), refused::toString);
        check(doc, "source /cutover/commit 200", ask(source, "POST", "/cutover/commit", "{\"wave_id\": \"wave-b\", "
                + "\"report_id\": \"wave-b\", \"report_json\": {}, \"report_markdown\": \"# b\"}"), 409);
        JsonNode aborted = check(doc, "source /cutover/commit 200", ask(source, "POST", "/cutover/abort",
                "{\"wave_id\": \"wave-a\", \"reason\": \"a test\"}"), 200);
        assertEquals("aborted", aborted.path("result").asText(), aborted::toString);
    }

    /** A launch of the source's newest checkpoint into a new directory; an unknown source refused. */
    private void checkLaunch(Map<String, Map<String, Field>> doc, AdminServer target, String source)
            throws IOException {
        Path out = Files.createDirectories(dir.resolve("launched"));
        JsonNode launched = check(doc, "target /launch 200", ask(target, "POST", "/launch", "{\"source\": \""
                + source + "\", \"checkpoint\": \"latest\", \"out\": \"" + out + "\"}"), 200);
        assertTrue(Files.isRegularFile(Path.of(launched.path("volumes").path(0).path("path").asText())),
                launched::toString);
        check(doc, "error", ask(target, "POST", "/launch", "{\"source\": \"nobody\", \"checkpoint\": "
                + "\"latest\", \"out\": \"" + out + "\"}"), 404);
        check(doc, "error", ask(target, "GET", "/launch", null), 405);
    }

    /** The receiver's cutover routes, with a source sealed by a report: list, show, status while sealed, release. */
    private void checkCutoverRecords(Map<String, Map<String, Field>> doc, AdminServer target, Replication r)
            throws IOException {
        String wave = ReceiverCutoverCommandsTest.WAVE;
        assertTrue(SealingSource.seal(r.target.localAddress(), "web9", wave, ReceiverCutoverCommandsTest.JSON,
                ReceiverCutoverCommandsTest.MARKDOWN).sealed());
        check(doc, "target /checkpoints 200", ask(target, "GET", "/checkpoints", null), 200);
        r.target.histories().of("web8").catalog().put(new io.replicator.target.journal.CheckpointInfo("web8", 3,
                System.currentTimeMillis(), "nightly", 41, List.of("disk0"), 4096, 0x100,
                io.replicator.target.journal.CheckpointInfo.State.LAUNCHABLE, ""));
        check(doc, "target /checkpoints 200", ask(target, "GET", "/checkpoints?source=web8", null), 200);
        check(doc, "error", ask(target, "GET", "/checkpoints?source=nobody", null), 404);
        check(doc, "target /reports 200", ask(target, "GET", "/reports", null), 200);
        check(doc, "target /report 200", ask(target, "POST", "/report", "{\"id\": \"" + wave + "\"}"), 200);
        check(doc, "error", ask(target, "POST", "/report", "{\"id\": \"wave-unknown\"}"), 404);
        check(doc, "target /status 200", ask(target, "GET", "/status", null), 200);
        check(doc, "target /release 200", ask(target, "POST", "/release", "{\"source\": \"web9\"}"), 200);
        check(doc, "error", ask(target, "POST", "/release", "{\"source\": \"web9\"}"), 404);
    }

    private static String auth(int port) throws IOException {
        return "Authorization: " + AdminToken.HEADER_PREFIX + AdminToken.read(port) + "\r\n";
    }

    private record Answer(int status, String contentType, String body) {
    }

    /** A request as the admin commands send it: the endpoint's Host, its token, a JSON body. */
    private static Answer ask(AdminServer server, String method, String path, String json) throws IOException {
        int port = server.address().getPort();
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        return raw(server, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + auth(port)
                + (json == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
                + "Connection: close\r\n\r\n" + (json == null ? "" : json));
    }

    /** Sends {@code request} as it is and reads the answer until the endpoint closes the connection. */
    private static Answer raw(AdminServer server, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(90_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            assertTrue(end > 0, () -> "no HTTP answer: " + answer);
            String contentType = "";
            for (String line : answer.substring(0, end).split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) {
                    contentType = line.substring("content-type:".length()).trim();
                }
            }
            return new Answer(Integer.parseInt(answer.split(" ", 3)[1]), contentType, answer.substring(end + 4));
        }
    }

    /** The {@code fields} blocks of the page, by name: each path to its field. */
    private static Map<String, Map<String, Field>> blocks(String page) {
        Map<String, Map<String, Field>> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(page);
        while (m.find()) {
            Map<String, Field> fields = blocks.computeIfAbsent(m.group(1).trim(), k -> new LinkedHashMap<>());
            for (String line : m.group(2).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cols = line.trim().split("\\s+", 3);
                assertEquals(3, cols.length, () -> "a field line is PATH TYPE MEANING: '" + line + "'");
                Set<String> values = new HashSet<>();
                Matcher e = ENUM.matcher(cols[1]);
                if (e.find()) {
                    values.addAll(List.of(e.group(1).split("\\|")));
                }
                fields.put(cols[0], new Field(Set.of(ENUM.matcher(cols[1]).replaceAll("string").split("\\|")),
                        values));
            }
        }
        assertFalse(blocks.isEmpty(), "no fields blocks in " + DOC);
        return blocks;
    }

    private JsonNode check(Map<String, Map<String, Field>> doc, String block, Answer answer, int status)
            throws IOException {
        assertEquals(status, answer.status, () -> block + ": " + answer.body);
        assertEquals("application/json", answer.contentType, block);
        Map<String, Field> fields = doc.get(block);
        assertNotNull(fields, () -> "no fields block '" + block + "' in " + DOC);
        JsonNode json = Json.MAPPER.readTree(answer.body);
        assertTrue(json.isObject(), answer.body);
        assertEquals(Json.ADMIN_SCHEMA, json.path("schema").asInt(), answer.body);
        assertEquals("schema", json.fieldNames().next(), "the schema version comes first: " + answer.body);
        walk(fields, "", json, block + " " + answer.body);
        checked.add(block);
        return json;
    }

    /** Checks {@code node}, found at {@code path}, and everything inside it against {@code fields}. */
    private static void walk(Map<String, Field> fields, String path, JsonNode node, String context) {
        if (node.isObject()) {
            String prefix = path.isEmpty() ? "" : path + ".";
            List<String> names = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                names.add(e.getKey());
                checkField(fields, prefix + e.getKey(), e.getValue(), context);
            }
            for (String documented : fields.keySet()) {
                String rest = documented.startsWith(prefix) ? documented.substring(prefix.length()) : null;
                if (rest != null && !rest.contains(".") && !rest.endsWith("[]")) {
                    assertTrue(names.contains(rest), () -> "documented field " + documented + " missing: " + context);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                checkField(fields, path + "[]", element, context);
            }
        }
    }

    private static void checkField(Map<String, Field> fields, String path, JsonNode value, String context) {
        Field field = fields.get(path);
        assertNotNull(field, () -> "undocumented field " + path + ": " + context);
        if (field.types().contains("json")) {
            // A document kept as it was given (a stored report): its own format, not this page's.
            return;
        }
        String type = value.isIntegralNumber() ? "int" : value.isBoolean() ? "bool" : value.isTextual() ? "string"
                : value.isNull() ? "null" : value.isObject() ? "object" : value.isArray() ? "array" : "other";
        assertTrue(field.types().contains(type), () -> path + " is " + type + ", documented " + field.types() + ": "
                + context);
        if (value.isTextual() && !field.values().isEmpty()) {
            assertTrue(field.values().contains(value.asText()), () -> path + " is '" + value.asText()
                    + "', documented one of " + field.values() + ": " + context);
        }
        walk(fields, path, value, context);
    }
}
