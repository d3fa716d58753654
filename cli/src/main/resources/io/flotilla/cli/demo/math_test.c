/* Passes: greatest common divisors and Fibonacci numbers. */
#include <stdio.h>

static long gcd(long a, long b) { return b == 0 ? a : gcd(b, a % b); }

int main(void) {
    long fib[50] = {0, 1};
    for (int i = 2; i < 50; i++) fib[i] = fib[i - 1] + fib[i - 2];
    if (gcd(fib[40], fib[30]) != fib[10]) { printf("gcd(F40, F30) should be F10\n"); return 1; }
    printf("math_test: 2 checks passed\n");
    return 0;
}
