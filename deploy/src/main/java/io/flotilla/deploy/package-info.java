/**
 * The runnable distribution: the {@code flotilla} command ({@code exec} for one container on this machine, {@code
 * server} for a cluster node) and {@link io.flotilla.deploy.FlotillaNode}, which wires a node together. No business
 * logic lives here.
 */
package io.flotilla.deploy;
