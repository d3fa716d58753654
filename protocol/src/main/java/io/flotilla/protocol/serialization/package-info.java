/**
 * The wire format between nodes: a Pekko serializer over pooled Kryo instances, and the one list of registered
 * classes whose positions are their ids on the wire.
 */
package io.flotilla.protocol.serialization;
