/* test_textsearch.c — unit tests of base/textsearch.c: normalisation, phone
 * digits, a document's terms (bigrams, four-digit windows, CJK trigrams, the
 * tails of long runs of digits), a query's terms and its FTS5 phrase, the
 * tails query (checked exhaustively against documents' tails) and the
 * PostgreSQL array literal. No database: what the indexes hold and what a
 * query asks of them, as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/textsearch.h"

static int setup(void **state)
{
    arena *a = test_malloc(sizeof(*a));
    arena_init(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    test_free(*state);
    return 0;
}

/* a document built field by field equals one built from parts appended */
static void test_doc_append(void **state)
{
    arena *a = *state;
    ts_doc whole, p1, p2, joined;
    ts_doc_init(&whole, a);
    ts_doc_add(&whole, "苏州华阳电线电缆");
    ts_doc_add(&whole, "KH-202301-00042");
    ts_doc_add(&whole, "0512-66881234");
    ts_doc_init(&p1, a);
    ts_doc_add(&p1, "苏州华阳电线电缆");
    ts_doc_init(&p2, a);
    ts_doc_add(&p2, "KH-202301-00042");
    ts_doc_add(&p2, "0512-66881234");
    ts_doc_init(&joined, a);
    ts_doc_append(&joined, &p1);
    ts_doc_append(&joined, &p2);
    assert_string_equal(joined.text, whole.text);
    assert_string_equal(joined.grams, whole.grams);
}

static void test_normalize(void **state)
{
    arena *a = *state;
    assert_string_equal(ts_normalize(a, "Ｈｕａｙａｎｇ  Wire, Ltd."), "huayangwireltd");
    assert_string_equal(ts_normalize(a, "huayangwireltd"), "huayangwireltd");
    assert_string_equal(ts_normalize(a, "华阳　电工（郑州）有限公司"), "华阳电工郑州有限公司");
    assert_string_equal(ts_normalize(a, "ＡＢＣ１２３"), "abc123");
    assert_string_equal(ts_normalize(a, "  "), "");
}

static void test_phone(void **state)
{
    arena *a = *state;
    assert_string_equal(ts_phone(a, "+86 138-0013-8000"), "13800138000");
    assert_string_equal(ts_phone(a, "0086 13800138000"), "13800138000");
    assert_string_equal(ts_phone(a, "86 13800138000"), "13800138000");
    assert_string_equal(ts_phone(a, "138 0013 8000"), "13800138000");
    assert_string_equal(ts_phone(a, "１３８００１３８０００"), "13800138000");
    assert_string_equal(ts_phone(a, "0371-6688 9900"), "037166889900"); /* landline kept */
    assert_null(ts_phone(a, ""));
    assert_null(ts_phone(a, NULL));
}

/* a document's terms: bigrams, but four-digit runs inside digits, and each
 * field's last character; CJK trigrams; the tails of long runs of digits */
static void test_document_terms(void **state)
{
    arena *a = *state;
    ts_doc d;
    ts_doc_init(&d, a);
    ts_doc_add(&d, "Ab-12345c");
    ts_doc_add(&d, "华阳 12");
    ts_doc_add(&d, "7");
    ts_doc_add(&d, "苏州华阳 x 电缆");
    assert_string_equal(d.text, "ab12345c|华阳12|7|苏州华阳x电缆");
    /* the last field: its bigrams, last character, then CJK trigrams (three
     * in a row only: not across the x) */
    assert_string_equal(d.grams, "ab b1 1234 2345 5c c 华阳 阳1 2 7 "
                                 "苏州 州华 华阳 阳x x电 电缆 缆 苏州华 州华阳");
    /* runs of eight digits or more: their tails come last, after the
     * trigrams (the eight digits at a run's end, and every fourth before) */
    ts_doc_add(&d, "a12345678华阳电1234567x051266881234");
    assert_string_equal(d.grams + strlen("ab b1 1234 2345 5c c 华阳 阳1 2 7 "
                                         "苏州 州华 华阳 阳x x电 电缆 缆 苏州华 州华阳 "),
                        "a1 1234 2345 3456 4567 5678 8华 华阳 阳电 电1 1234 2345 3456 4567 7x "
                        "x0 0512 5126 1266 2668 6688 6881 8812 8123 1234 4 华阳电 "
                        "12345678 05126688 66881234");
    const char *p = "13912346688", *tt;
    size_t tl;
    assert_non_null(tt = ts_next_tail(&p, &tl));
    assert_int_equal(tl, 8);
    assert_memory_equal(tt, "12346688", 8);
    assert_null(ts_next_tail(&p, &tl));
}

