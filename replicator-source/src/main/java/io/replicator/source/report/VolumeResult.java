package io.replicator.source.report;

import java.util.Locale;

/**
 * How one volume ended in a cutover: {@code verified} (the SHA-256 of every block was computed on
 * both sides and is equal), {@code differ} (computed on both sides and different) or {@code
 * not_verified} (the cutover stopped before both were computed). {@link #toString()} is the JSON
 * value.
 */
public enum VolumeResult {
    VERIFIED,
    DIFFER,
    NOT_VERIFIED;

    /** The JSON value: the name in lower case. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value whose JSON form is {@code text}.
     *
     * @throws IllegalArgumentException naming the value and the ones allowed
     */
    public static VolumeResult parse(String text) {
        return EnumText.parse(values(), text, "volume result");
    }
}
