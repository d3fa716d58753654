package io.flotilla.protocol.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything a node needs to run one command in its own container, and nothing about where it runs: the same spec
 * gives the same container on a laptop and on any node of a cluster.
 *
 * @param command the program and its arguments; the program is looked up on the job's {@code PATH}
 * @param layers mounted in order over the default base, each read-only
 * @param env the job's whole environment: nothing is inherited from the host
 * @param workdir the working directory inside the container; it must exist there
 * @param network which network the job sees
 * @param limits what the job may consume
 * @param writable whether the job may write to its root filesystem and layers; its writes are thrown away after it
 * @param hostname the job's hostname
 * @param stdinFile a file on the node to feed to the job's stdin, or null for empty stdin
 */
public record ContainerSpec(List<String> command, List<Layer> layers, Map<String, String> env, String workdir,
                            NetworkMode network, Limits limits, boolean writable, String hostname, String stdinFile) {
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    /** The most arguments, and separately environment variables, a job may have: what the sandbox takes. */
    public static final int MAX_ARGS = 4096;
    /** The longest argument or {@code NAME=value}, in UTF-8 bytes: the kernel's MAX_ARG_STRLEN, less its NUL. */
    public static final int MAX_STRING_BYTES = 128 * 1024 - 1;
    /** All arguments and variables together, in bytes: half the kernel's usual ARG_MAX, for its own overhead. */
    public static final int MAX_TOTAL_BYTES = 1 << 20;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public ContainerSpec {
        InvalidSpecException.require(command != null && !command.isEmpty() && !command.get(0).isEmpty(), "command",
                "a job needs a program to run");
        InvalidSpecException.require(command.size() <= MAX_ARGS, "command", "the command has " + command.size()
                + " arguments; a job may have at most " + MAX_ARGS);
        long total = 0;
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            InvalidSpecException.require(arg != null && arg.indexOf('\0') < 0, "command",
                    "command arguments must not be null or contain NUL");
            total += requireArgSize(arg, "command", "command argument " + i);
        }
        layers = List.copyOf(layers == null ? List.of() : layers);
        env = Map.copyOf(env == null ? Map.of() : env);
        InvalidSpecException.require(env.size() <= MAX_ARGS, "env", "the environment has " + env.size()
                + " variables; a job may have at most " + MAX_ARGS);
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            InvalidSpecException.require(ENV_NAME.matcher(name).matches() && variable.getValue().indexOf('\0') < 0,
                    "env", "bad environment variable name or value: '" + abbreviate(name) + "'");
            total += requireArgSize(name + "=" + variable.getValue(), "env", "environment variable " + name);
        }
        InvalidSpecException.require(total <= MAX_TOTAL_BYTES, "command", "the command and environment come to "
                + total + " bytes; a job may have at most " + MAX_TOTAL_BYTES + " (1 MiB) of them");
        ContainerPaths.requireAbsoluteNormal(workdir, "workdir");
        InvalidSpecException.require(network != null, "network", "network mode is required");
        InvalidSpecException.require(limits != null, "limits", "limits are required");
        InvalidSpecException.require(hostname != null && HOSTNAME.matcher(hostname).matches(), "hostname",
                "hostname must be 1 to 63 letters, digits or '-', got '" + hostname + "'");
        InvalidSpecException.require(stdinFile == null || stdinFile.startsWith("/"), "stdin",
                "stdin file must be an absolute path on the node, got '" + stdinFile + "'");
        command = List.copyOf(command);
    }

    /** The string's size in UTF-8, as the kernel counts it with its NUL, refused past {@link #MAX_STRING_BYTES}. */
    private static int requireArgSize(String text, String field, String what) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        InvalidSpecException.require(bytes <= MAX_STRING_BYTES, field, what + " is " + bytes
                + " bytes; the kernel takes at most " + MAX_STRING_BYTES + " bytes in one");
        return bytes + 1;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /** This spec with {@code extra} added to its environment, replacing variables of the same name. */
    public ContainerSpec withEnv(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.putAll(extra);
        return new ContainerSpec(command, layers, merged, workdir, network, limits, writable, hostname, stdinFile);
    }

    /**
     * Whether two jobs can run one after another in one container: they may differ in command, environment, working
     * directory and timeout, and in nothing else. A job reading a stdin file never shares a container.
     */
    public boolean sharesContainerWith(ContainerSpec other) {
        return layers.equals(other.layers) && network == other.network && writable == other.writable
                && hostname.equals(other.hostname) && stdinFile == null && other.stdinFile == null
                && limits.withTimeout(Duration.ZERO).equals(other.limits.withTimeout(Duration.ZERO));
    }

    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    public static Builder builder(String... command) {
        return new Builder(List.of(command));
    }

    /** A fluent way to write a spec: start from the defaults and name only what differs. */
    public static final class Builder {
        private final List<String> command;
        private final List<Layer> layers = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", DEFAULT_PATH));
        private String workdir = "/";
        private NetworkMode network = NetworkMode.NONE;
        private Limits limits = Limits.DEFAULT;
        private boolean writable;
        private String hostname = "flotilla";
        private String stdinFile;

        private Builder(List<String> command) {
            this.command = command;
        }

        public Builder layer(Layer layer) {
            layers.add(layer);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder workdir(String value) {
            workdir = value;
            return this;
        }

        public Builder network(NetworkMode value) {
            network = value;
            return this;
        }

        public Builder limits(Limits value) {
            limits = value;
            return this;
        }

        public Builder writable(boolean value) {
            writable = value;
            return this;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder stdinFile(String value) {
            stdinFile = value;
            return this;
        }

        public ContainerSpec build() {
            return new ContainerSpec(command, layers, env, workdir, network, limits, writable, hostname, stdinFile);
        }
    }
}
