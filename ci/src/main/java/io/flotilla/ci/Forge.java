package io.flotilla.ci;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The forges whose webhooks Flotilla takes, each with its public API's address for registrations that name none. */
public enum Forge {
    GITHUB("https://api.github.com"), GITLAB("https://gitlab.com/api/v4");

    /** Where a repository's statuses go when its registration names no API of its own (GitHub Enterprise, a GitLab). */
    public final String defaultApiUrl;

    Forge(String defaultApiUrl) {
        this.defaultApiUrl = defaultApiUrl;
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
