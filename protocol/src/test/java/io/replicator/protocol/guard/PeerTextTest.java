package io.replicator.protocol.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerTextTest {
    @Test
    void shouldLeavePrintableTextAsItIs() {
        String text = "volume disk0 of source web1: 4096 bytes at offset 0 (déjà vu, 東京, \uD83D\uDE00) \\ done";
        assertEquals(text, PeerText.escape(text));
    }

    @Test
    void shouldEscapeLineBreaksSoThatAPeerCannotForgeALogLine() {
        assertEquals("bad\\r\\n[main] INFO forged", PeerText.escape("bad\r\n[main] INFO forged"));
        assertEquals("a\\tb", PeerText.escape("a\tb"));
    }

    @Test
    void shouldEscapeEveryC0AndC1ControlCharacterAndDel() {
        assertEquals("\\x1b[2J\\x1b]0;title\\x07", PeerText.escape("\u001b[2J\u001b]0;title\u0007"));
        assertEquals("\\x00\\x7f\\x80\\x9b\\x9f", PeerText.escape("\u0000\u007f\u0080\u009b\u009f"));
        for (char c = 0; c < 0xa0; c++) {
            String escaped = PeerText.escape(String.valueOf(c));
            assertEquals(Character.isISOControl(c), !escaped.equals(String.valueOf(c)), "character " + (int) c);
        }
    }

    @Test
    void shouldEscapeSeparatorsFormatCharactersAndLoneSurrogates() {
        assertEquals("a\\u2028b\\u2029c", PeerText.escape("a\u2028b\u2029c"));
        assertEquals("\\u202eevil\\u202c \\u200b\\ufeff", PeerText.escape("\u202eevil\u202c \u200b\ufeff"));
        assertEquals("x\\ud800y\\udc00", PeerText.escape("x\ud800y\udc00"));
    }

    @Test
    void shouldBoundTheLengthAndSayHowMuchWasCut() {
        String escaped = PeerText.escape("x".repeat(5000));
        assertEquals("x".repeat(PeerText.DEFAULT_MAX_CHARS) + "... (3976 more characters)", escaped);
        assertEquals("ab... (1 more characters)", PeerText.escape("ab\n", 3));
        assertEquals("ab\\n", PeerText.escape("ab\n", 4));
        assertEquals("\uD83D\uDE00... (2 more characters)", PeerText.escape("\uD83D\uDE00\uD83D\uDE00", 3),
                "a surrogate pair is never split");
    }

    @Test
    void shouldChangeNothingWhenEscapingEscapedText() {
        Random random = new Random(42);
        for (int round = 0; round < 1000; round++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(64); i > 0; i--) {
                b.append((char) random.nextInt(0x3000));
            }
            String once = PeerText.escape(b.toString());
            assertEquals(once, PeerText.escape(once), "seed 42, round " + round);
            for (char c : once.toCharArray()) {
                assertFalse(Character.isISOControl(c), "round " + round + ": " + once);
            }
        }
    }

    @Test
    void shouldPrintNullAsNull() {
        assertTrue(PeerText.escape(null).equals("null"));
    }
}
