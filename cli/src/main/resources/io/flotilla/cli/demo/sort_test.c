/* Passes: sorts 200,000 pseudo-random numbers and checks the order. */
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

int main(void) {
    enum { N = 200000 };
    static int numbers[N];
    unsigned state = 12345;
    for (int i = 0; i < N; i++) numbers[i] = (int) (state = state * 1103515245u + 12345u);
    qsort(numbers, N, sizeof numbers[0], compare);
    for (int i = 1; i < N; i++) {
        if (numbers[i - 1] > numbers[i]) { printf("out of order at %d\n", i); return 1; }
    }
    printf("sort_test: %d numbers in order\n", N);
    return 0;
}
