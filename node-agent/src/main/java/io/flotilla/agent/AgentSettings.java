package io.flotilla.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The node agent's knobs, from {@code flotilla.node-agent} in the configuration.
 *
 * @param reportInterval how often the agent reports to the scheduler even when nothing changed
 * @param outputTailBytes how much of the end of each output stream travels with a result
 * @param layerSearch how long to look for a tar layer on the other nodes before failing the jobs that need it
 */
record AgentSettings(Duration reportInterval, int outputTailBytes, Duration layerSearch) {
    static AgentSettings from(Config config) {
        Config agent = config.getConfig("flotilla.node-agent");
        return new AgentSettings(agent.getDuration("report-interval"), Math.toIntExact(agent.getBytes("output-tail")),
                agent.getDuration("layer-search"));
    }
}
