/* test_money.c — unit tests of core/money.c: parsing and formatting amounts,
 * the one rounding rule (half away from zero, both signs), line totals by
 * the kg, percentages, allocation that sums exactly, and overflow near
 * INT64_MAX refused instead of wrapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"

static int64_t parse(const char *s)
{
    int64_t v = 777;
    if (money_parse(s, &v) != 0) fail_msg("money_parse(\"%s\") refused", s);
    return v;
}

static void test_parse_valid(void **state)
{
    (void)state;
    assert_int_equal(parse("1234.5"), 123450);
    assert_int_equal(parse("1234.56"), 123456);
    assert_int_equal(parse("1234"), 123400);
    assert_int_equal(parse("\xc2\xa5" "1,234.56"), 123456);      /* ¥ */
    assert_int_equal(parse("\xef\xbf\xa5" "1,234,567.8"), 123456780); /* ￥ */
    assert_int_equal(parse("-0.01"), -1);
    assert_int_equal(parse("-\xc2\xa5" "5"), -500);
    assert_int_equal(parse("\xc2\xa5" "-5.05"), -505);
    assert_int_equal(parse("+3"), 300);
    assert_int_equal(parse("0"), 0);
    assert_int_equal(parse("0.5"), 50);
    assert_int_equal(parse(".5"), 50);
    assert_int_equal(parse("  12.30 "), 1230);
    assert_int_equal(parse("92233720368547758.07"), INT64_MAX);
    assert_int_equal(parse("-92233720368547758.07"), -INT64_MAX);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", " ", "-", "\xc2\xa5", ".", "1.", "1.234", "0.001", "abc", "12a", "1 2", "1..2",
        "--1", "+-1", "1-", "1,23", "1234,567", ",123", "1,,234", "1,234,56", "12,34.5",
        "1e3", "0x10", "92233720368547758.08", "99999999999999999999", "-92233720368547758.09",
        "1.2.3", "\xc2\xa5\xc2\xa5" "1", "NaN",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 42;
        if (money_parse(bad[i], &v) != -1) fail_msg("money_parse(\"%s\") accepted", bad[i]);
        assert_int_equal(v, 42); /* output untouched on failure */
    }
    int64_t v;
    assert_int_equal(money_parse(NULL, &v), -1);
}

static void test_format(void **state)
{
    (void)state;
    char b[40];
    static const struct {
        int64_t v;
        const char *s;
    } cases[] = {
        {0, "0.00"},           {1, "0.01"},           {-1, "-0.01"},         {99, "0.99"},
        {100, "1.00"},         {123456, "1,234.56"},  {-123456, "-1,234.56"}, {100000, "1,000.00"},
        {99999, "999.99"},     {12345678901, "123,456,789.01"},
        {INT64_MAX, "92,233,720,368,547,758.07"}, {INT64_MIN, "-92,233,720,368,547,758.08"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(money_format(b, sizeof(b), cases[i].v), 0);
        assert_string_equal(b, cases[i].s);
    }
    /* too small a buffer: refused, empty, never truncated silently */
    char small[9];
    assert_int_equal(money_format(small, 8, 123456), -1);
    assert_string_equal(small, "");
    assert_int_equal(money_format(small, sizeof(small), 123456), 0); /* fits "1,234.56" */
    assert_string_equal(small, "1,234.56");
}

static void test_round_trip(void **state)
{
    (void)state;
    static const int64_t vals[] = {0,       1,      -1,         5,          10,         999,
                                   1000,    123456, -987654321, 1000000000, INT64_MAX,  -INT64_MAX,
                                   100001,  -100,   7,          42424242,   -5000000000};
    char b[40];
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        assert_int_equal(money_format(b, sizeof(b), vals[i]), 0);
        assert_int_equal(parse(b), vals[i]);
    }
}

