package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.Layer;

/**
 * What must never cross a node: a host path to bind into a container, and a file of the node's to feed a job's
 * stdin. Only the local {@code flotilla exec} path may name the node's own files; a spec that names one is refused
 * on the wire in both directions, so no node, and nothing that got onto the cluster's network, can make another node
 * mount or read its files for a job.
 */
final class NodeLocalRefusal {
    private static final String HOST_PATH = "a host-path layer never leaves the node whose files it names";
    private static final String STDIN_FILE = "a stdin file never leaves the node whose file it is";

    private NodeLocalRefusal() {
    }

    /** For {@link Layer.HostPath}: refused whichever way it goes. */
    static final class HostPathSerializer extends com.esotericsoftware.kryo.Serializer<Layer.HostPath> {
        @Override
        public void write(Kryo kryo, Output output, Layer.HostPath layer) {
            throw new KryoException(HOST_PATH + ": " + layer.hostPath());
        }

        @Override
        public Layer.HostPath read(Kryo kryo, Input input, Class<? extends Layer.HostPath> type) {
            throw new KryoException(HOST_PATH);
        }
    }

    /** For {@link ContainerSpec}: the record as Kryo writes records, with a stdin file refused. */
    static final class ContainerSpecSerializer extends RecordSerializer<ContainerSpec> {
        ContainerSpecSerializer() {
            super(ContainerSpec.class);
        }

        @Override
        public void write(Kryo kryo, Output output, ContainerSpec spec) {
            if (spec.stdinFile() != null) {
                throw new KryoException(STDIN_FILE + ": " + spec.stdinFile());
            }
            super.write(kryo, output, spec);
        }

        @Override
        public ContainerSpec read(Kryo kryo, Input input, Class<? extends ContainerSpec> type) {
            ContainerSpec spec = super.read(kryo, input, type);
            if (spec.stdinFile() != null) {
                throw new KryoException(STDIN_FILE);
            }
            return spec;
        }
    }
}
