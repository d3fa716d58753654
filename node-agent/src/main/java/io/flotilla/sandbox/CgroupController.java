package io.flotilla.sandbox;

/** The cgroup controllers the sandbox uses, by their kernel names. */
enum CgroupController {
    MEMORY("memory"), PIDS("pids"), CPU("cpu");

    final String kernelName;

    CgroupController(String kernelName) {
        this.kernelName = kernelName;
    }
}
