#!/bin/sh
# Passes, slowly: the progress view has something to show.
sleep 2
echo "slow_test: done after 2 s"
