package dev.metal.render;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.ValueCode;
import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The mustache templates: built into the jar, each one overridable by a file of the same
 * name in a folder the user gives. Values are written as they are (no HTML escaping), and
 * a {{variable}} that the context lacks is an error naming the template, line and variable
 * instead of an empty string in a config file.
 */
public final class Templates {
    /** Every built-in template, by file name; a template is NAME.mustache. */
    public static final List<String> NAMES = List.of("preseed.cfg", "boot.ipxe", "networkd.link", "networkd.network",
            "user-data", "meta-data", "network-config", "dnsmasq.conf", "dhcpd.conf", "kea-dhcp4.json",
            "frr-server.conf", "frr-tor.conf", "frr-spine.conf");

    static final String SUFFIX = ".mustache";
    private static final String RESOURCE_DIR = "/dev/metal/render/templates/";

    private final Path overrides;
    private final Factory factory = new Factory();

    /** @param overrides a folder whose NAME.mustache files replace the built-in ones, or null */
    public Templates(Path overrides) {
        this.overrides = overrides;
        if (overrides != null && !Files.isDirectory(overrides)) {
            throw new BadInputException("templates folder " + overrides + " does not exist");
        }
        if (overrides != null) {
            try (var files = Files.list(overrides)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String n = f.getFileName().toString();
                    if (n.endsWith(SUFFIX) && !NAMES.contains(n.substring(0, n.length() - SUFFIX.length()))) {
                        throw new BadInputException(f + ": not a metal template (see 'metal template list')");
                    }
                }
            } catch (IOException e) {
                throw new BadInputException("cannot list templates folder " + overrides + ": " + e.getMessage());
            }
        }
    }

    /** Where a template comes from: the override file, or "built-in". */
    public String source(String name) {
        Path p = overridePath(name);
        return p != null ? p.toString() : "built-in";
    }

    public static String builtIn(String name) {
        try (InputStream in = Templates.class.getResourceAsStream(RESOURCE_DIR + name + SUFFIX)) {
            if (in == null) throw new IllegalArgumentException("no built-in template " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every built-in template into {@code dir} as NAME.mustache, the start of a customization. */
    public static List<Path> export(Path dir, boolean force) {
        List<Path> written = new java.util.ArrayList<>();
        List<String> existing = new java.util.ArrayList<>();
        for (String name : NAMES) {
            Path p = dir.resolve(name + SUFFIX);
            if (Files.exists(p) && !force) existing.add(p + " exists; use --force to overwrite it");
        }
        if (!existing.isEmpty()) throw new BadInputException(existing);
        try {
            Files.createDirectories(dir);
            for (String name : NAMES) {
                Path p = dir.resolve(name + SUFFIX);
                Files.writeString(p, builtIn(name), StandardCharsets.UTF_8);
                written.add(p);
            }
        } catch (IOException e) {
            throw new SystemicException("cannot write templates in " + dir + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** Renders template {@code name} with the context; the context is a tree of maps, lists and strings. */
    public String render(String name, Map<String, Object> context) {
        Mustache m = factory.compile(name + SUFFIX);
        StringWriter out = new StringWriter(4096);
        try {
            m.execute(out, context);
        } catch (MissingVariable e) {
            throw e.asBadInput();
        } catch (MustacheException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MissingVariable mv) throw mv.asBadInput();
            }
            throw new BadInputException("template " + name + ": " + e.getMessage());
        }
        return out.toString();
    }

    private Path overridePath(String name) {
        if (overrides == null) return null;
        Path p = overrides.resolve(name.endsWith(SUFFIX) ? name : name + SUFFIX);
        return Files.isRegularFile(p) ? p : null;
    }

    private final class Factory extends DefaultMustacheFactory {
        @Override
        public Reader getReader(String resourceName) {
            Path p = overridePath(resourceName);
            try {
                if (p != null) return Files.newBufferedReader(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadInputException("cannot read template " + p + ": " + e.getMessage());
            }
            InputStream in = Templates.class.getResourceAsStream(RESOURCE_DIR + resourceName);
            if (in == null) throw new BadInputException("no template named " + resourceName);
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            DefaultMustacheFactory df = this;
            return new DefaultMustacheVisitor(this) {
                @Override
                public void value(TemplateContext tc, String variable, boolean encoded) {
                    list.add(new StrictValue(tc, df, variable, encoded));
                }
            };
        }
    }

    /** A {{value}} that refuses to be missing. */
    private static final class StrictValue extends ValueCode {
        StrictValue(TemplateContext tc, DefaultMustacheFactory df, String variable, boolean encoded) {
            super(tc, df, variable, encoded);
        }

        @Override
        public Writer execute(Writer writer, List<Object> scopes) {
            if (get(scopes) == null) throw new MissingVariable(tc.file(), tc.line(), name);
            return super.execute(writer, scopes);
        }
    }

    private static final class MissingVariable extends RuntimeException {
        MissingVariable(String file, int line, String variable) {
            super("template " + (file.endsWith(SUFFIX) ? file.substring(0, file.length() - SUFFIX.length()) : file)
                    + " line " + line + ": variable '" + variable + "' is not defined");
        }

        BadInputException asBadInput() {
            return new BadInputException(getMessage());
        }
    }
}
