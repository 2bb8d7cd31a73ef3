package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The GraalVM configuration for what picocli's annotation processor does not cover:
 * every record and enum of metal (the types Jackson binds) for reflection, and the
 * resources metal reads from its jar. Generated from the compiled classes, so it stays
 * correct as types are added; this test fails when the committed files are stale. To
 * update: {@code mvn test -Dtest=NativeConfigTest -Dmetal.docs.update=true}.
 */
class NativeConfigTest {
    static final Path BASE = Path.of(System.getProperty("metal.basedir", "."));
    static final Path CONFIG = BASE.resolve("src/main/resources/META-INF/native-image/dev.metal/metal");
    static final List<String> RESOURCES = List.of(
            "\\Qdev/metal/version.properties\\E",
            "dev/metal/render/templates/.*\\.mustache",
            "dev/metal/lab/.*",
            "dev/metal/agent/.*");

    @Test
    void committedNativeImageConfigMatchesTheClasses() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode reflect = json.createArrayNode();
        for (String name : boundTypes()) {
            ObjectNode entry = reflect.addObject();
            entry.put("name", name);
            entry.put("allDeclaredFields", true);
            entry.put("allDeclaredMethods", true);
            entry.put("allDeclaredConstructors", true);
            entry.put("allPublicMethods", true);
        }
        ObjectNode resources = json.createObjectNode();
        ArrayNode includes = resources.putObject("resources").putArray("includes");
        for (String pattern : RESOURCES) includes.addObject().put("pattern", pattern);

        String reflectText = json.writeValueAsString(reflect) + "\n";
        String resourceText = json.writeValueAsString(resources) + "\n";
        if (Boolean.getBoolean("metal.docs.update")) {
            Files.createDirectories(CONFIG);
            Files.writeString(CONFIG.resolve("reflect-config.json"), reflectText);
            Files.writeString(CONFIG.resolve("resource-config.json"), resourceText);
        }
        String hint = " is stale; regenerate with 'mvn test -Dtest=NativeConfigTest -Dmetal.docs.update=true'";
        assertEquals(reflectText, read(CONFIG.resolve("reflect-config.json")), "reflect-config.json" + hint);
        assertEquals(resourceText, read(CONFIG.resolve("resource-config.json")), "resource-config.json" + hint);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Every record and enum under dev.metal, by binary name, from the compiled classes. */
    static TreeSet<String> boundTypes() throws Exception {
        Path classes = Path.of(NativeConfigTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling("classes");
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("dev/metal"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, NativeConfigTest.class.getClassLoader());
                if (type.isRecord() || (type.isEnum() && !type.isAnonymousClass())) names.add(name);
            }
        }
        return names;
    }
}