static void test_query_terms(void **state)
{
    arena *a = *state;
    /* a query's terms, distinct; none for digits in short runs */
    const char *t[8];
    assert_int_equal(ts_query_terms(a, "kh1234123", t, 8), 6);
    assert_string_equal(t[0], "kh");
    assert_string_equal(t[1], "h1");
    assert_string_equal(t[2], "1234");
    assert_string_equal(t[3], "2341");
    assert_string_equal(t[4], "3412");
    assert_string_equal(t[5], "4123");
    /* a Chinese query: its bigrams, then its trigrams */
    assert_int_equal(ts_query_terms(a, "华阳电缆", t, 8), 5);
    assert_string_equal(t[2], "电缆");
    assert_string_equal(t[3], "华阳电");
    assert_string_equal(t[4], "阳电缆");
    assert_int_equal(ts_query_terms(a, "668", t, 8), 0);
    assert_int_equal(ts_query_terms(a, "6", t, 8), 0);
    assert_false(ts_query_is_phrase("a12"));
    assert_true(ts_query_is_phrase("a1b2"));
    assert_null(ts_fts_query(a, "7", 2));
    assert_null(ts_fts_query(a, "x12", 2));
    assert_string_equal(ts_fts_query(a, "a1b", 2), "\"a1 1b\"");
    /* only digits, four or more: the phrase of their windows */
    assert_true(ts_query_is_phrase("6688"));
    assert_string_equal(ts_fts_query(a, "6688", 2), "\"6688\"");
    assert_string_equal(ts_fts_query(a, "66885", 2), "\"6688 6885\"");
    assert_false(ts_query_is_phrase("668"));
    assert_false(ts_query_is_phrase("6688x"));
    assert_null(ts_fts_query(a, "x6688", 2));
    assert_null(ts_fts_query(a, "987654", 2)); /* three windows */
    assert_null(ts_fts_query(a, "abab", 2));   /* three bigrams */
}

static void test_tails(void **state)
{
    arena *a = *state;
    /* eleven digits in a row: the OR of its first four eight-digit windows,
     * one of which is a tail of any run that holds it */
    const char *tails[TS_TAIL_STEP];
    assert_string_equal(ts_fts_tails(a, "kh20230654321", tails),
                        "(\"20230654\" OR \"02306543\" OR \"23065432\" OR \"30654321\")");
    assert_string_equal(tails[3], "30654321");
    assert_string_equal(ts_fts_tails(a, "x1234567890y13912346688", tails),
                        "(\"13912346\" OR \"39123466\" OR \"91234668\" OR \"12346688\")");
    assert_null(ts_fts_tails(a, "kh2023065432", tails)); /* ten digits */
    /* every run of eleven digits or more inside a document's run has one of
     * its four windows among the document's tails */
    const char *digits = "3141592653589793238462643383279";
    for (size_t n = 11; n <= 31; n++)
        for (size_t at = 0; at + 11 <= n; at++)
            for (size_t len = 11; at + len <= n; len++) {
                char doc[32], q[32];
                memcpy(doc, digits, n);
                doc[n] = 0;
                memcpy(q, doc + at, len);
                q[len] = 0;
                assert_non_null(ts_fts_tails(a, q, tails));
                bool found = false;
                const char *dp = doc, *dt;
                size_t dl;
                while (!found && (dt = ts_next_tail(&dp, &dl)) != NULL)
                    for (int k = 0; k < TS_TAIL_STEP; k++)
                        found = found || memcmp(dt, tails[k], TS_TAIL) == 0;
                assert_true(found);
            }
}

static void test_pg_array(void **state)
{
    arena *a = *state;
    assert_string_equal(ts_pg_array(a, "0371x"), "{\"0371\",\"1x\"}");
    assert_null(ts_pg_array(a, "37"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normalize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_document_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_array, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
