/**
 * Test suites as the whole cluster sees them: what a user asks to run ({@link io.flotilla.protocol.suite.SuiteSpec}),
 * what its listing step expanded into ({@link io.flotilla.protocol.suite.SuitePlan}), the commands that list and run
 * each kind ({@link io.flotilla.protocol.suite.SuiteCommands}), and how a job's result and output become one verdict
 * per test ({@link io.flotilla.protocol.suite.TestVerdicts}). The scheduler and the command line share them.
 */
package io.flotilla.protocol.suite;
