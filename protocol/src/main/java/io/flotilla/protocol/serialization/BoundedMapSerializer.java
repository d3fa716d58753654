package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.HashMap;
import java.util.Map;

/** Immutable maps ({@code Map.of}, {@code Map.copyOf}) on the wire, read no larger than the frame can fill. */
final class BoundedMapSerializer extends MapSerializer<Map<Object, Object>> {
    @Override
    protected Map<Object, Object> create(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type, int size) {
        ((BoundedInput) input).requireRoom(size, "a map");
        return new HashMap<>(size);
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
        Map<Object, Object> read = super.read(kryo, input, type);
        return read == null ? null : Map.copyOf(read);
    }
}
