/* test_money.c — unit tests of core/money.c: parsing and formatting amounts,
 * the one rounding rule (half away from zero, both signs), line totals by
 * the kg, percentages, allocation that sums exactly, and overflow near
 * INT64_MAX refused instead of wrapping; a document with lines (discounts,
 * the header discount, tax per rate added or carved out), with a property
 * test over random documents that every figure adds up; and amounts in
 * Chinese capital numerals. */
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
    assert_int_equal(parse("\xc2\xa5"
                           "1,234.56"),
                     123456); /* ¥ */
    assert_int_equal(parse("\xef\xbf\xa5"
                           "1,234,567.8"),
                     123456780); /* ￥ */
    assert_int_equal(parse("-0.01"), -1);
    assert_int_equal(parse("-\xc2\xa5"
                           "5"),
                     -500);
    assert_int_equal(parse("\xc2\xa5"
                           "-5.05"),
                     -505);
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
        "",
        " ",
        "-",
        "\xc2\xa5",
        ".",
        "1.",
        "1.234",
        "0.001",
        "abc",
        "12a",
        "1 2",
        "1..2",
        "--1",
        "+-1",
        "1-",
        "1,23",
        "1234,567",
        ",123",
        "1,,234",
        "1,234,56",
        "12,34.5",
        "1e3",
        "0x10",
        "92233720368547758.08",
        "99999999999999999999",
        "-92233720368547758.09",
        "1.2.3",
        "\xc2\xa5\xc2\xa5"
        "1",
        "NaN",
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
        {0, "0.00"},
        {1, "0.01"},
        {-1, "-0.01"},
        {99, "0.99"},
        {100, "1.00"},
        {123456, "1,234.56"},
        {-123456, "-1,234.56"},
        {100000, "1,000.00"},
        {99999, "999.99"},
        {12345678901, "123,456,789.01"},
        {INT64_MAX, "92,233,720,368,547,758.07"},
        {INT64_MIN, "-92,233,720,368,547,758.08"},
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
    static const int64_t vals[] = {0,      1,      -1,         5,          10,         999,
                                   1000,   123456, -987654321, 1000000000, INT64_MAX,  -INT64_MAX,
                                   100001, -100,   7,          42424242,   -5000000000};
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
    for (int i = 0; i < n; i++)
        s += v[i];
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
    static const int64_t totals[] = {0, 1, 2, 31, 99999, -99999, 1000000007, INT64_MAX, -INT64_MAX};
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

static money_line line(int64_t price, int64_t qty_milli, int32_t disc, int32_t tax)
{
    return (money_line){
        .unit_price = price, .qty_milli = qty_milli, .discount_bp = disc, .tax_bp = tax};
}

static void test_document(void **state)
{
    (void)state;
    /* tax added: 2.5 kg at 40.00 (100.00) less 10 % and 3 spools at 33.33
     * (99.99), 13 %; a 9.99 header discount split over 90.00 and 99.99 */
    money_line l[3] = {line(4000, 2500, 1000, 1300), line(3333, 3000, 0, 1300),
                       line(1000, 1000, 0, 600)};
    money_doc d = {.header_discount = 999};
    assert_int_equal(money_document(&d, l, 3), 0);
    assert_int_equal(l[0].amount, 10000);
    assert_int_equal(l[0].discount, 1000);
    assert_int_equal(l[1].amount, 9999);
    /* 999 over 9000, 9999, 1000 (19999): 449.5 → 450, 499.5 → 499 (the
     * larger remainder goes first), 49.95 → 50 */
    assert_int_equal(l[0].header_discount + l[1].header_discount + l[2].header_discount, 999);
    assert_int_equal(d.n_rates, 2);
    assert_int_equal(d.rates[0].tax_bp, 600);
    assert_int_equal(d.rates[1].tax_bp, 1300);
    int64_t g13 = 9000 + 9999 - l[0].header_discount - l[1].header_discount;
    int64_t t13;
    assert_int_equal(money_percent(g13, 1300, &t13), 0);
    assert_int_equal(d.rates[1].tax, t13);
    assert_int_equal(l[0].tax + l[1].tax, t13);
    assert_int_equal(d.total, d.net + d.tax);
    assert_int_equal(d.total, l[0].total + l[1].total + l[2].total);
    assert_int_equal(d.discount, 1000 + 999);
    /* tax included: 113.00 at 13 % is 100.00 and 13.00 of tax */
    money_line t[1] = {line(11300, 1000, 0, 1300)};
    money_doc di = {.prices_include_tax = 1};
    assert_int_equal(money_document(&di, t, 1), 0);
    assert_int_equal(t[0].tax, 1300);
    assert_int_equal(t[0].net, 10000);
    assert_int_equal(t[0].total, 11300);
    assert_int_equal(di.total, 11300);
    /* a free line and a whole discount: zeros, no division by zero */
    money_line z[2] = {line(0, 1000, 0, 1300), line(500, 1000, 10000, 1300)};
    money_doc dz = {0};
    assert_int_equal(money_document(&dz, z, 2), 0);
    assert_int_equal(dz.total, 0);
}

