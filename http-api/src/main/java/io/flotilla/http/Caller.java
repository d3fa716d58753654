package io.flotilla.http;

/**
 * Who sent a request, as the API's auth found it: a user, for fair share and for the runs they own, what they may
 * do, and whether they may give jobs the host's network.
 *
 * @param hostNetwork whether this caller's jobs may ask for {@code network: host}: such a job reaches everything
 *                    the node reaches, the cluster's own ports and the node's loopback services included
 */
record Caller(String user, Role role, boolean hostNetwork) {
    /** What a caller may do; each role includes the ones before it. */
    enum Role {
        /** See runs, jobs, output, the cluster. */
        READ,
        /** Also submit runs, upload blobs, and cancel one's own runs. */
        SUBMIT,
        /** Also cancel anyone's runs; always may use the host's network. */
        ADMIN;

        boolean allows(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    Caller {
        hostNetwork |= role == Role.ADMIN;
    }

    /**
     * The caller on this machine when no tokens are configured: the node then serves only its own machine, whose
     * user owns every run on it, host network included.
     */
    static final Caller LOCAL = new Caller("local", Role.SUBMIT, true);
}
