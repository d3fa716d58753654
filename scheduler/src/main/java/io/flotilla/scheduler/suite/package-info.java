/**
 * Test suites: reading what a suite's listing step printed (pytest, ctest, GoogleTest) into the tests it found,
 * each with the command its own job runs. Plain classes, testable without actors or containers.
 */
package io.flotilla.scheduler.suite;
