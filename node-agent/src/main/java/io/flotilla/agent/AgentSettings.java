package io.flotilla.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The node agent's knobs, from {@code flotilla.node-agent} in the configuration.
 *
 * @param reportInterval how often the agent reports to the scheduler even when nothing changed
 * @param outputTailBytes how much of the end of each output stream travels with a result
 * @param layerSearch how long to look for a tar layer on the other nodes before failing the jobs that need it
 * @param queueAheadPerSlot how many containers per slot wait on the node, ready for the next free slot
 */
record AgentSettings(Duration reportInterval, int outputTailBytes, Duration layerSearch, int queueAheadPerSlot) {
    static AgentSettings from(Config config) {
        Config agent = config.getConfig("flotilla.node-agent");
        return new AgentSettings(agent.getDuration("report-interval"), Math.toIntExact(agent.getBytes("output-tail")),
                agent.getDuration("layer-search"), agent.getInt("queue-ahead-per-slot"));
    }
}
