/* test_i18n.c — unit tests of core/i18n.c: language tags and
 * Accept-Language (q order, only English and Chinese count), the catalogue
 * (exact texts, patterns with holes, a hole translated itself, unknown
 * texts left English), and local time from the TZif files (a zone without
 * daylight saving, both sides of New York's changes, an unknown zone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/i18n.h"

static void test_tags(void **state)
{
    (void)state;
    assert_int_equal(i18n_lang("zh-CN"), LANG_ZH);
    assert_int_equal(i18n_lang("zh"), LANG_ZH);
    assert_int_equal(i18n_lang("zh_TW"), LANG_ZH);
    assert_int_equal(i18n_lang("en"), LANG_EN);
    assert_int_equal(i18n_lang("zhx"), LANG_EN);
    assert_int_equal(i18n_lang(NULL), LANG_EN);
    assert_true(i18n_lang_valid("en") && i18n_lang_valid("zh-CN"));
    assert_false(i18n_lang_valid("zh") || i18n_lang_valid("fr") || i18n_lang_valid(NULL));
    tf_lang l = LANG_EN;
    assert_true(i18n_accept_language("zh-CN,zh;q=0.9,en;q=0.8", &l) && l == LANG_ZH);
    assert_true(i18n_accept_language("fr, en-US;q=0.7, zh;q=0.5", &l) && l == LANG_EN);
    assert_true(i18n_accept_language("en;q=0.2, zh-Hans;q=0.9", &l) && l == LANG_ZH);
    assert_false(i18n_accept_language("*", &l));
    assert_false(i18n_accept_language("fr-FR,de", &l));
    assert_false(i18n_accept_language("", &l));
    assert_false(i18n_accept_language(NULL, &l));
    assert_false(i18n_accept_language("english", &l));
}

static void test_catalogue(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    assert_string_equal(i18n_text(&a, LANG_ZH, "is required"), "为必填项");
    assert_string_equal(i18n_text(&a, LANG_EN, "is required"), "is required");
    assert_string_equal(i18n_text(&a, LANG_ZH, "must be at most 64 characters"), "最多 64 个字符");
    assert_string_equal(i18n_text(&a, LANG_ZH, "must be between 1 and 500"), "必须在 1 到 500 之间");
    /* a hole translated itself; the quoted value copied as it is */
    assert_string_equal(i18n_text(&a, LANG_ZH, "row 12 of this file has the same phone"),
                        "与本文件第 12 行的手机相同");
    assert_string_equal(i18n_text(&a, LANG_ZH, "\"金牌\" is not an item of the level dictionary"),
                        "“金牌”不是价值级别字典中的项");
    /* "message: what" */
    assert_string_equal(i18n_text(&a, LANG_ZH, "another customer already has it: KH-1 (Li)"),
                        "已有其他客户使用：KH-1 (Li)");
    /* five holes, one of them with parentheses of its own */
    assert_string_equal(
        i18n_text(&a, LANG_ZH,
                  "the batch starting at row 2 was rolled back: row 10 failed (UNIQUE (x)); nothing"
                  " of that batch was saved, the 0 rows before it were; run the import again to go"
                  " on from row 2"),
        "从第 2 行开始的一批已回滚：第 10 行失败（UNIQUE (x)）；这一批都未保存，之前的 0 行已保存；"
        "再次运行导入即可从第 2 行继续");
    /* ...but not when no part of it is known */
    assert_string_equal(i18n_text(&a, LANG_ZH, "the XML message is refused: bad tag"),
                        "the XML message is refused: bad tag");
    /* braces that are no hole */
    assert_string_equal(i18n_text(&a, LANG_ZH, "close a project with POST /projects/{id}/close"),
                        "请用 POST /projects/{id}/close 关闭项目");
    /* what the catalogue lacks stays English */
    assert_string_equal(i18n_text(&a, LANG_ZH, "a text nobody translated"), "a text nobody translated");
    assert_string_equal(i18n_text(&a, LANG_ZH, "must be at most  characters"),
                        "must be at most  characters");
    assert_null(i18n_text(&a, LANG_ZH, NULL));
    assert_string_equal(i18n_status_title(LANG_ZH, 404), "未找到");
    assert_string_equal(i18n_status_title(LANG_EN, 422), "Unprocessable Content");
    assert_string_equal(i18n_status_title(LANG_ZH, 502), "服务器内部错误");
    assert_string_equal(i18n_label(LANG_ZH, "yes"), "是");
    assert_string_equal(i18n_label(LANG_EN, "pool"), "pool");
    arena_free(&a);
}

static void test_local_time(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    assert_string_equal(i18n_local_time(&a, "2026-12-07T09:30:00Z", "Asia/Shanghai"),
                        "2026-12-07 17:30");
    assert_string_equal(i18n_local_time(&a, "2026-12-07T20:30:15.123Z", "Asia/Shanghai"),
                        "2026-12-08 04:30");
    /* New York: EST in winter, EDT from the second Sunday of March */
    assert_string_equal(i18n_local_time(&a, "2026-12-07T09:30:00Z", "America/New_York"),
                        "2026-12-07 04:30");
    assert_string_equal(i18n_local_time(&a, "2026-07-01T12:00:00Z", "America/New_York"),
                        "2026-07-01 08:00");
    assert_string_equal(i18n_local_time(&a, "2026-03-08T06:59:00Z", "America/New_York"),
                        "2026-03-08 01:59");
    assert_string_equal(i18n_local_time(&a, "2026-03-08T07:00:00Z", "America/New_York"),
                        "2026-03-08 03:00");
    assert_string_equal(i18n_local_time(&a, "2026-12-07T09:30:00Z", "UTC"), "2026-12-07 09:30");
    /* an unknown zone is UTC; a date alone, or not a timestamp, stays */
    assert_string_equal(i18n_local_time(&a, "2026-12-07T09:30:00Z", "Mars/Olympus"),
                        "2026-12-07 09:30");
    assert_string_equal(i18n_local_time(&a, "2026-12-07", "Asia/Shanghai"), "2026-12-07");
    assert_string_equal(i18n_local_time(&a, "soon", "Asia/Shanghai"), "soon");
    assert_null(i18n_local_time(&a, NULL, "Asia/Shanghai"));
    assert_true(i18n_zone_valid("Europe/Berlin"));
    assert_false(i18n_zone_valid("Mars/Olympus"));
    assert_false(i18n_zone_valid("../../etc/passwd"));
    assert_false(i18n_zone_valid("/etc/passwd"));
    assert_false(i18n_zone_valid(""));
    assert_int_equal(i18n_zone_offset("Europe/Berlin", 1782000000), 7200); /* 2026-06-21 */
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_local_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
