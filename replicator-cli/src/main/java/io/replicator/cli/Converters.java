package io.replicator.cli;

import io.replicator.protocol.text.HostPort;
import io.replicator.protocol.text.Rates;
import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;

/** picocli converters for addresses, sizes and durations; their messages name the bad value. */
final class Converters {
    private Converters() {
    }

    static final class Address implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return HostPort.parse(value);
        }
    }

    static final class SizeBytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Units.parseSizeBytes(value);
        }
    }

    static final class RateBytesPerSecond implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Rates.parseBytesPerSecond(value);
        }
    }

    static final class DurationMs implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Units.parseDurationMs(value);
        }
    }
}
