package io.replicator.source.report;

/**
 * What becomes of the old server's file systems after a verified cutover: {@code thaw} (they take
 * writes again at once) or {@code keep-frozen} (they stay frozen until an admin thaws them or the
 * longest freeze allowed passes, so that no write lands on the old server once clients move). A
 * failed cutover always thaws. {@link #toString()} is the value of {@code --after} and of the JSON.
 */
public enum AfterCutover {
    THAW("thaw"),
    KEEP_FROZEN("keep-frozen");

    private final String value;

    AfterCutover(String value) {
        this.value = value;
    }

    /**
     * The value named {@code text}.
     *
     * @throws IllegalArgumentException naming the value and the ones allowed
     */
    public static AfterCutover parse(String text) {
        return EnumText.parse(values(), text, "after");
    }

    @Override
    public String toString() {
        return value;
    }
}
