package dev.metal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Reads every resource the inventory needs from one BMC, as few requests deep as it can:
 * a small pool of workers (as many as the BMC takes concurrent requests) keeps that many
 * requests in flight, each answer adds the links worth following, and with $expand (when
 * the service root offers it) one request brings a whole collection at once.
 */
public final class Walk {
    /** Each BMC's extra workers and its service-root read: virtual threads where the JVM has them. */
    private static final ExecutorService WORKERS = dev.metal.util.Threads.forWaiting("redfish-walk");

    private final RedfishClient client;
    private final Map<String, JsonNode> resources = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> queued = new HashSet<>();
    private final Deque<String> queue = new ArrayDeque<>();
    /** Single resources wait behind collections: an expanded collection often brings them along. */
    private final Deque<String> later = new ArrayDeque<>();
    private int active;
    /** Keys of the expanded requests in flight: what their answers may bring is not asked for meanwhile. */
    private final Set<String> expanding = new HashSet<>();
    private RuntimeException failure;
    private volatile String expandQuery;
    private int depth;
    private final Map<String, Integer> depthOf = new LinkedHashMap<>();

    private Walk(RedfishClient client) {
        this.client = client;
    }

    /** What the walk found: resources by normalized URI, and what it could not read. */
    public record Result(Map<String, JsonNode> resources, List<String> warnings, int depth) {}

    /** Walks the BMC; throws {@link RedfishException} when a resource the inventory needs cannot be read. */
    public static Result run(RedfishClient client) {
        return run(client, client.get("/redfish/v1"));
    }

