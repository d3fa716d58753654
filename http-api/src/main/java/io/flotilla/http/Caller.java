package io.flotilla.http;

/**
 * Who sent a request, as the API's auth found it: a user, for fair share and for the runs they own, and what they
 * may do.
 */
record Caller(String user, Role role) {
    /** What a caller may do; {@link #SUBMIT} includes {@link #READ}. */
    enum Role {
        READ, SUBMIT;

        boolean allows(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    /** The caller on this machine when no tokens are configured. */
    static final Caller LOCAL = new Caller("local", Role.SUBMIT);
}
