package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of {@code ./replicator ARGS}: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** The contract for a bad flag, a missing device, an unreachable peer: exit 2 and one line naming it. */
    static void assertOneLineExit2(CliRun r, String expected) {
        assertEquals(2, r.exit(), r.err());
        String line = r.err().trim();
        assertEquals(1, line.lines().count(), "one line: " + line);
        assertTrue(line.contains(expected), line);
    }
}
