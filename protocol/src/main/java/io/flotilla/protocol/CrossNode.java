package io.flotilla.protocol;

/**
 * Marks every message that may cross from one node to another. The serialization binding in this module's
 * {@code reference.conf} sends all of them through {@link io.flotilla.protocol.serialization.KryoSerializer}.
 */
public interface CrossNode {
}
