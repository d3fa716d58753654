package io.flotilla.scheduler.core;

import java.util.Arrays;

/** A growable double-ended queue of ints: a run's pending job indexes, four bytes each. */
final class IntRing {
    private int[] items;
    private int head;
    private int size;

    IntRing(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    int size() {
        return size;
    }

    int get(int i) {
        return items[(head + i) % items.length];
    }

    void addLast(int value) {
        grow();
        items[(head + size) % items.length] = value;
        size++;
    }

    void addFirst(int value) {
        grow();
        head = (head - 1 + items.length) % items.length;
        items[head] = value;
        size++;
    }

    int removeFirst() {
        int value = items[head];
        head = (head + 1) % items.length;
        size--;
        return value;
    }

    private void grow() {
        if (size < items.length) {
            return;
        }
        int[] bigger = new int[items.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = get(i);
        }
        Arrays.fill(items, 0);
        items = bigger;
        head = 0;
    }
}
