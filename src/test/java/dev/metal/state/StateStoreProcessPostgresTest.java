package dev.metal.state;

import dev.metal.testing.PostgresPerClass;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The concurrent imports and the kill -9 during an import of {@link StateStoreProcessTest}, on PostgreSQL. */
class StateStoreProcessPostgresTest extends StateStoreProcessTest {
    @RegisterExtension
    static final PostgresPerClass pg = new PostgresPerClass();

    @Override
    String newLocation() throws Exception {
        return pg.server().newDatabase();
    }
}
