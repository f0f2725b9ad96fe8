package io.replicator.cli;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A process that appends numbered records to a file and fsyncs each, for {@link LaunchEndToEndTest}:
 * record {@code n} is {@value #RECORD_BYTES} bytes at offset {@code (n - 1) * RECORD_BYTES}. After
 * each fsync returns it logs {@code n START_MS RETURNED_MS} (wall clock: when its write began, when
 * its fsync returned) to the log file, which lies outside the file system written, and flushes it.
 * Runs until killed. Usage: {@code RecordWriter FILE LOG}.
 */
public final class RecordWriter {
    static final int RECORD_BYTES = 32;

    private RecordWriter() {
    }

    /** Record {@code n} as it is written. */
    static String record(long n) {
        return String.format("record %016d     end\n", n);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8))) {
            for (long n = 1; ; n++) {
                long startMs = System.currentTimeMillis();
                ByteBuffer bytes = ByteBuffer.wrap(record(n).getBytes(StandardCharsets.US_ASCII));
                long at = (n - 1) * RECORD_BYTES;
                while (bytes.hasRemaining()) {
                    at += channel.write(bytes, at);
                }
                channel.force(true);
                log.println(n + " " + startMs + " " + System.currentTimeMillis());
                log.flush();
                Thread.sleep(3);
            }
        }
    }
}
