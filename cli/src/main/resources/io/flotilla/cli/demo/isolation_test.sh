#!/bin/sh
# Passes: the test is alone in its container, with its own hostname and process tree.
set -e
[ "$(hostname)" = flotilla ] || { echo "hostname is $(hostname)"; exit 1; }
processes=$(ls -d /proc/[0-9]* | wc -l)
[ "$processes" -le 5 ] || { echo "sees $processes processes"; exit 1; }
echo "isolation_test: alone, as $(id -un), among $processes processes"
