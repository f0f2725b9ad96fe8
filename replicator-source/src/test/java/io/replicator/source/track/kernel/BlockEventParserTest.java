package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.track.kernel.BlockEventParser.Kind;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lines as trace_pipe printed them on a 6.18 kernel (loop0 is 7,0; the VM's disk is 254,0). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BlockEventParserTest {
    private final BlockEventParser parser = new BlockEventParser();

    @Test
    void shouldParseADirectWriteCompletion() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "     ksoftirqd/0-14      [000] ..s.. 12086.184166: block_rq_complete: 7,0 WS () 40 + 8 be,0,4 [0]"));
        assertEquals(7, parser.major());
        assertEquals(0, parser.minor());
        assertEquals(7L << 20, parser.kernelDev());
        assertEquals("WS", parser.rwbs());
        assertTrue(parser.changesData());
        assertEquals(40, parser.sector());
        assertEquals(8, parser.nrSectors());
    }

    @Test
    void shouldParseDiscardFuaAndWriteZeroesAsChangingData() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "     ksoftirqd/0-14      [000] ..s.. 13838.095502: block_rq_complete: 7,0 DS () 2048 + 128 be,0,4 [0]"));
        assertEquals("DS", parser.rwbs());
        assertTrue(parser.changesData());
        assertEquals(2048, parser.sector());
        assertEquals(128, parser.nrSectors());
        parser.parse(" jbd2/loop0-8-3401   [001] ..s.. 13900.000001: block_rq_complete: 7,0 WFS () 1048 + 16 be,0,4 [0]");
        assertEquals("WFS", parser.rwbs());
        assertTrue(parser.changesData());
        parser.parse("     ksoftirqd/0-14      [000] ..s.. 13838.103524: block_rq_complete: 7,0 NS () 4096 + 128 be,0,4 [0]");
        assertTrue(parser.changesData());
    }

    @Test
    void shouldParseReadsAndFlushesAsNotChangingData() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "     ksoftirqd/0-14      [000] ..s.. 13832.686536: block_rq_complete: 7,0 RA () 130944 + 8 be,0,4 [0]"));
        assertFalse(parser.changesData());
        assertEquals(Kind.COMPLETION, parser.parse(
                " C1 CompilerThre-3698    [001] d.s1. 13827.441092: block_rq_complete: 254,0 WS () 0 + 0 be,0,4 [0]"));
        assertEquals(254, parser.major());
        assertEquals(0, parser.nrSectors());
    }

    @Test
    void shouldIgnoreAFlushWhoseSectorIsMinusOne() {
        assertEquals(Kind.OTHER, parser.parse(
                " C1 CompilerThre-3698    [001] ..s.. 13827.441090: block_rq_complete: 254,0 FF () 18446744073709551615 + 0 none,0,0 [0]"));
    }

    @Test
    void shouldParseABioCompletionOfDeviceMapper() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "          <idle>-0       [001] ..s1. 14001.123456: block_bio_complete: 253,0 W 2048 + 8 [0]"));
        assertEquals(253, parser.major());
        assertEquals("W", parser.rwbs());
        assertEquals(2048, parser.sector());
        assertEquals(8, parser.nrSectors());
    }

    @Test
    void shouldSkipAPassthroughCommandWithSpaces() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "  kworker/1:1-50      [001] ..s.. 14001.1: block_rq_complete: 8,16 W (2a 00 00 00) 64 + 8 be,0,4 [-5]"));
        assertEquals(8, parser.major());
        assertEquals(16, parser.minor());
        assertEquals(64, parser.sector());
        assertEquals(8, parser.nrSectors());
    }

    @Test
    void shouldNotBeFooledByATaskNameWithColonsAndSpaces() {
        assertEquals(Kind.COMPLETION, parser.parse(
                "  a: b: c x:y-77  [000] ..... 1.000001: block_rq_complete: 7,3 W () 9 + 1 be,0,4 [0]"));
        assertEquals(3, parser.minor());
        assertEquals(9, parser.sector());
    }

    @Test
    void shouldRecogniseMarkersAndTheirNumber() {
        assertEquals(Kind.MARKER, parser.parse(
                "            bash-4026    [001] ...1. 13838.107044: tracing_mark_write: replicator-sync 42"));
        assertEquals("replicator-sync 42", parser.markerText());
        assertTrue(parser.markerStartsWith("replicator-sync ".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(42, parser.markerNumber("replicator-sync ".length()));
    }

    @Test
    void shouldRecogniseLostEventLines() {
        assertEquals(Kind.LOST, parser.parse("CPU:1 [LOST 1234 EVENTS]"));
        assertEquals(1234, parser.lostCount());
    }

    @Test
    void shouldIgnoreGarbageAndOtherEvents() {
        assertEquals(Kind.OTHER, parser.parse(""));
        assertEquals(Kind.OTHER, parser.parse("garbage"));
        assertEquals(Kind.OTHER, parser.parse("CPU:1 something"));
        assertEquals(Kind.OTHER, parser.parse("  dd-1 [000] ..... 1.0: block_rq_issue: 7,0 WS 4096 () 40 + 8 be,0,4 [dd]"));
        assertEquals(Kind.OTHER, parser.parse("  dd-1 [000] ..... 1.0: block_rq_complete: 7,0 WS () 40 +"));
        assertEquals(Kind.OTHER, parser.parse("  dd-1 [000] ..... 1.0: block_rq_complete: 7 WS () 40 + 8"));
        assertEquals(Kind.OTHER, parser.parse("  dd-1 [000] ..... 1.0: block_bio_complete: 7,0  40 + 8 [0]"));
        assertEquals(Kind.OTHER, parser.parse("  dd-1 [000] ..... 1.0: block_rq_complete: 7,0 WS (unterminated"));
    }

    @Test
    void shouldParseALineInsideALargerBuffer() {
        byte[] buf = ("xx\n     ksoftirqd/0-14      [000] ..s.. 1.0: block_rq_complete: 7,1 W () 5 + 3 be,0,4 [0]\nyy")
                .getBytes(StandardCharsets.US_ASCII);
        int from = 3;
        int to = buf.length - 3;
        assertEquals(Kind.COMPLETION, parser.parse(buf, from, to));
        assertEquals(1, parser.minor());
        assertEquals(3, parser.nrSectors());
    }
}
