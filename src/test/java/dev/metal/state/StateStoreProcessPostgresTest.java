package dev.metal.state;

import dev.metal.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The concurrent imports and the kill -9 during an import of {@link StateStoreProcessTest}, on PostgreSQL. */
class StateStoreProcessPostgresTest extends StateStoreProcessTest {
    static PostgresServer server;

    @BeforeAll
    static void start() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Override
    String newLocation() throws Exception {
        return server.newDatabase();
    }
}
