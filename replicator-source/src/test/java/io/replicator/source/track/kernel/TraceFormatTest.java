package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TraceFormatTest {
    /** block_rq_complete's format file on a 6.18 kernel. */
    static final String RQ_COMPLETE = """
            name: block_rq_complete
            ID: 2107
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:dev_t dev;\toffset:8;\tsize:4;\tsigned:0;
            \tfield:sector_t sector;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned int nr_sector;\toffset:24;\tsize:4;\tsigned:0;
            \tfield:int error;\toffset:28;\tsize:4;\tsigned:1;
            \tfield:unsigned short ioprio;\toffset:32;\tsize:2;\tsigned:0;
            \tfield:char rwbs[10];\toffset:34;\tsize:10;\tsigned:0;
            \tfield:__data_loc char[] cmd;\toffset:44;\tsize:4;\tsigned:0;

            print fmt: "%d,%d %s (%s) %llu + %u", REC->dev
            """;

    @Test
    void shouldFindTheFieldsOfACompletionEvent() throws IOException {
        TraceFormat.Completion c = TraceFormat.completion(RQ_COMPLETE, Path.of("format"));
        assertEquals(new TraceFormat.Completion(2107, 8, 16, 24, 34, 10), c);
    }

    @Test
    void shouldNameTheFileAndFieldThatIsMissingOrOfAnotherSize() {
        IOException missing = assertThrows(IOException.class,
                () -> TraceFormat.completion(RQ_COMPLETE.replace("nr_sector", "nr_sectors"), Path.of("f")));
        assertTrue(missing.getMessage().startsWith("f has no field 'nr_sector'"), missing.getMessage());
        IOException size = assertThrows(IOException.class,
                () -> TraceFormat.completion(RQ_COMPLETE.replace("offset:16;\tsize:8", "offset:16;\tsize:4"), Path.of("f")));
        assertTrue(size.getMessage().contains("are 4, 4, 4 bytes (expected: 4, 8, 4)"), size.getMessage());
        IOException id = assertThrows(IOException.class,
                () -> TraceFormat.completion(RQ_COMPLETE.replace("ID: 2107", ""), Path.of("f")));
        assertEquals("f has no ID line", id.getMessage());
    }

    @Test
    void shouldReadThisKernelsFormats() throws IOException {
        String reason = TraceFs.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: kernel block tracing is unavailable: " + reason);
        TraceFormat f = TraceFormat.read(TraceFs.ROOT.resolve("events"));
        assertTrue(f.commitSize() == 8 || f.commitSize() == 4);
        assertEquals(f.commitOffset() + f.commitSize(), f.dataOffset());
        assertTrue(f.rqComplete().id() > 0 && f.bioComplete().id() > 0 && f.printId() > 0, f.toString());
    }
}
