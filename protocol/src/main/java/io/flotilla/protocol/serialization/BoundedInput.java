package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo input over one received frame that never allocates more than the frame can fill. A frame from another
 * node may be crafted: a string or a collection that claims two billion elements in a few bytes would have Kryo
 * allocate gigabytes before it found out. Every character and every element takes at least one byte of the frame,
 * so a length beyond the bytes left is refused here, before anything is allocated.
 */
final class BoundedInput extends Input {
    BoundedInput(byte[] frame) {
        super(frame);
    }

    /** Refuses a length the rest of the frame cannot hold. */
    void requireRoom(int length, String what) {
        if (length < 0 || length > limit - position) {
            throw new KryoException(what + " of " + length + " elements in a frame with " + (limit - position)
                    + " bytes left: refused");
        }
    }

    @Override
    public String readString() {
        if (position < limit && readVarIntFlag()) { // the UTF-8 form, which gives its length first
            int start = position;
            int length = readVarIntFlag(true) - 1; // -1 for null
            if (length > 0) {
                requireRoom(length, "a string");
            }
            position = start;
        }
        return super.readString();
    }
}
