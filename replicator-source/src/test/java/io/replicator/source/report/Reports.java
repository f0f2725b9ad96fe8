package io.replicator.source.report;

import io.replicator.source.Outcome;
import java.time.Instant;
import java.util.List;

/** Fixed reports for the report tests: an ok wave of two servers and a failed wave of three. */
final class Reports {
    static final String SHA_A = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    static final String SHA_B = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private Reports() {
    }

    static Instant at(String time) {
        return Instant.parse("2026-12-07T" + time + "Z");
    }

    static WaveReport okWave() {
        ServerReport web1 = new ServerReport("web1", "10.0.0.11:7701", ServerResult.OK, null, null,
                at("09:40:01.100"), at("09:40:02.300"), at("09:40:02.750"), 1650L, true, "thawed", 1_310_720,
                List.of(new VolumeReport("root", 8_589_934_592L, 1_048_576, SHA_A, SHA_A, VolumeResult.VERIFIED),
                        new VolumeReport("data", 1_073_741_824L, 262_144, SHA_B, SHA_B, VolumeResult.VERIFIED)));
        ServerReport db1 = new ServerReport("db1", "10.0.0.12:7701", ServerResult.OK, null, null,
                at("09:40:01.050"), at("09:40:02.600"), at("09:40:02.760"), 1710L, true, "thawed", 4_194_304,
                List.of(new VolumeReport("pgdata", 17_179_869_184L, 4_194_304, SHA_B, SHA_B, VolumeResult.VERIFIED)));
        WaveReport.Phases phases = new WaveReport.Phases(at("09:39:58.000"), at("09:40:01.000"), at("09:40:01.050"),
                at("09:40:02.600"), at("09:40:02.700"), at("09:40:02.800"));
        return new WaveReport("wave-20261207T093958Z-3f2a", "ops-admin", AfterCutover.THAW, Outcome.OK, null, null,
                phases, List.of(web1, db1));
    }

    static WaveReport failedWave() {
        ServerReport web1 = new ServerReport("web1", "10.0.0.11:7701", ServerResult.ABORTED,
                "withdrawn: server db1 failed", "verify", at("10:02:00.100"), null, at("10:02:03.200"), 3100L, false,
                "thawed", 65_536, List.of(new VolumeReport("root", 8_589_934_592L, 65_536, null, null,
                        VolumeResult.NOT_VERIFIED)));
        ServerReport db1 = new ServerReport("db1", "10.0.0.12:7701", ServerResult.FAILED,
                "cannot freeze /srv/db: fsfreeze: Operation not supported | see log", "freezing", null, null, null,
                null, false, "not_frozen", 0, List.of());
        ServerReport gone = new ServerReport(null, "10.0.0.13:7701", ServerResult.UNKNOWN,
                "no answer to abort: connection refused", null, null, null, null, null, false, null, 0, List.of());
        WaveReport.Phases phases = new WaveReport.Phases(at("10:01:55.000"), at("10:02:00.000"), at("10:02:00.100"),
                null, null, at("10:02:03.300"));
        return new WaveReport("wave-20261207T100155Z-00c1", "loopback", AfterCutover.KEEP_FROZEN, Outcome.FAILED,
                "db1", "cannot freeze /srv/db: fsfreeze: Operation not supported | see log", phases,
                List.of(web1, db1, gone));
    }
}
