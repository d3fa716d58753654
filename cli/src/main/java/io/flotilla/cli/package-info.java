/**
 * The user's command line: {@code flotilla run|submit|repeat|batch|status|cancel|cluster}. Each talks to a
 * cluster's REST API, or to a single-node cluster it starts in its own process when none is named, and follows the
 * run with live progress to a summary and an exit code.
 */
package io.flotilla.cli;
