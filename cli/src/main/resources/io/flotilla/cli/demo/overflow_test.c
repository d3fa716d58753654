/* Fails, on purpose: a real bug, factorials overflow a 64-bit integer from 21! on. */
#include <stdio.h>

int main(void) {
    long long factorial = 1;
    for (int n = 1; n <= 21; n++) {
        factorial = (long long) ((unsigned long long) factorial * n); /* wraps, as the buggy code did */
        if (factorial <= 0) {
            printf("overflow_test: %d! overflowed to %lld\n", n, factorial);
            return 1;
        }
    }
    printf("overflow_test: 21! = %lld\n", factorial);
    return 0;
}
