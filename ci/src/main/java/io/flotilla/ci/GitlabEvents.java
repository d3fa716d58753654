package io.flotilla.ci;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.protocol.ci.CommitEvent;
import java.util.Set;

/**
 * GitLab's events, read into what they ask for: push hooks and merge request hooks (open, reopen, and update when
 * it brings new commits). Any other event is refused, so that the webhook's delivery log shows it.
 */
final class GitlabEvents {
    private static final Set<String> MERGE_REQUEST_ACTIONS = Set.of("open", "reopen", "update");
    private static final String NO_COMMIT = "0".repeat(40);

    private GitlabEvents() {
    }

    static WebhookIntake.Outcome read(String deliveryId, String event, JsonNode payload, Repository repository) {
        return switch (event) {
            case "Push Hook", "Tag Push Hook" -> {
                String sha = WebhookIntake.text(payload, "checkout_sha");
                if (sha.isEmpty() || WebhookIntake.text(payload, "after").equals(NO_COMMIT)) {
                    yield new WebhookIntake.Ignored(deliveryId, "push deletes " + WebhookIntake.text(payload, "ref")
                            + ": no commit to test");
                }
                yield new WebhookIntake.Accepted(deliveryId, WebhookIntake.commit(repository, sha,
                        WebhookIntake.text(payload, "ref"), CommitEvent.Trigger.PUSH, 0, false));
            }
            case "Merge Request Hook" -> {
                JsonNode request = payload.path("object_attributes");
                String action = WebhookIntake.text(request, "action");
                if (!MERGE_REQUEST_ACTIONS.contains(action)
                        || action.equals("update") && WebhookIntake.text(request, "oldrev").isEmpty()) {
                    yield new WebhookIntake.Ignored(deliveryId, "merge request action '" + action + "'"
                            + (action.equals("update") ? " without new commits" : "") + " runs nothing");
                }
                boolean fromFork = request.path("source_project_id").asLong(-1)
                        != request.path("target_project_id").asLong(-2);
                yield new WebhookIntake.Accepted(deliveryId, WebhookIntake.commit(repository, 
                        WebhookIntake.text(request, "last_commit.id"), WebhookIntake.text(request, "source_branch"),
                        CommitEvent.Trigger.PULL_REQUEST, request.path("iid").asInt(0), fromFork));
            }
            default -> new WebhookIntake.Refused(400, "GitLab event '" + event + "' is not one Flotilla handles: "
                    + "Push Hook, Tag Push Hook or Merge Request Hook", "X-Gitlab-Event");
        };
    }
}
