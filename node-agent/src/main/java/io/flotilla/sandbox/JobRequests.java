package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Turns an accepted job into the launcher's START frame. */
final class JobRequests {
    private JobRequests() {
    }

    /**
     * @param sharedDir a directory for the program as descriptor 3, or null
     * @param hosts     the container's own /etc/hosts, or empty to keep what its mounts have
     */
    static byte[] start(SandboxJob job, List<MountPlan.Step> mounts, Path sharedDir, long tmpfsBytes,
                        Optional<String> hosts) {
        ContainerSpec spec = job.spec();
        Limits limits = spec.limits();
        StartRequest request = new StartRequest(job.id());
        spec.command().forEach(request::arg);
        JobEnvironment.of(spec).forEach(request::env);
        request.workdir(spec.workdir())
                .hostname(spec.hostname())
                .stdout(job.output().stdout())
                .stderr(job.output().stderr())
                .outputLimit(limits.outputLimitBytes())
                .timeoutMillis(limits.timeout().toMillis())
                .graceMillis(limits.killGrace().toMillis())
                .network(spec.network().ordinal())
                .writable(spec.writable())
                .tmpfsBytes(tmpfsBytes);
        if (sharedDir != null) {
            request.sharedDir(sharedDir);
        }
        if (spec.stdinFile() != null) {
            request.stdin(spec.stdinFile());
        }
        hosts.ifPresent(request::hosts);
        mounts.forEach(request::mount);
        job.cgroup.ifPresent(cgroup -> cgroup.procsFiles(limits).forEach((Path file) -> request.cgroupProcs(file)));
        return request.toFrame();
    }
}
