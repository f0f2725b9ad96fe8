package io.replicator.source.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The report's page against golden text: what an auditor reads, word for word. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReportMarkdownTest {
    private static String golden(String name) throws IOException {
        try (InputStream in = ReportMarkdownTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldWriteTheGoldenPageOfAnOkWave() throws IOException {
        assertEquals(golden("wave-ok.md"), ReportMarkdown.write(Reports.okWave()));
    }

    @Test
    void shouldWriteTheGoldenPageOfAFailedWaveNamingTheCulprit() throws IOException {
        assertEquals(golden("wave-failed.md"), ReportMarkdown.write(Reports.failedWave()));
    }

    @Test
    void shouldEscapeWhatMarkdownOrATerminalWouldActOn() {
        assertEquals("a\\|b \\<script\\>  c", ReportMarkdown.text("a|b <script>\u001b c"));
    }
}
