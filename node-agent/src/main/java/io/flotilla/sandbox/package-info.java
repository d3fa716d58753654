/**
 * Runs one command in its own Linux-namespace container, fast enough to give every test its own.
 *
 * <p>{@link io.flotilla.sandbox.Sandbox} is the entry point. Behind it, one long-lived native launcher
 * ({@code src/main/c}) clone()s each job straight into its namespaces; Java decides the mount plan, the cgroup
 * and the layers, the launcher carries them out. One class per mechanism: {@link io.flotilla.sandbox.MountPlan},
 * {@link io.flotilla.sandbox.CgroupPool}, {@link io.flotilla.sandbox.LayerCache},
 * {@link io.flotilla.sandbox.LauncherProcess}.
 */
package io.flotilla.sandbox;
