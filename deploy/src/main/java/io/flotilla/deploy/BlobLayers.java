package io.flotilla.deploy;

import io.flotilla.ci.GitCheckout;
import io.flotilla.sandbox.BlobStore;
import java.io.IOException;
import java.nio.file.Path;

/** The node's blob store as where the CI pipeline keeps its checkouts, which the node's jobs and peers find there. */
final class BlobLayers implements GitCheckout.LayerStore {
    private final BlobStore blobs;

    BlobLayers(BlobStore blobs) {
        this.blobs = blobs;
    }

    @Override
    public String put(Path tar) throws IOException {
        return blobs.putFile(tar, null);
    }

    @Override
    public boolean has(String digest) {
        return blobs.find(digest).isPresent();
    }
}
