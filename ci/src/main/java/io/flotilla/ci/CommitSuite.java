package io.flotilla.ci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One suite a commit runs, as its {@code .flotilla.yml} names it: the run it becomes, with the body of
 * {@code POST /v1/runs} that asks for it, the checkout already among its job's layers.
 *
 * @param name the suite's name in the file; the commit's status context is {@code flotilla/NAME}
 * @param runId the run's id, derived from the commit and the suite, so a submission made again after a failover is
 *              the same submission
 * @param layer the commit's checkout, which the run's jobs mount
 * @param body the run's JSON, as {@code POST /v1/runs} takes it
 */
public record CommitSuite(String name, String runId, String layer, String body) {
    /** The status context of a commit's suite. */
    public String context() {
        return contextOf(name);
    }

    /** The status context of a suite named {@code name}. */
    public static String contextOf(String name) {
        return "flotilla/" + name;
    }

    /** The run id of suite {@code name} of the commit with this key: {@code ci-} and 32 hex digits. */
    public static String runIdOf(String commitKey, String name) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((commitKey + "\n" + name)
                    .getBytes(StandardCharsets.UTF_8));
            return "ci-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
