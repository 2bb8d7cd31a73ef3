package dev.metal.profile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.metal.model.BadInputException;
import dev.metal.model.NotFoundException;
import dev.metal.model.Profile;
import dev.metal.model.SystemicException;
import dev.metal.util.UserFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reading and writing profile files. Every problem is reported as "FILE line N: ...", all
 * problems of all files at once, so that one run of 'metal profile check' shows them all.
 */
public final class ProfileFiles {
    private ProfileFiles() {}

    /** A profile and the file it came from. */
    public record Loaded(Profile profile, Path file) {}

    private static final class Holder {
        static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                        .build())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // count: 2.5 is no count; Jackson would take it as 2.
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** Reads and checks one profile file; the name defaults to the file name without .yaml. */
    public static Loaded load(Path file) {
        String text = UserFiles.readText(file);
        return new Loaded(parse(text, file.toString(), stem(file)), file);
    }

    /**
     * Parses and checks profile text. {@code source} names it in errors; {@code defaultName}
     * is used when the text has no name.
     */
    public static Profile parse(String text, String source, String defaultName) {
        if (text.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
            throw new BadInputException(source + ": empty profile file");
        }
        Profile p;
        try {
            p = Holder.MAPPER.readValue(text, Profile.class);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + lineOf(e, text) + ": " + describe(e));
        }
        if (p == null) throw new BadInputException(source + ": empty profile file");
        if (p.name() == null && defaultName != null) {
            p = new Profile(defaultName, p.description(), p.system(), p.cpus(), p.memory(), p.drives(), p.nics());
        }
        List<String> problems = new ProfileCheck(p, lines(text), source).problems();
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return p;
    }

    /**
     * Every *.yaml and *.yml file in {@code dir}, sorted by name. Problems in any file, and
     * two files with one profile name, fail the whole load: matching against half a set of
     * profiles could give a host the wrong names.
     */
    public static List<Loaded> loadFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("profiles folder " + dir + " does not exist (give --profiles DIR or "
                    + "$METAL_PROFILES, or make a 'profiles' folder beside the state file)");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            for (Path f : entries) if (Files.isRegularFile(f)) files.add(f);
        } catch (IOException e) {
            throw new BadInputException("cannot read profiles folder " + dir + ": " + e.getMessage());
        }
        files.sort(null);
        List<String> problems = new ArrayList<>();
        List<Loaded> loaded = new ArrayList<>();
        Map<String, Path> byName = new HashMap<>();
        for (Path f : files) {
            try {
                Loaded l = load(f);
                Path other = byName.putIfAbsent(l.profile().name(), f);
                if (other != null) {
                    problems.add(f + ": profile name " + l.profile().name() + " is also used by " + other);
                } else {
                    loaded.add(l);
                }
            } catch (BadInputException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        if (loaded.isEmpty()) throw new BadInputException("no profiles (*.yaml) in " + dir);
        return loaded;
    }

    /** The profile called {@code name} in the folder; bad input when there is none. */
    public static Loaded find(Path dir, String name) {
        return loadFolder(dir).stream().filter(l -> l.profile().name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no profile " + name + " in " + dir));
    }

    /** The text of a profile's file, as written. */
    public static String text(Loaded loaded) {
        return UserFiles.readText(loaded.file());
    }

    /** Checks every file; the profile name by file when all are good, else every problem of every file. */
    public static Map<String, String> check(List<Path> files) {
        List<String> problems = new ArrayList<>();
        Map<String, String> ok = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                ok.put(f.toString(), load(f).profile().name());
            } catch (BadInputException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return ok;
    }

    /** The YAML text of a profile, with {@code comment} lines on top. */
    public static String write(Profile profile, List<String> comment) {
        try {
            String body = Holder.MAPPER.writeValueAsString(profile);
            StringBuilder b = new StringBuilder();
            for (String c : comment) b.append("# ").append(c).append('\n');
            return b.append(body).toString();
        } catch (JsonProcessingException e) {
            throw new SystemicException("cannot write profile " + profile.name(), e);
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * The line of every key and value in the text, by JSON pointer ("/nics/1/names"), so that
     * checks made after parsing can still name a line.
     */
    static Map<String, Integer> lines(String text) {
        Map<String, Integer> lines = new TreeMap<>();
        try (JsonParser parser = Holder.MAPPER.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = parser.nextToken()) != null) {
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) continue;
                lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // The text parsed as a profile already; a failure here only costs line numbers.
        }
        return lines;
    }

    /**
     * The line of the key a mapping error is about. Jackson's own location is where the
     * parser stopped, which in YAML can be the line after.
     */
    private static String lineOf(JsonProcessingException e, String text) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder pointer = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                pointer.append('/').append(r.getFieldName() != null
                        ? ProfileCheck.escape(r.getFieldName()) : String.valueOf(r.getIndex()));
            }
            Integer line = lines(text).get(pointer.toString());
            if (line != null) return " line " + line;
        }
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : " line " + e.getLocation().getLineNr();
    }

    /** Jackson's messages are written for programmers; these say what is wrong in the file. */
    private static String describe(JsonProcessingException e) {
        String where = e instanceof JsonMappingException m ? path(m) : "";
        String at = where.isEmpty() ? "" : where + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : " (known: " + u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
            String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
            return "unknown key '" + u.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent) + known;
        }
        if (e instanceof InvalidFormatException f) {
            return at + "'" + f.getValue() + "' is not " + typeWord(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m) {
            return at + "expected " + typeWord(m.getTargetType());
        }
        String msg = e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        return at + (nl > 0 ? msg.substring(0, nl) : msg);
    }

    private static String typeWord(Class<?> type) {
        if (type == null) return "a value of another kind";
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) return "a whole number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a text";
        if (List.class.isAssignableFrom(type)) return "a list";
        if (Map.class.isAssignableFrom(type)) return "a map of slot: GiB";
        return "a section of keys (" + type.getSimpleName().replace("Spec", "").toLowerCase() + ")";
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }
}
