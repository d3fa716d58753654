package io.flotilla.ci;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.protocol.ci.CommitEvent;
import java.util.Set;

/**
 * GitHub's events, read into what they ask for: {@code push}, {@code pull_request} (opened, synchronize,
 * reopened), {@code check_suite} and {@code check_run} (rerequested), and {@code ping}. Any other event is refused,
 * so that a webhook subscribed to more than it needs shows it in its delivery log.
 */
final class GithubEvents {
    private static final Set<String> PULL_REQUEST_ACTIONS = Set.of("opened", "synchronize", "reopened");
    private static final String NO_COMMIT = "0".repeat(40);

    private GithubEvents() {
    }

    static WebhookIntake.Outcome read(String deliveryId, String event, JsonNode payload, Repository repository) {
        String action = WebhookIntake.text(payload, "action");
        return switch (event) {
            case "ping" -> new WebhookIntake.Ignored(deliveryId, "ping: the webhook reaches this cluster");
            case "push" -> {
                String sha = WebhookIntake.text(payload, "after");
                if (payload.path("deleted").asBoolean(false) || sha.equals(NO_COMMIT)) {
                    yield new WebhookIntake.Ignored(deliveryId, "push deletes " + WebhookIntake.text(payload, "ref")
                            + ": no commit to test");
                }
                yield new WebhookIntake.Accepted(deliveryId, WebhookIntake.commit(repository, sha,
                        WebhookIntake.text(payload, "ref"), CommitEvent.Trigger.PUSH, 0, false));
            }
            case "pull_request" -> {
                if (!PULL_REQUEST_ACTIONS.contains(action)) {
                    yield new WebhookIntake.Ignored(deliveryId, "pull_request action '" + action + "' runs nothing");
                }
                JsonNode head = payload.path("pull_request").path("head");
                String headRepository = WebhookIntake.text(head, "repo.full_name");
                yield new WebhookIntake.Accepted(deliveryId, WebhookIntake.commit(repository, 
                        WebhookIntake.text(head, "sha"), WebhookIntake.text(head, "ref"),
                        CommitEvent.Trigger.PULL_REQUEST, payload.path("number").asInt(0),
                        !headRepository.equalsIgnoreCase(repository.name())));
            }
            case "check_suite", "check_run" -> {
                if (!action.equals("rerequested")) {
                    yield new WebhookIntake.Ignored(deliveryId, event + " action '" + action + "' runs nothing");
                }
                JsonNode check = payload.path(event);
                String branch = event.equals("check_suite") ? WebhookIntake.text(check, "head_branch")
                        : WebhookIntake.text(check, "check_suite.head_branch");
                yield new WebhookIntake.Accepted(deliveryId, WebhookIntake.commit(repository, 
                        WebhookIntake.text(check, "head_sha"), branch, CommitEvent.Trigger.RERUN, 0, false));
            }
            default -> new WebhookIntake.Refused(400, "GitHub event '" + event + "' is not one Flotilla handles: "
                    + "push, pull_request, check_suite, check_run or ping", "X-GitHub-Event");
        };
    }
}