static void test_document_refuses(void **state)
{
    (void)state;
    money_doc d = {0};
    money_line l[1];
    l[0] = line(100, 0, 0, 0); /* no quantity */
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(100, -1000, 0, 0);
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(-1, 1000, 0, 0); /* negative price */
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(100, 1000, 10001, 0); /* discount above 100 % */
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(100, 1000, -1, 0);
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(100, 1000, 0, 10001);
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(INT64_MAX, 2000, 0, 0); /* the amount overflows */
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(INT64_MAX / 2 + 1, 1000, 0, 10000); /* its tax overflows the total */
    assert_int_equal(money_document(&d, l, 1), -1);
    l[0] = line(100, 1000, 0, 0);
    d.header_discount = 101; /* more than the lines come to */
    assert_int_equal(money_document(&d, l, 1), -1);
    d.header_discount = -1;
    assert_int_equal(money_document(&d, l, 1), -1);
    d.header_discount = 0;
    assert_int_equal(money_document(&d, l, 0), -1);
    assert_int_equal(money_document(&d, NULL, 1), -1);
    money_line many[MONEY_MAX_RATES + 1];
    for (int i = 0; i <= MONEY_MAX_RATES; i++)
        many[i] = line(100, 1000, 0, (int32_t)i * 10);
    assert_int_equal(money_document(&d, many, MONEY_MAX_RATES + 1), -1); /* too many rates */
    assert_int_equal(money_document(&d, many, MONEY_MAX_RATES), 0);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(uint64_t bound)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % bound;
}

/* Random documents: every line and every rate adds up to the document, the
 * tax of each rate is that rate applied once to its lines, and the
 * discounts are what was asked. */
static void test_document_adds_up(void **state)
{
    (void)state;
    static money_line l[200];
    static const int32_t rates[] = {0, 300, 600, 900, 1300};
    for (int round = 0; round < 2000; round++) {
        int n = 1 + (int)next(200);
        int64_t after = 0;
        for (int i = 0; i < n; i++) {
            l[i] = line((int64_t)next(10000000), 1 + (int64_t)next(5000000),
                        (int32_t)(next(4) ? 0 : next(10001)), rates[next(5)]);
            int64_t a, dsc;
            assert_int_equal(money_line_total(l[i].unit_price, l[i].qty_milli, &a), 0);
            assert_int_equal(money_percent(a, l[i].discount_bp, &dsc), 0);
            after += a - dsc;
        }
        money_doc d = {.prices_include_tax = (int)next(2),
                       .header_discount = after > 0 ? (int64_t)next((uint64_t)after + 1) : 0};
        assert_int_equal(money_document(&d, l, n), 0);
        int64_t total = 0, net = 0, tax = 0, hd = 0, disc = 0, amount = 0;
        for (int i = 0; i < n; i++) {
            assert_true(l[i].header_discount >= 0);
            assert_int_equal(l[i].total, l[i].net + l[i].tax);
            int64_t gross = l[i].amount - l[i].discount - l[i].header_discount;
            assert_int_equal(d.prices_include_tax ? l[i].total : l[i].net, gross);
            total += l[i].total;
            net += l[i].net;
            tax += l[i].tax;
            hd += l[i].header_discount;
            disc += l[i].discount + l[i].header_discount;
            amount += l[i].amount;
        }
        assert_int_equal(hd, d.header_discount);
        assert_int_equal(total, d.total);
        assert_int_equal(net, d.net);
        assert_int_equal(tax, d.tax);
        assert_int_equal(disc, d.discount);
        assert_int_equal(amount, d.amount);
        assert_int_equal(d.amount - d.discount, d.prices_include_tax ? d.total : d.net);
        int64_t rate_tax = 0, rate_net = 0;
        for (int r = 0; r < d.n_rates; r++) {
            int64_t g = 0, t = 0, want;
            for (int i = 0; i < n; i++)
                if (l[i].tax_bp == d.rates[r].tax_bp) {
                    g += l[i].amount - l[i].discount - l[i].header_discount;
                    t += l[i].tax;
                }
            assert_int_equal(t, d.rates[r].tax);
            if (d.prices_include_tax)
                assert_int_equal(
                    money_ratio(g, d.rates[r].tax_bp, 10000 + d.rates[r].tax_bp, &want), 0);
            else
                assert_int_equal(money_percent(g, d.rates[r].tax_bp, &want), 0);
            assert_int_equal(want, d.rates[r].tax);
            if (r) assert_true(d.rates[r].tax_bp > d.rates[r - 1].tax_bp);
            rate_tax += d.rates[r].tax;
            rate_net += d.rates[r].net;
        }
        assert_int_equal(rate_tax, d.tax);
        assert_int_equal(rate_net, d.net);
    }
}

static void test_chinese(void **state)
{
    (void)state;
    static const struct {
        int64_t fen;
        const char *want;
    } cases[] = {
        {0, "零元整"},
        {1, "壹分"},
        {10, "壹角"},
        {55, "伍角伍分"},
        {100, "壹元整"},
        {105, "壹元零伍分"},
        {1000, "壹拾元整"},
        {1005, "壹拾元零伍分"},
        {2050, "贰拾元伍角"},
        {10100, "壹佰零壹元整"},
        {123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"},
        {1000005, "壹万元零伍分"},
        {10001000, "壹拾万零壹拾元整"},
        {10100000, "壹拾万壹仟元整"},
        {1000000100, "壹仟万零壹元整"},
        {1001000000, "壹仟零壹万元整"},
        {10000000000, "壹亿元整"},
        {10001000000, "壹亿零壹万元整"},
        {100000000000000, "壹万亿元整"},
        {123456789012345, "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"},
        {-105, "负壹元零伍分"},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(money_chinese(buf, sizeof(buf), cases[i].fen), 0);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%lld: %s, want %s", (long long)cases[i].fen, buf, cases[i].want);
    }
    assert_int_equal(money_chinese(buf, sizeof(buf), INT64_MIN),
                     0); /* its magnitude fits a uint64 */
    assert_int_equal(money_chinese(buf, 8, 123456789), -1);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),      cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_format),           cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_line_total),       cmocka_unit_test(test_percent),
        cmocka_unit_test(test_allocate),         cmocka_unit_test(test_document),
        cmocka_unit_test(test_document_refuses), cmocka_unit_test(test_document_adds_up),
        cmocka_unit_test(test_chinese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
