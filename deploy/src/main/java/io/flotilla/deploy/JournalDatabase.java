package io.flotilla.deploy;

import java.util.Map;

/**
 * The database kinds the scheduler's journal runs on, told apart by the JDBC URL, so that moving from H2 to
 * PostgreSQL is a change of {@code --journal-url} and nothing else.
 */
enum JournalDatabase {
    H2("jdbc:h2:", "slick.jdbc.H2Profile$", "org.h2.Driver"),
    POSTGRESQL("jdbc:postgresql:", "slick.jdbc.PostgresProfile$", "org.postgresql.Driver");

    private final String urlPrefix;
    private final String profile;
    private final String driver;

    JournalDatabase(String urlPrefix, String profile, String driver) {
        this.urlPrefix = urlPrefix;
        this.profile = profile;
        this.driver = driver;
    }

    /** @throws IllegalArgumentException for a URL of any other database */
    static JournalDatabase of(String url) {
        for (JournalDatabase database : values()) {
            if (url.startsWith(database.urlPrefix)) {
                return database;
            }
        }
        throw new IllegalArgumentException("--journal-url must be a jdbc:h2: or jdbc:postgresql: URL, got '" + url
                + "'");
    }

    /** The {@code flotilla.journal} settings for this URL. */
    Map<String, String> settings(String url) {
        return Map.of("flotilla.journal.url", url, "flotilla.journal.profile", profile, "flotilla.journal.driver",
                driver);
    }
}
