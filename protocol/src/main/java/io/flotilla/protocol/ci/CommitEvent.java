package io.flotilla.protocol.ci;

import io.flotilla.protocol.job.InvalidSpecException;
import java.util.regex.Pattern;

/**
 * What a verified webhook delivery asks for: test one commit of a registered repository. Push, pull request and
 * re-run events of both forges come down to this, so that everything after the webhook route is the same for GitHub
 * and GitLab.
 *
 * @param forge which forge sent it, {@code github} or {@code gitlab}
 * @param repository the repository's registered name ({@code owner/name} on GitHub, the project's path on GitLab)
 * @param sha the commit to test, 40 hex digits
 * @param ref the branch or tag pushed, or the pull request's head ref
 * @param trigger which event asked
 * @param pullRequest the pull or merge request's number; 0 for a push
 * @param fromFork whether the commit comes from another repository than the registered one (a fork's pull request),
 *                 whose jobs get only what the registration allows forks
 */
public record CommitEvent(String forge, String repository, String sha, String ref, Trigger trigger, int pullRequest,
                          boolean fromFork) {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern FORGE = Pattern.compile("[a-z]{1,16}");

    /** The events that ask for a commit to be tested. */
    public enum Trigger { PUSH, PULL_REQUEST, RERUN }

    public CommitEvent {
        InvalidSpecException.require(forge != null && FORGE.matcher(forge).matches(), "forge",
                "a commit event names its forge in 1 to 16 lowercase letters, got '" + forge + "'");
        InvalidSpecException.require(repository != null && !repository.isBlank() && repository.length() <= 512,
                "repository", "a commit event needs its repository's name, of 1 to 512 characters");
        InvalidSpecException.require(sha != null && SHA.matcher(sha).matches(), "sha",
                "a commit is named by 40 lowercase hex digits, got '" + sha + "'");
        ref = ref == null ? "" : ref;
        InvalidSpecException.require(ref.length() <= 1024, "ref", "a ref is at most 1024 characters");
        InvalidSpecException.require(trigger != null, "trigger", "a commit event needs its trigger");
        InvalidSpecException.require(pullRequest >= 0, "pullRequest", "a pull request number is not negative");
    }

    /**
     * What makes two deliveries the same work: a push and a pull request for one head commit run once, and so do a
     * fork's and the repository's own events for it only when both may see the same secrets.
     */
    public String commitKey() {
        return forge + ":" + repository + "@" + sha + (fromFork ? "+fork" : "");
    }
}
