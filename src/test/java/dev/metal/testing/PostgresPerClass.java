package dev.metal.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway PostgreSQL server for a test class: started before its first test, stopped
 * after its last. {@code @RegisterExtension static final PostgresPerClass pg = new PostgresPerClass();}
 */
public final class PostgresPerClass implements BeforeAllCallback, AfterAllCallback {
    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = PostgresServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) server.close();
        server = null;
    }

    public PostgresServer server() {
        return server;
    }
}
