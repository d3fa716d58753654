package io.flotilla.sandbox;

import java.util.List;

/**
 * A layer tree is on this node but some of the files it names are not: the node fetches them from its peers
 * ({@link #missing()}) and tries again, as it fetches a whole layer it lacks.
 */
public final class MissingBlobsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String tree;
    private final List<String> missing;

    public MissingBlobsException(String tree, List<String> missing) {
        super("layer tree " + tree + " names " + missing.size() + " file" + (missing.size() == 1 ? "" : "s")
                + " this node does not have, the first " + missing.get(0));
        this.tree = tree;
        this.missing = List.copyOf(missing);
    }

    public String tree() {
        return tree;
    }

    public List<String> missing() {
        return missing;
    }
}
