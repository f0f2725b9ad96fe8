package io.replicator.testing;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints each skipped test and its reason (the assumption's message, or {@code @Disabled}'s) into
 * the build log, one {@code [WARNING] Skipped: CLASS.METHOD: REASON} line, instead of leaving it in
 * a report file. Surefire captures what tests print to {@code System.out}/{@code System.err} into
 * files, and passes the forked JVM's own stderr through to the build log: the line goes there.
 * Registered for every module's tests through {@code META-INF/services} in the protocol test jar.
 * Thread-safe: it keeps no state.
 */
public final class SkipReasons implements TestExecutionListener {
    private static final PrintStream BUILD_LOG =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private static void print(TestIdentifier test, String reason) {
        String name = test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName())
                .orElse(test.getDisplayName());
        BUILD_LOG.println("[WARNING] Skipped: " + name + ": " + reason);
    }
}
