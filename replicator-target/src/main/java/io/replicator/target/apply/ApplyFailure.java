package io.replicator.target.apply;

import io.replicator.protocol.wire.ErrorCode;

/** Why an apply thread ends its session: the code and message that go to the source. Immutable. */
final class ApplyFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    ApplyFailure(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    ErrorCode code() {
        return code;
    }
}
