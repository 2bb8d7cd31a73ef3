package dev.metal.profile;

import java.util.regex.Pattern;

/** A profile pattern: '*' any text, '?' one character, case-insensitive, outer spaces ignored. */
final class Glob {
    final String text;
    private final Pattern pattern;

    private Glob(String text) {
        this.text = text;
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : text.trim().toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
        this.pattern = Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /** Null when there is no pattern (nothing to check). */
    static Glob of(String text) {
        return text == null ? null : new Glob(text);
    }

    /** A missing value only matches the pattern "*". */
    boolean matches(String value) {
        if (value == null) return text.trim().equals("*");
        return pattern.matcher(value.trim()).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
