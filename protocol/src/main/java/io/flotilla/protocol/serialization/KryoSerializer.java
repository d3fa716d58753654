package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * The Pekko serializer for every {@link io.flotilla.protocol.CrossNode} message: Kryo with explicit registration
 * ({@link KryoRegistrations}), so that the wire carries small ids instead of class names and an unregistered class
 * fails loudly on the sender. A received frame is read by a {@link BoundedInput}, so a crafted one is refused before
 * it can make this node allocate more than its own size. Kryo instances are not thread-safe, so they are pooled.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko reserves 0 to 40; this one is Flotilla's. */
    public static final int IDENTIFIER = 7_411_001;

    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        ActorRefSerializer actorRefs = new ActorRefSerializer(() -> ActorRefResolver.get(Adapter.toTyped(system)));
        this.pool = new Pool<>(true, false) {
            @Override
            protected Kryo create() {
                Kryo kryo = new Kryo(new ActorRefClassResolver(), null);
                KryoRegistrations.registerAll(kryo, actorRefs);
                return kryo;
            }
        };
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object message) {
        Kryo kryo = pool.obtain();
        try (Output output = new Output(256, -1)) {
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input input = new BoundedInput(bytes)) {
            return kryo.readClassAndObject(input);
        } finally {
            pool.free(kryo);
        }
    }

    /** Every actor ref implementation travels under the one registration of {@link ActorRef}. */
    private static final class ActorRefClassResolver extends DefaultClassResolver {
        @Override
        public Registration getRegistration(Class type) {
            if (type != null && ActorRef.class.isAssignableFrom(type) && type != ActorRef.class) {
                return super.getRegistration(ActorRef.class);
            }
            return super.getRegistration(type);
        }
    }
}
