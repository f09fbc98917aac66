/* doc_bench.c — how long rendering a document takes: the sample quotation
 * of 200 lines (Chinese names) to XLSX, DOCX and PDF with the built-in
 * templates, N times each after one warm-up; prints the median and the
 * best wall and CPU milliseconds. Build and run: bench/doc_bench.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "export/document.h"

static double now_ms(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20, lines = argc > 2 ? atoi(argv[2]) : 200;
    if (n < 1 || n > 1000) n = 20;
    json_t *m = doc_sample_model("quotation", "zh-CN", lines);
    printf("%-5s %6s %10s %10s %10s %10s\n", "format", "lines", "wall p50", "wall best",
           "cpu p50", "bytes");
    for (int f = DOC_XLSX; f <= DOC_PDF; f++) {
        double *wall = calloc((size_t)n, sizeof(double)), *cpu = calloc((size_t)n, sizeof(double));
        size_t len = 0;
        for (int i = -1; i < n; i++) {
            arena a;
            arena_init(&a);
            char *out, err[256];
            double w0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
            if (doc_render_with(&a, m, (doc_format)f, NULL, 0, NULL, 0, &out, &len, err,
                                sizeof(err)) != 0) {
                fprintf(stderr, "%s: %s\n", doc_format_name((doc_format)f), err);
                return 1;
            }
            if (i >= 0) {
                wall[i] = now_ms(CLOCK_MONOTONIC) - w0;
                cpu[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
            }
            arena_free(&a);
        }
        double best = wall[0];
        for (int i = 1; i < n; i++) best = wall[i] < best ? wall[i] : best;
        qsort(wall, (size_t)n, sizeof(double), cmp);
        qsort(cpu, (size_t)n, sizeof(double), cmp);
        printf("%-6s %6d %8.1f ms %7.1f ms %7.1f ms %10zu\n", doc_format_name((doc_format)f), lines,
               wall[n / 2], best, cpu[n / 2], len);
        free(wall);
        free(cpu);
    }
    json_decref(m);
    return 0;
}
