package io.replicator.target.launch;

import java.nio.file.Path;
import java.util.Map;

/**
 * A receiver that launches and nothing else, for {@link LaunchCrashTest}: opens the history an
 * {@link UndoRig} left in {@code DATA} and {@code JOURNAL} (one volume of {@code SIZE} bytes, checkpoint
 * 1 at undo position {@code POSITION}) and launches checkpoint 1 into {@code OUT}, to be killed midway.
 */
public final class LaunchingProcess {
    private LaunchingProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        try (UndoRig rig = new UndoRig(data, Path.of(args[1]), "web1", 4096, Long.parseLong(args[3]))) {
            rig.adopt(1, Long.parseLong(args[4]));
            new Launcher(rig, new PartialLedger(data)).launch(new LaunchRequest("web1", "1", Path.of(args[2]),
                    Map.of()));
        }
    }
}
