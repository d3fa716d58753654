package io.flotilla.ci;

/**
 * A commit status as Flotilla means it, per suite ({@code context}), before it is said in a forge's words: GitHub's
 * statuses know pending, success, failure and error; GitLab's pending, running, success, failed and canceled.
 *
 * @param context the suite's name on the commit, {@code flotilla/NAME}
 * @param description one line for the forge's list, cut to what the forge keeps
 * @param targetUrl the run on the cluster, or empty
 */
public record CommitStatus(String sha, State state, String context, String description, String targetUrl) {
    /** GitHub keeps 140 characters of a status's description. */
    static final int MAX_DESCRIPTION = 140;

    /** How far a suite has got on a commit. */
    public enum State { PENDING, RUNNING, SUCCESS, FAILURE, ERROR, CANCELED }

    public CommitStatus {
        description = description.length() <= MAX_DESCRIPTION ? description
                : description.substring(0, MAX_DESCRIPTION - 1) + "…";
    }

    /** GitHub's word for the state: a running suite is still pending there, a cancelled one an error. */
    String githubState() {
        return switch (state) {
            case PENDING, RUNNING -> "pending";
            case SUCCESS -> "success";
            case FAILURE -> "failure";
            case ERROR, CANCELED -> "error";
        };
    }

    /** GitLab's word for the state: an error is a failure there. */
    String gitlabState() {
        return switch (state) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case SUCCESS -> "success";
            case FAILURE, ERROR -> "failed";
            case CANCELED -> "canceled";
        };
    }
}
