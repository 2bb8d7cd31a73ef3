package dev.metal.util;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The project's Jackson setup, built on first use so that commands which never touch
 * JSON do not pay for it. Secrets serialize as {@code ****} with these mappers, and maps
 * that have no order of their own are written sorted by key.
 */
public final class Json {
    private Json() {}

    private static final class Holder {
        static final ObjectMapper MAPPER = configure(JsonMapper.builder()).build();
    }

    /** The mapper for output and for reading user files: secrets masked, ISO dates. */
    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** The common settings, for mappers that need a variation (the state store). */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .addModule(new JavaTimeModule())
                .addModule(StableMaps.module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }
}
