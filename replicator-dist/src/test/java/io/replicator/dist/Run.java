package io.replicator.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One finished run of a host command: its exit code and what it printed (stdout and stderr together). */
record Run(int exit, String output) {
    private static final long TIMEOUT_S = 240;

    /**
     * Runs {@code cmd}; with {@code path} non-null, {@code PATH} is that one directory and
     * {@code JAVA_HOME} is unset unless {@code env} sets it ({@code NAME=VALUE} entries).
     */
    static Run of(List<String> cmd, Path path, String... env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> environment = pb.environment();
        if (path != null) {
            environment.put("PATH", path.toString());
            environment.remove("JAVA_HOME");
        }
        for (String e : env) {
            environment.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + TIMEOUT_S + " s: " + out);
        }
        return new Run(p.exitValue(), out);
    }
}
