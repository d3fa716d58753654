package io.flotilla.sandbox;

/**
 * A layer that cannot be used: an archive with an entry that would land outside the layer, a digest that does not
 * match, or a file that is not a tar archive. Nothing of such a layer reaches the cache.
 */
public final class InvalidLayerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidLayerException(String message) {
        super(message);
    }
}
