package io.flotilla.http;

import io.flotilla.protocol.job.LimitPolicy;

/**
 * What one caller's submission must keep to: the operator's limits for every job, and whether the caller's jobs may
 * use the host's network.
 */
record SubmitRules(LimitPolicy limits, boolean hostNetwork) {
}
