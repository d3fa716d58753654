/**
 * Every message that crosses from one node to another, grouped by who receives it: {@link
 * io.flotilla.protocol.SchedulerProtocol} for the cluster-singleton scheduler and {@link
 * io.flotilla.protocol.NodeAgentProtocol} for the node agent on each machine. Each holds a sealed {@code Command}
 * interface and records, with a doc line saying when each is sent. All of them are {@link
 * io.flotilla.protocol.CrossNode} and travel as Kryo ({@code io.flotilla.protocol.serialization}).
 */
package io.flotilla.protocol;
