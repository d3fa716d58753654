package io.flotilla.agent;

import java.io.IOException;

/** The node's disk is fuller than it may get: what would have been written was not. */
public final class DiskFullException extends IOException {
    public DiskFullException(String message) {
        super(message);
    }
}
