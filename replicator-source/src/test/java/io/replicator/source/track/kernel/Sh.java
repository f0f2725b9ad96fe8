package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a command for a test: waits up to a minute, returns stdout trimmed, throws with stderr on failure. */
final class Sh {
    private static final long TIMEOUT_SECONDS = 60;

    private Sh() {
    }

    static String run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sh", ".out");
        Path err = Files.createTempFile("sh", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(err).trim());
            }
            return Files.readString(out, StandardCharsets.UTF_8).trim();
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** Whether {@code program} is on the PATH. */
    static boolean has(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }
}
