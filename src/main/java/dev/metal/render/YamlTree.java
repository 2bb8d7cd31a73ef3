package dev.metal.render;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into maps, lists and scalars that remember their line, so that a
 * validation error can name the line as a person sees it in the file.
 */
final class YamlTree {
    private YamlTree() {}

    /** A value (Map of Node, List of Node, or String) and the 1-based line it starts on. */
    record Node(Object value, int line) {
        @SuppressWarnings("unchecked")
        Map<String, Node> map() {
            return value instanceof Map<?, ?> m ? (Map<String, Node>) m : null;
        }

        @SuppressWarnings("unchecked")
        List<Node> list() {
            return value instanceof List<?> l ? (List<Node>) l : null;
        }

        String text() {
            return value instanceof String s ? s : null;
        }
    }

    /**
     * Reads one document; a syntax error becomes a BadInput-style message with the line. A key
     * given twice in one mapping is refused too (every one of them listed): YAML leaves it to
     * the reader, and taking the last value silently hides a mistake.
     */
    static Node read(Reader reader, String fileName) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(reader)) {
            JsonToken t = p.nextToken();
            if (t == null) return new Node(new LinkedHashMap<String, Node>(), 1);
            List<String> duplicates = new ArrayList<>();
            Node root = node(p, t, fileName, duplicates);
            if (!duplicates.isEmpty()) throw new dev.metal.model.BadInputException(duplicates);
            return root;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new dev.metal.model.BadInputException(fileName + " line " + line + ": not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static Node node(JsonParser p, JsonToken t, String fileName, List<String> duplicates) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> m = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new HashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    Integer first = keyLines.putIfAbsent(key, keyLine);
                    if (first != null) {
                        duplicates.add(fileName + " line " + keyLine + ": duplicate key '" + key + "' (first on line "
                                + first + ")");
                    }
                    m.put(key, node(p, p.nextToken(), fileName, duplicates));
                }
                return new Node(m, line);
            }
            case START_ARRAY -> {
                List<Node> l = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) l.add(node(p, t, fileName, duplicates));
                return new Node(l, line);
            }
            case VALUE_NULL -> {
                return new Node(null, line);
            }
            default -> {
                return new Node(p.getText(), line);
            }
        }
    }
}
