package io.replicator.source.report;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The report's enums read back from their JSON text ({@code toString()}), with errors naming the value. */
final class EnumText {
    private EnumText() {
    }

    /**
     * The one of {@code values} whose text is {@code text}.
     *
     * @throws IllegalArgumentException naming {@code what}, the value and the ones allowed
     */
    static <E extends Enum<E>> E parse(E[] values, String text, String what) {
        for (E e : values) {
            if (e.toString().equals(text)) {
                return e;
            }
        }
        throw new IllegalArgumentException("invalid " + what + ": '" + text + "' (expected: "
                + Arrays.stream(values).map(Object::toString).collect(Collectors.joining(", ")) + ")");
    }
}
