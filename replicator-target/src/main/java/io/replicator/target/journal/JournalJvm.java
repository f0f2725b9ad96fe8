package io.replicator.target.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options Chronicle Queue needs on Java 17 and later, in one place: the launcher, the
 * build's test JVMs and the tests that start JVMs use them. {@link #requireFlags()} refuses to open
 * a journal without them, naming what is missing, rather than letting Chronicle fail somewhere
 * deep. Stateless; thread-safe.
 */
public final class JournalJvm {
    /** Exports and opens Chronicle Queue needs (Java 17 and later). */
    public static final List<String> FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED");
    /** Needed as well from Java 24 on, and refused by Java 17. */
    public static final List<String> FLAGS_24 = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private JournalJvm() {
    }

    /** The flags for a JVM of feature version {@code javaFeature} (17, 21, 25...). */
    public static List<String> flagsFor(int javaFeature) {
        List<String> flags = new ArrayList<>(FLAGS);
        if (javaFeature >= 24) {
            flags.addAll(FLAGS_24);
        }
        return flags;
    }

    /** The flags for a JVM like this one. */
    public static List<String> flags() {
        return flagsFor(Runtime.version().feature());
    }

    /** Throws, naming the missing flags, unless this JVM was started with {@link #FLAGS}. */
    public static void requireFlags() {
        Module unnamed = JournalJvm.class.getClassLoader().getUnnamedModule();
        List<String> missing = new ArrayList<>();
        for (String flag : FLAGS) {
            String[] parts = flag.substring(flag.indexOf('=') + 1, flag.lastIndexOf('=')).split("/");
            Module module = ModuleLayer.boot().findModule(parts[0]).orElse(null);
            boolean granted = module != null && (flag.startsWith("--add-opens")
                    ? module.isOpen(parts[1], unnamed) : module.isExported(parts[1], unnamed));
            if (!granted) {
                missing.add(flag);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the receiver's journal (Chronicle Queue) needs these JVM options: "
                    + String.join(" ", missing) + " (the replicator launcher sets them)");
        }
    }
}
