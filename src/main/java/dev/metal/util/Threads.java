package dev.metal.util;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for work that waits: on BMCs, over the network. A fleet scrape spends its time waiting
 * for answers, thousands of requests at once; a platform thread per waiting request is memory
 * and scheduling for nothing. On a JVM with virtual threads (21 and newer) each task gets a
 * virtual thread; on 17, a pool of daemon platform threads. metal is built for 17, so the JDK 21
 * API is found at run time. {@code -Dmetal.virtualThreads=false} keeps platform threads (to compare).
 */
public final class Threads {
    private Threads() {}

    /** Thread.ofVirtual().name(prefix, 0).factory(), or null before JDK 21 (or when turned off). */
    private static final MethodHandle VIRTUAL_FACTORY = virtualFactory();
    /** Executors.newThreadPerTaskExecutor(ThreadFactory), JDK 21 and newer. */
    private static final MethodHandle PER_TASK = VIRTUAL_FACTORY == null ? null : perTask();

    private static MethodHandle perTask() {
        try {
            return MethodHandles.publicLookup().findStatic(Executors.class, "newThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class, ThreadFactory.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static MethodHandle virtualFactory() {
        if (!Boolean.parseBoolean(System.getProperty("metal.virtualThreads", "true"))) return null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle start = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name = lookup.findVirtual(ofVirtual, "name",
                    MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            // (String prefix) -> ThreadFactory
            MethodHandle named = MethodHandles.filterReturnValue(
                    MethodHandles.collectArguments(name, 0, start),
                    factory.asType(MethodType.methodType(ThreadFactory.class, ofVirtual)));
            MethodHandle h = MethodHandles.insertArguments(named, 1, 0L);
            ThreadFactory probe = (ThreadFactory) h.invoke("probe-");
            if (probe == null) return null;
            return h;
        } catch (Throwable e) {
            return null; // JDK 17 to 20: platform threads
        }
    }

    /** Whether waiting work runs on virtual threads in this JVM. */
    public static boolean virtual() {
        return VIRTUAL_FACTORY != null && PER_TASK != null;
    }

    /**
     * An executor for tasks that wait: a new virtual thread per task when the JVM has them, else a
     * growing pool of daemon platform threads named {@code name}.
     */
    public static ExecutorService forWaiting(String name) {
        ThreadFactory virtual = virtual() ? virtualFactory(name) : null;
        if (virtual != null) {
            try {
                return (ExecutorService) PER_TASK.invoke(virtual);
            } catch (Throwable e) {
                // fall through to platform threads
            }
        }
        return Executors.newCachedThreadPool(daemon(name));
    }

    /** Daemon platform threads named {@code name}. */
    public static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static ThreadFactory virtualFactory(String name) {
        if (VIRTUAL_FACTORY == null) return null;
        try {
            return (ThreadFactory) VIRTUAL_FACTORY.invoke(name + "-");
        } catch (Throwable e) {
            return null;
        }
    }
}
