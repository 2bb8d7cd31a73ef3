package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** samples/templates is a copy of the built-in templates to start a customization from; it must not go stale. */
class SampleTemplatesTest {
    @Test
    void sampleTemplatesAreTheBuiltInOnes() throws Exception {
        Path samples = Path.of(System.getProperty("metal.basedir", "."), "samples/templates");
        for (String name : Templates.NAMES) {
            Path file = samples.resolve(name + ".mustache");
            assertEquals(Templates.builtIn(name), Files.readString(file),
                    file + " differs from the built-in template; run 'metal template export samples/templates --force'");
        }
    }
}