    /**
     * Logs in and walks, reading the service root (which needs no login) while the login is on
     * its way: one round trip less per BMC. The session is the caller's to end, also on failure.
     */
    public static Result loginAndRun(RedfishClient client) {
        java.util.concurrent.Future<JsonNode> root = WORKERS.submit(() -> client.get("/redfish/v1"));
        try {
            client.login();
        } catch (RuntimeException e) {
            try {
                root.get(); // let it finish before the caller closes the connections under it
            } catch (Exception ignored) {
                // the login failure is the one to report
            }
            throw e;
        }
        try {
            return run(client, root.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedfishException(client.host() + ": interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new RedfishException(client.host() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Walks from a service root already read. */
    public static Result run(RedfishClient client, JsonNode root) {
        Walk w = new Walk(client);
        if (root == null) throw new RedfishException(client.host() + ": no Redfish service at /redfish/v1");
        w.expandQuery = expandQuery(root);
        w.depthOf.put(Uris.key("/redfish/v1"), 1);
        w.depth = 1;
        w.absorb(root, "/redfish/v1");
        w.runWorkers();
        return new Result(Map.copyOf(w.resources), List.copyOf(w.warnings), w.depth);
    }

    /** The $expand query to use, or null when the service root does not offer one. */
    static String expandQuery(JsonNode root) {
        JsonNode e = root.path("ProtocolFeaturesSupported").path("ExpandQuery");
        if (e.isMissingNode()) return null;
        int max = e.path("MaxLevels").asInt(1);
        // Four levels reach adapter ports and storage drives; deeper only drags in sensors and logs.
        int levels = Math.max(1, Math.min(max, 4));
        if (e.path("NoLinks").asBoolean(false)) {
            return e.path("Levels").asBoolean(false) ? "$expand=.($levels=" + levels + ")" : "$expand=.";
        }
        if (e.path("ExpandAll").asBoolean(false)) {
            return e.path("Levels").asBoolean(false) ? "$expand=*($levels=" + levels + ")" : "$expand=*";
        }
        return null;
    }

    private void runWorkers() {
        int n = client.maxConcurrent();
        List<java.util.concurrent.Future<?>> helpers = new ArrayList<>();
        for (int i = 1; i < n; i++) helpers.add(WORKERS.submit(this::work));
        work();
        for (java.util.concurrent.Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedfishException(client.host() + ": interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new RedfishException(client.host() + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
        synchronized (this) {
            if (failure != null) throw failure;
        }
    }

    private void work() {
        while (true) {
            String uri;
            boolean expanded;
            synchronized (this) {
                while (true) {
                    if (failure != null) {
                        notifyAll();
                        return;
                    }
                    uri = next();
                    if (uri != null) break;
                    if (queue.isEmpty() && later.isEmpty() && active == 0) {
                        notifyAll();
                        return;
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                expanded = expandQuery != null && isCollectionLike(uri);
                depth = Math.max(depth, depthOf.getOrDefault(Uris.key(uri), 1));
                if (expanded) expanding.add(Uris.key(uri));
                active++;
            }
            try {
                fetch(uri);
            } catch (RuntimeException e) {
                synchronized (this) {
                    if (failure == null) failure = e;
                }
            } finally {
                synchronized (this) {
                    if (expanded) expanding.remove(Uris.key(uri));
                    active--;
                    notifyAll();
                }
            }
        }
    }

    /**
     * The next resource worth asking for now, or null: collections first; a resource that an
     * expanded answer still on its way may hold waits for it (asking for it as well was the
     * ~400 extra requests of a 500-host scrape), and single resources wait behind the queued
     * collections that may bring them. Resources that arrived meanwhile are dropped.
     */
    private String next() {
        for (Iterator<String> it = queue.iterator(); it.hasNext(); ) {
            String uri = it.next();
            String key = Uris.key(uri);
            if (resources.containsKey(key)) {
                it.remove();
            } else if (!below(key, expanding)) {
                it.remove();
                return uri;
            }
        }
        if (!queue.isEmpty()) {
            // Waiting collections may bring singles too: only singles that none of them covers may go.
            Set<String> waiting = new HashSet<>();
            for (String uri : queue) waiting.add(Uris.key(uri));
            return nextSingle(waiting);
        }
        return nextSingle(Set.of());
    }

    private String nextSingle(Set<String> waitingCollections) {
        for (Iterator<String> it = later.iterator(); it.hasNext(); ) {
            String uri = it.next();
            String key = Uris.key(uri);
            if (resources.containsKey(key)) {
                it.remove();
            } else if (!mayArrive(key, expanding) && !mayArrive(key, waitingCollections)) {
                it.remove();
                return uri;
            }
        }
        return null;
    }

    /**
     * Whether an expanded answer for one of these collections may hold the resource: "$expand=."
     * brings only what lies below the collection; "$expand=*" also follows Links, so anything.
     */
    private boolean mayArrive(String key, Set<String> collections) {
        if (collections.isEmpty() || expandQuery == null) return false;
        return expandQuery.startsWith("$expand=*") || below(key, collections);
    }

    /** Whether the resource lies below one of these collections (and so comes with its expanded answer). */
    private static boolean below(String key, Set<String> collections) {
        for (String c : collections) {
            if (key.startsWith(c + "/")) return true;
        }
        return false;
    }

    private void fetch(String uri) {
        try {
            fetchOrFail(uri);
        } catch (IllegalArgumentException e) {
            // A link OkHttp cannot make a URL of: that resource is not there to read.
            warnings.add(uri + ": not a link that can be read (" + e.getMessage() + ")");
        }
    }

    private void fetchOrFail(String uri) {
        String q = expandQuery;
        JsonNode node = null;
        if (q != null && isCollectionLike(uri)) {
            try {
                node = client.get(uri + "?" + q);
            } catch (RedfishClient.HttpStatusException e) {
                // Some BMCs advertise $expand and then refuse it: read one by one from here on.
                expandQuery = null;
                warnings.add("$expand refused (" + e.status() + "); reading resources one by one");
            }
        }
        if (node == null) node = client.get(uri);
        if (node == null) {
            warnings.add("missing resource " + uri + " (404)");
            return;
        }
        absorb(node, uri);
    }

    /** Collections and containers are worth expanding; leaves are not. */
    private static boolean isCollectionLike(String uri) {
        return Links.wanted(uri);
    }

    /** Files a resource and every expanded resource inside it, then queues their links. */
    private void absorb(JsonNode node, String fetchedAs) {
        List<JsonNode> found = new ArrayList<>();
        collect(node, found, true);
        int parentDepth;
        synchronized (this) {
            parentDepth = depthOf.getOrDefault(Uris.key(fetchedAs), 1);
        }
        for (JsonNode r : found) {
            if (r == node) {
                // Filed under the URI that was asked for: links point there, even when the body names another
                // (a capture has Disk-2-0 and Disk-2-1 swapped).
                String id = r.path("@odata.id").isTextual() ? r.path("@odata.id").asText() : null;
                if (id != null && !Uris.key(id).equals(Uris.key(fetchedAs))) {
                    warnings.add("resource at " + fetchedAs + " says it is " + id);
                }
                resources.put(Uris.key(fetchedAs), r);
                continue;
            }
            String id = r.path("@odata.id").isTextual() ? r.path("@odata.id").asText() : null;
            if (id == null || id.isBlank() || id.contains("#")) continue; // inline parts such as Storage#/StorageControllers/0
            resources.putIfAbsent(Uris.key(id), r);
        }
        for (JsonNode r : found) {
            String at = r == node ? fetchedAs : r.path("@odata.id").asText(fetchedAs);
            for (String link : Links.follow(r, problem -> warnings.add(Uris.path(at) + ": " + problem))) {
                enqueue(link, parentDepth + 1);
            }
        }
    }

    /** Expanded resources are objects with an @odata.id and more than that. */
    private static void collect(JsonNode node, List<JsonNode> out, boolean top) {
        if (node.isObject()) {
            if (top || (node.has("@odata.id") && node.size() > 1)) out.add(node);
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("Links") || f.getKey().equals("Oem")) continue;
                if (f.getValue().isContainerNode()) collect(f.getValue(), out, false);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) collect(n, out, false);
        }
    }

    private synchronized void enqueue(String uri, int d) {
        String key = Uris.key(uri);
        if (resources.containsKey(key) || !queued.add(key)) return;
        depthOf.put(key, d);
        if (expandQuery != null && !isCollectionLike(uri)) later.add(Uris.path(uri));
        else queue.add(Uris.path(uri));
        notifyAll();
    }
}
