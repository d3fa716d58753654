package io.flotilla.protocol.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.regex.Pattern;

/**
 * One piece of a job's root filesystem, mounted read-only at {@link #dest()} over the default base (the host's
 * {@code /usr}, {@code /bin}, {@code /lib*}, {@code /sbin} and the needed parts of {@code /etc}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Layer.HostPath.class, name = "host"),
        @JsonSubTypes.Type(value = Layer.Tar.class, name = "tar")})
public sealed interface Layer {
    /** Where the layer appears inside the container; {@code /} lays each top-level entry of a tar layer over the root. */
    String dest();

    /** A read-only bind of a directory or file of the node's host. */
    record HostPath(String hostPath, String dest) implements Layer {
        public HostPath {
            InvalidSpecException.require(hostPath != null && hostPath.startsWith("/"), "layers.hostPath",
                    "layer host path must be absolute, got '" + hostPath + "'");
            InvalidSpecException.require(hostPath.indexOf(',') < 0 && hostPath.indexOf(':') < 0, "layers.hostPath",
                    "layer host path cannot contain ',' or ':', got '" + hostPath + "'");
            ContainerPaths.requireMountPoint(dest, "layers.dest");
        }
    }

    /**
     * A tar or tar.gz archive, known by the sha256 digest of its bytes. A node unpacks it once into its layer
     * cache, refusing entries that would land outside the layer.
     */
    record Tar(String digest, String dest) implements Layer {
        private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

        public Tar {
            InvalidSpecException.require(digest != null && DIGEST.matcher(digest).matches(), "layers.digest",
                    "layer digest must look like sha256:<64 lowercase hex digits>, got '" + digest + "'");
            if (!"/".equals(dest)) {
                ContainerPaths.requireMountPoint(dest, "layers.dest");
            }
        }

        /** Whether {@code text} is a well-formed layer digest. */
        public static boolean isDigest(String text) {
            return text != null && DIGEST.matcher(text).matches();
        }
    }
}
