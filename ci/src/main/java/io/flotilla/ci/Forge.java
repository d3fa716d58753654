package io.flotilla.ci;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The forges whose webhooks Flotilla takes, each with its public API's address for registrations that name none, and
 * where its deliveries say what they are.
 */
public enum Forge {
    GITHUB("https://api.github.com", "repository.full_name", "X-GitHub-Event", List.of("X-GitHub-Delivery")),
    GITLAB("https://gitlab.com/api/v4", "project.path_with_namespace", "X-Gitlab-Event",
            List.of("Idempotency-Key", "X-Gitlab-Event-UUID"));

    /** Where a repository's statuses go when its registration names no API of its own (GitHub Enterprise, a GitLab). */
    public final String defaultApiUrl;
    /** The dotted path of a delivery's repository name in its body. */
    final String repositoryField;
    /** The header that names a delivery's event. */
    final String eventHeader;
    /** The headers that give a delivery's id, the first present one winning. */
    final List<String> deliveryIdHeaders;

    Forge(String defaultApiUrl, String repositoryField, String eventHeader, List<String> deliveryIdHeaders) {
        this.defaultApiUrl = defaultApiUrl;
        this.repositoryField = repositoryField;
        this.eventHeader = eventHeader;
        this.deliveryIdHeaders = deliveryIdHeaders;
    }

    /** The forge's name as in a registration and in the webhook's path: {@code github} or {@code gitlab}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The forge a registration or a command names ({@code github}, {@code gitlab}, in any case), if any. */
    public static Optional<Forge> named(String name) {
        return Arrays.stream(values()).filter(forge -> forge.key().equalsIgnoreCase(name)).findFirst();
    }

    /** What humans call it in messages. */
    public String title() {
        return this == GITHUB ? "GitHub" : "GitLab";
    }
}
