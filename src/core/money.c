/* money.c — exact money arithmetic (see money.h). The one rounding rule of
 * the system lives in round_div(); 128-bit intermediates keep products exact
 * and every result is checked to fit in int64_t. */
#include "core/money.h"
#include <stdbool.h>
#include <string.h>

typedef __int128 i128;

/* num / den rounded half away from zero (den > 0); -1 if it does not fit.
 * The one rounding rule: every computed amount goes through here. */
static int round_div(i128 num, int64_t den, int64_t *out)
{
    i128 mag = num < 0 ? -num : num;
    i128 q = mag / den;
    if ((mag % den) * 2 >= den) q++;
    if (num < 0) q = -q;
    if (q > INT64_MAX || q < INT64_MIN) return -1;
    *out = (int64_t)q;
    return 0;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

int money_parse(const char *s, int64_t *fen)
{
    if (!s || !fen) return -1;
    s = skip_spaces(s);
    bool neg = false, sign = false;
    if (*s == '-' || *s == '+') { /* "-¥1.00" or "¥-1.00" */
        neg = *s++ == '-';
        sign = true;
    }
    if (strncmp(s, "\xc2\xa5", 2) == 0) /* ¥ */
        s += 2;
    else if (strncmp(s, "\xef\xbf\xa5", 3) == 0) /* full-width ￥ */
        s += 3;
    if (!sign && (*s == '-' || *s == '+')) neg = *s++ == '-';
    i128 v = 0;
    int digits = 0, group = -1; /* digits since the last comma, -1 before any comma */
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            v = v * 10 + (*s - '0');
            if (v > (i128)INT64_MAX) return -1;
            digits++;
            if (group >= 0 && ++group > 3) return -1;
        } else if (*s == ',') {
            if (digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3)) return -1;
            group = 0;
        } else {
            break;
        }
    }
    if (group >= 0 && group != 3) return -1;
    int decimals = 0;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            if (++decimals > 2) return -1;
            v = v * 10 + (*s - '0');
            s++;
        }
        if (decimals == 0) return -1;
    }
    if (digits + decimals == 0) return -1;
    for (; decimals < 2; decimals++) v *= 10;
    if (*skip_spaces(s)) return -1;
    if (v > (i128)INT64_MAX) return -1;
    *fen = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int money_format(char *buf, size_t n, int64_t fen)
{
    char tmp[40];
    size_t k = sizeof(tmp);
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    tmp[--k] = '\0';
    tmp[--k] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--k] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--k] = '.';
    int d = 0;
    do {
        if (d && d % 3 == 0) tmp[--k] = ',';
        tmp[--k] = (char)('0' + mag % 10);
        mag /= 10;
        d++;
    } while (mag);
    if (fen < 0) tmp[--k] = '-';
    size_t len = sizeof(tmp) - 1 - k;
    if (!buf || n <= len) {
        if (buf && n) buf[0] = '\0';
        return -1;
    }
    memcpy(buf, tmp + k, len + 1);
    return 0;
}

int money_line_total(int64_t unit_price_fen, int64_t qty_milli, int64_t *out)
{
    if (!out) return -1;
    return round_div((i128)unit_price_fen * qty_milli, 1000, out);
}

int money_percent(int64_t fen, int64_t basis_points, int64_t *out)
{
    if (!out) return -1;
    return round_div((i128)fen * basis_points, 10000, out);
}

int money_ratio(int64_t v, int64_t num, int64_t den, int64_t *out)
{
    if (!out || den <= 0) return -1;
    return round_div((i128)v * num, den, out);
}

int money_allocate(int64_t total, const int64_t *weights, int n, int64_t *out)
{
    if (!weights || !out || n <= 0) return -1;
    i128 sum = 0;
    for (int i = 0; i < n; i++) {
        if (weights[i] < 0) return -1;
        sum += weights[i];
    }
    if (sum == 0) return -1;
    if (total == INT64_MIN) return -1; /* its magnitude does not fit */
    int64_t mag = total < 0 ? -total : total, given = 0;
    /* floor shares first (kept as magnitudes in out); each remainder
     * (mag * w mod sum) decides who gets one of the fen left over: largest
     * first, ties to the lower index. */
    for (int i = 0; i < n; i++) {
        out[i] = (int64_t)((i128)mag * weights[i] / sum);
        given += out[i];
    }
    for (int64_t left = mag - given; left > 0; left--) { /* left < n */
        int best = -1;
        i128 best_rem = -1;
        for (int i = 0; i < n; i++) {
            i128 prod = (i128)mag * weights[i];
            if (out[i] != (int64_t)(prod / sum)) continue; /* already got its extra fen */
            if (prod % sum > best_rem) {
                best_rem = prod % sum;
                best = i;
            }
        }
        out[best]++;
    }
    if (total < 0)
        for (int i = 0; i < n; i++) out[i] = -out[i];
    return 0;
}
