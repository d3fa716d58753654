package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Lists and sets on the wire: Kryo's own format, read into a list no larger than the frame can fill (see
 * {@link BoundedInput}), then turned into the collection the sender had, such as an immutable {@code List.of}.
 */
final class BoundedCollectionSerializer extends CollectionSerializer<Collection<Object>> {
    private final Function<List<Object>, Collection<Object>> finish;

    private BoundedCollectionSerializer(Function<List<Object>, Collection<Object>> finish) {
        this.finish = finish;
    }

    static BoundedCollectionSerializer arrayList() {
        return new BoundedCollectionSerializer(list -> list);
    }

    static BoundedCollectionSerializer immutableList() {
        return new BoundedCollectionSerializer(List::copyOf);
    }

    static BoundedCollectionSerializer immutableSet() {
        return new BoundedCollectionSerializer(Set::copyOf);
    }

    @Override
    protected Collection<Object> create(Kryo kryo, Input input, Class<? extends Collection<Object>> type, int size) {
        ((BoundedInput) input).requireRoom(size, "a collection");
        return new ArrayList<>(size);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
        Collection<Object> read = super.read(kryo, input, type);
        return read == null ? null : finish.apply((List<Object>) read);
    }
}
