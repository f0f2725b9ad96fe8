package io.replicator.target.launch;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a memory map at once ({@code sun.misc.Unsafe.invokeCleaner}, which the JVM flags the
 * journal needs already open to us), so that a cycle file pruned after a launch does not hold its
 * disk space until a garbage collection; where the call is not available the map goes with the
 * garbage collector. The buffer must not be used afterwards. Stateless; thread-safe.
 */
final class Unmap {
    private static final Logger log = LoggerFactory.getLogger(Unmap.class);
    private static final Object UNSAFE;
    private static final Method CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            cleaner = type.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("memory maps are released by the garbage collector: {}", e.toString());
        }
        UNSAFE = unsafe;
        CLEANER = cleaner;
    }

    private Unmap() {
    }

    static void unmap(MappedByteBuffer map) {
        if (CLEANER == null) {
            return;
        }
        try {
            CLEANER.invoke(UNSAFE, map);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("releasing a memory map failed: {}", e.toString());
        }
    }
}
