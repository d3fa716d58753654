/* One small test program for the C suites (ctest, plain executables): what it does is its first argument, or the
 * part of its own name after "t_". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *mode = argc > 1 ? argv[1] : (strncmp(base, "t_", 2) == 0 ? base + 2 : base);
    if (strcmp(mode, "pass") == 0) return 0;
    if (strcmp(mode, "fail") == 0) return 1;
    if (strcmp(mode, "skip") == 0) return 77;
    if (strcmp(mode, "hang") == 0) { sleep(600); return 0; }
    if (strcmp(mode, "crash") == 0) { *(volatile int *) 0 = 1; return 0; }
    if (strcmp(mode, "onepercent") == 0) {
        const char *index = getenv("FLOTILLA_TASK_INDEX");
        return index != NULL && atoi(index) % 100 == 37;
    }
    return 2;
}
