/* fuzz_numbering.c — libFuzzer target for the document number patterns an
 * administrator sets (core/numbering.c): numbering_valid, numbering_format
 * and the period a sequence restarts at (numbering_next, against
 * fake_db.c). The input is 8 bytes of time, 8 of sequence value, then the
 * pattern. Asserts: a valid pattern always formats (any date, any value up
 * to 12 digits), with the value zero-padded in it and the text without
 * braces; an invalid one (or one longer than 60) never does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/numbering.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 16 || size > 16 + 100) return 0;
    uint64_t t8, s8;
    memcpy(&t8, data, 8);
    memcpy(&s8, data + 8, 8);
    /* a time from 1970 to 2999, a value below 10^12 */
    time_t t = (time_t)(t8 % 32503680000u);
    int64_t seq = (int64_t)(s8 % 1000000000000u);
    char pattern[128];
    memcpy(pattern, data + 16, size - 16);
    pattern[size - 16] = 0;

    arena a;
    arena_init(&a);
    bool valid = numbering_valid(pattern);
    char *n = numbering_format(&a, pattern, t, seq);
    if (valid) {
        char digits[24];
        snprintf(digits, sizeof(digits), "%lld", (long long)seq);
        if (!n || strchr(n, '{') || strchr(n, '}') || !strstr(n, digits)) abort();
        int rc = 0;
        char *next = numbering_next(NULL, &a, "fuzz", pattern, t, &rc);
        if (!next || rc < 0) abort();
    } else if (strlen(pattern) <= 60 && n) {
        abort();
    }
    arena_free(&a);
    return 0;
}