static void test_line_total(void **state)
{
    (void)state;
    int64_t t = 0;
    /* 12.34 per kg × 1.5 kg = 18.51 */
    assert_int_equal(money_line_total(1234, 1500, &t), 0);
    assert_int_equal(t, 1851);
    /* exact halves round away from zero, both signs */
    assert_int_equal(money_line_total(1, 500, &t), 0); /* 0.5 fen */
    assert_int_equal(t, 1);
    assert_int_equal(money_line_total(-1, 500, &t), 0);
    assert_int_equal(t, -1);
    assert_int_equal(money_line_total(1, -500, &t), 0);
    assert_int_equal(t, -1);
    assert_int_equal(money_line_total(3, 500, &t), 0); /* 1.5 → 2 */
    assert_int_equal(t, 2);
    assert_int_equal(money_line_total(-3, 500, &t), 0);
    assert_int_equal(t, -2);
    assert_int_equal(money_line_total(1, 499, &t), 0); /* just below half */
    assert_int_equal(t, 0);
    assert_int_equal(money_line_total(-1, 499, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(money_line_total(1, 501, &t), 0);
    assert_int_equal(t, 1);
    assert_int_equal(money_line_total(0, 123456, &t), 0);
    assert_int_equal(t, 0);
    /* large but exact: the product exceeds int64 before the division */
    assert_int_equal(money_line_total(INT64_MAX, 1000, &t), 0);
    assert_int_equal(t, INT64_MAX);
    assert_int_equal(money_line_total(INT64_MAX / 1000, 1000000, &t), 0);
    assert_int_equal(t, INT64_MAX / 1000 * 1000);
    /* overflow refused, output untouched */
    t = 5;
    assert_int_equal(money_line_total(INT64_MAX, 1001, &t), -1);
    assert_int_equal(money_line_total(INT64_MAX, 2000, &t), -1);
    assert_int_equal(money_line_total(INT64_MIN, 2000, &t), -1);
    assert_int_equal(money_line_total(INT64_MAX, INT64_MAX, &t), -1);
    assert_int_equal(t, 5);
    assert_int_equal(money_line_total(1, 1, NULL), -1);
}

static void test_percent(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(money_percent(10000, 1300, &t), 0); /* 13 % VAT of 100.00 */
    assert_int_equal(t, 1300);
    assert_int_equal(money_percent(150, 1000, &t), 0); /* 10 % of 1.50 = 0.15 */
    assert_int_equal(t, 15);
    assert_int_equal(money_percent(5, 1000, &t), 0); /* 0.5 fen → 1 */
    assert_int_equal(t, 1);
    assert_int_equal(money_percent(-5, 1000, &t), 0); /* -0.5 fen → -1 */
    assert_int_equal(t, -1);
    assert_int_equal(money_percent(5, -1000, &t), 0);
    assert_int_equal(t, -1);
    assert_int_equal(money_percent(15, 1000, &t), 0); /* 1.5 → 2 */
    assert_int_equal(t, 2);
    assert_int_equal(money_percent(-15, 1000, &t), 0);
    assert_int_equal(t, -2);
    assert_int_equal(money_percent(14, 1000, &t), 0); /* 1.4 → 1 */
    assert_int_equal(t, 1);
    assert_int_equal(money_percent(12345, 10000, &t), 0); /* 100 % */
    assert_int_equal(t, 12345);
    assert_int_equal(money_percent(12345, 0, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(money_percent(INT64_MAX, 10000, &t), 0);
    assert_int_equal(t, INT64_MAX);
    assert_int_equal(money_percent(INT64_MAX, 5000, &t), 0); /* x.5 rounds up */
    assert_int_equal(t, INT64_MAX / 2 + 1);
    t = 9;
    assert_int_equal(money_percent(INT64_MAX, 10001, &t), -1);
    assert_int_equal(money_percent(INT64_MIN, 20000, &t), -1);
    assert_int_equal(t, 9);
}

static int64_t sum(const int64_t *v, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

static void test_allocate(void **state)
{
    (void)state;
    int64_t out[8];
    /* 100.00 in three equal parts: 33.34 + 33.33 + 33.33 */
    const int64_t eq[] = {1, 1, 1};
    assert_int_equal(money_allocate(10000, eq, 3, out), 0);
    assert_int_equal(out[0], 3334);
    assert_int_equal(out[1], 3333);
    assert_int_equal(out[2], 3333);
    /* negative total mirrors the positive one */
    assert_int_equal(money_allocate(-10000, eq, 3, out), 0);
    assert_int_equal(out[0], -3334);
    assert_int_equal(out[1], -3333);
    assert_int_equal(out[2], -3333);
    /* largest remainder wins the extra fen, not the first index */
    const int64_t w[] = {1, 2, 3}; /* 100 fen → 16.67, 33.33, 50 → 17, 33, 50 */
    assert_int_equal(money_allocate(100, w, 3, out), 0);
    assert_int_equal(out[0], 17);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 50);
    /* zero weights get nothing; parts always sum exactly */
    const int64_t z[] = {0, 7, 0, 11, 13};
    static const int64_t totals[] = {0, 1, 2, 31, 99999, -99999, 1000000007, INT64_MAX,
                                     -INT64_MAX};
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        assert_int_equal(money_allocate(totals[t], z, 5, out), 0);
        assert_int_equal(sum(out, 5), totals[t]);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[2], 0);
    }
    const int64_t big[] = {INT64_MAX, INT64_MAX, 1};
    assert_int_equal(money_allocate(INT64_MAX, big, 3, out), 0);
    assert_int_equal(sum(out, 3), INT64_MAX);
    assert_true(out[0] >= out[1] && out[1] >= out[2]);
    const int64_t seven[] = {1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(money_allocate(6, seven, 7, out), 0);
    assert_int_equal(sum(out, 7), 6);
    assert_int_equal(out[6], 0); /* ties go to the lower index */
    /* invalid: no parts, no weight, negative weight, INT64_MIN */
    const int64_t none[] = {0, 0};
    const int64_t neg[] = {3, -1};
    out[0] = 123;
    assert_int_equal(money_allocate(100, eq, 0, out), -1);
    assert_int_equal(money_allocate(100, none, 2, out), -1);
    assert_int_equal(money_allocate(100, neg, 2, out), -1);
    assert_int_equal(money_allocate(INT64_MIN, eq, 3, out), -1);
    assert_int_equal(money_allocate(100, NULL, 3, out), -1);
    assert_int_equal(out[0], 123);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid), cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_format),      cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_line_total),  cmocka_unit_test(test_percent),
        cmocka_unit_test(test_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
