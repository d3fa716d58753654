/*
 * Flaky: fails about once in 200 runs, as a test with a race would. Under `flotilla repeat` each run gets its own
 * FLOTILLA_SEED, so the failing run can be replayed with the seed it printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    const char *seed_text = getenv("FLOTILLA_SEED");
    long long seed = seed_text ? strtoll(seed_text, NULL, 10) : (long long) time(NULL) * 7919 + getpid();
    unsigned long long mixed = (unsigned long long) seed * 0x9E3779B97F4A7C15ull;
    if ((mixed >> 33) % 200 == 0) {
        printf("flaky_test: cache returned a stale entry (seed %lld)\n", seed);
        return 1;
    }
    printf("flaky_test: cache consistent\n");
    return 0;
}
