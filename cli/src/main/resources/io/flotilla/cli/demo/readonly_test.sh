#!/bin/sh
# Passes: the root is read-only, /tmp is private and writable.
if touch /usr/flotilla-demo 2>/dev/null; then echo "could write to /usr"; exit 1; fi
echo scratch > /tmp/scratch && [ "$(cat /tmp/scratch)" = scratch ] || { echo "/tmp is not writable"; exit 1; }
echo "readonly_test: / is read-only, /tmp is private"
