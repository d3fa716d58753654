/**
 * The node agent: the one actor per machine that takes shards from the scheduler, runs each job in its own
 * sandbox, and reports every result. Sandbox calls run on a dedicated dispatcher, never on an actor thread.
 */
package io.flotilla.agent;
