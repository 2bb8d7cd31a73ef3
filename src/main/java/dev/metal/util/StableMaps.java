package dev.metal.util;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.ResolvableSerializer;
import com.fasterxml.jackson.databind.type.MapType;
import java.io.IOException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Maps keep a stable key order in JSON: a map built in a deliberate order (linked, sorted,
 * by enum) keeps it, and any other map (Map.of, HashMap) is written sorted by key, so that
 * the same state prints the same bytes on every run.
 */
final class StableMaps extends BeanSerializerModifier {
    static SimpleModule module() {
        SimpleModule m = new SimpleModule("metal-stable-maps");
        m.setSerializerModifier(new StableMaps());
        return m;
    }

    @Override
    public JsonSerializer<?> modifyMapSerializer(SerializationConfig config, MapType type, BeanDescription desc,
                                                 JsonSerializer<?> serializer) {
        @SuppressWarnings("unchecked")
        JsonSerializer<Object> s = (JsonSerializer<Object>) serializer;
        return new Sorting(s);
    }

    static boolean ordered(Map<?, ?> map) {
        return map instanceof LinkedHashMap || map instanceof SortedMap || map instanceof EnumMap || map.size() < 2;
    }

    private static final class Sorting extends JsonSerializer<Object> implements ContextualSerializer,
            ResolvableSerializer {
        private final JsonSerializer<Object> delegate;

        Sorting(JsonSerializer<Object> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            delegate.serialize(sorted(value), gen, provider);
        }

        private static Object sorted(Object value) {
            if (!(value instanceof Map<?, ?> map) || ordered(map)) return value;
            Map<Object, Object> copy = new TreeMap<>(Comparator.comparing(String::valueOf));
            copy.putAll(map);
            return copy;
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Object value) {
            return delegate.isEmpty(provider, value);
        }

        @Override
        public Class<Object> handledType() {
            return delegate.handledType();
        }

        @Override
        public JsonSerializer<?> createContextual(SerializerProvider prov, BeanProperty property)
                throws JsonMappingException {
            if (delegate instanceof ContextualSerializer c) {
                @SuppressWarnings("unchecked")
                JsonSerializer<Object> d = (JsonSerializer<Object>) c.createContextual(prov, property);
                return d == delegate ? this : new Sorting(d);
            }
            return this;
        }

        @Override
        public void resolve(SerializerProvider provider) throws JsonMappingException {
            if (delegate instanceof ResolvableSerializer r) r.resolve(provider);
        }
    }
}
