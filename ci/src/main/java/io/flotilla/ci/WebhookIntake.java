package io.flotilla.ci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.flotilla.protocol.ci.CommitEvent;
import io.flotilla.protocol.job.InvalidSpecException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What a webhook delivery is, decided before anything is recorded or run: refused (with the status and message the
 * forge shows in its delivery log), a ping, an event that runs nothing, or a commit to test. Nothing in the body is
 * believed before its signature (GitHub) or token (GitLab) has been checked against the registered secret; the
 * repository's name is read first only to find that secret. A pull request from a fork is only recorded when the
 * registration lets forks run ({@link Repository.ForkPolicy}).
 */
public final class WebhookIntake {
    /** GitHub never sends a delivery larger than this. */
    public static final long MAX_BODY_BYTES = 25L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Supplier<Repositories> repositories;

    /** @param repositories the registrations as they are at each delivery */
    public WebhookIntake(Supplier<Repositories> repositories) {
        this.repositories = repositories;
    }

    /** What the webhook route does with a delivery. */
    public sealed interface Outcome {
    }

    /** Answered with {@code status} and the message; nothing is recorded. */
    public record Refused(int status, String message, String field) implements Outcome {
    }

    /** A verified delivery that asks for nothing to run (a ping, a closed pull request); answered 200. */
    public record Ignored(String deliveryId, String reason) implements Outcome {
    }

    /** A verified delivery that asks for a commit to be tested: record it, then answer. */
    public record Accepted(String deliveryId, CommitEvent event) implements Outcome {
    }

    /**
     * @param header a request header's value by its name, case-insensitively
     * @param body the raw body, as signed
     */
    public Outcome read(Forge forge, Function<String, Optional<String>> header, byte[] body) {
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new Refused(400, "the delivery is not JSON: " + e.getOriginalMessage(), "body");
        } catch (IOException e) {
            return new Refused(400, "the delivery cannot be read: " + e.getMessage(), "body");
        }
        if (payload == null || !payload.isObject()) {
            return new Refused(400, "the delivery is not a JSON object", "body");
        }
        String name = text(payload, forge.repositoryField);
        if (name.isEmpty()) {
            return new Refused(400, "the delivery names no repository (" + forge.repositoryField + ")",
                    forge.repositoryField);
        }
        Optional<Repository> found = repositories.get().find(forge, name);
        if (found.isEmpty()) {
            return new Refused(404, forge.title() + " repository '" + name + "' is not registered with this cluster",
                    forge.repositoryField);
        }
        Optional<Refused> unverified = forge == Forge.GITHUB
                ? WebhookSignatures.checkGithub(found.get().secret(), body, header.apply("X-Hub-Signature-256"))
                : WebhookSignatures.checkGitlab(found.get().secret(), header.apply("X-Gitlab-Token"));
        if (unverified.isPresent()) {
            return unverified.get();
        }
        String idHeader = forge.deliveryIdHeaders.get(0);
        Optional<String> deliveryId = forge.deliveryIdHeaders.stream().map(header).flatMap(Optional::stream)
                .findFirst();
        if (deliveryId.isEmpty() || !DELIVERY_ID.matcher(deliveryId.get()).matches()) {
            return new Refused(400, deliveryId.isEmpty() ? "the delivery has no " + idHeader + " header"
                    : idHeader + " must be 1 to 128 letters, digits or ._:-", idHeader);
        }
        Optional<String> event = header.apply(forge.eventHeader);
        if (event.isEmpty()) {
            return new Refused(400, "the delivery has no " + forge.eventHeader + " header", forge.eventHeader);
        }
        Outcome outcome;
        try {
            outcome = forge == Forge.GITHUB
                    ? GithubEvents.read(deliveryId.get(), event.get(), payload, found.get())
                    : GitlabEvents.read(deliveryId.get(), event.get(), payload, found.get());
        } catch (InvalidSpecException e) {
            return new Refused(400, "the " + event.get() + " delivery gives " + e.getMessage(), e.field());
        }
        if (outcome instanceof Accepted accepted && accepted.event().fromFork()
                && found.get().forks() == Repository.ForkPolicy.NONE) {
            return new Ignored(accepted.deliveryId(), "pull request " + accepted.event().pullRequest()
                    + " comes from a fork, and the registration of '" + name + "' runs nothing for forks");
        }
        return outcome;
    }

    /** The commit an event of the repository asks for. */
    static CommitEvent commit(Repository repository, String sha, String ref, CommitEvent.Trigger trigger,
                              int pullRequest, boolean fromFork) {
        return new CommitEvent(repository.forge().key(), repository.name(), sha, ref, trigger, pullRequest, fromFork);
    }

    /** A dotted path's text in a JSON object, or empty when it is missing or not text. */
    static String text(JsonNode payload, String dottedPath) {
        JsonNode node = payload;
        for (String part : dottedPath.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node != null && node.isTextual() ? node.asText() : "";
    }
}
