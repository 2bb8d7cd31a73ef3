package dev.metal.boot;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads where the runtime has them (JDK 21 and newer). metal is built for JDK 17,
 * so they are reached by reflection; on an older runtime, or where the lookup is not allowed
 * (a native image without the reflection entry), the caller falls back to platform threads.
 */
final class VirtualThreads {
    private VirtualThreads() {}

    /** A factory of virtual threads named {@code prefix} and a counter, or null when the runtime has none. */
    static ThreadFactory factory(String prefix) {
        if (Runtime.version().feature() < 21 || Boolean.getBoolean("metal.noVirtualThreads")) return null;
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
            Method factory = builderType.getMethod("factory");
            return (ThreadFactory) factory.invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
