package io.replicator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs host commands for tests (losetup, mkfs, mount) and says whether the machine allows them. */
final class Shell {
    private Shell() {
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** Why loop devices with ext4 cannot be used here, or null when they can. */
    static String whyNoLoopDevices() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root for losetup, mount and fsfreeze (CI runs as root)";
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            return "no /dev/loop-control: the kernel has no loop driver here";
        }
        for (String tool : new String[] {"losetup", "mkfs.ext4", "e2fsck", "fsfreeze", "mount", "umount"}) {
            if (!onPath(tool)) {
                return tool + " is not installed (scripts/test-prerequisites.sh installs it)";
            }
        }
        return null;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
