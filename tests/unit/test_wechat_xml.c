/* test_wechat_xml.c — unit tests of the WeChat wire format (wechat/wechat_xml.c):
 * the callback signature against known SHA-1 values, and the XML parser on
 * WeChat's own documents and on hostile ones (DOCTYPE, billion laughs, XXE,
 * deep nesting, element floods, overlong fields, bad encodings, truncation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wechat/wechat_xml.h"

static int setup(void **state)
{
    arena *a = calloc(1, sizeof(*a));
    arena_init(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    free(*state);
    return 0;
}

/* Appends s at p; returns the new end (test buffers are sized by the caller). */
static char *put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n + 1);
    return p + n;
}

static int parse(void **state, const char *xml, wx_msg *m)
{
    char err[160];
    int rc = wx_parse(*state, xml, strlen(xml), m, err, sizeof(err));
    if (rc != WX_OK) assert_true(err[0] != 0); /* every refusal says why */
    return rc;
}

/* Signature ------------------------------------------------------------------ */

static void test_signature_known_values(void **state)
{
    (void)state;
    char out[41];
    /* sorted: "1409304348" < "tradeflow" < "xxxxxx" */
    assert_int_equal(wx_signature("tradeflow", "1409304348", "xxxxxx", out), 0);
    assert_string_equal(out, "3f29d0e877eac9d8d35d988c91d3eaa41e4259a4");
    /* the order of the arguments does not matter: they are sorted */
    assert_int_equal(wx_signature("xxxxxx", "tradeflow", "1409304348", out), 0);
    assert_string_equal(out, "3f29d0e877eac9d8d35d988c91d3eaa41e4259a4");
    /* SHA-1("abc"), the FIPS 180 example */
    assert_int_equal(wx_signature("", "abc", "", out), 0);
    assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_signature_check(void **state)
{
    (void)state;
    const char *good = "a0bd0d8193410a39391e932a28caaaa9b0d8c428";
    assert_true(wx_signature_ok("token", "1700000000", "nonce123", good));
    assert_true(wx_signature_ok("token", "1700000000", "nonce123",
                                "A0BD0D8193410A39391E932A28CAAAA9B0D8C428"));
    /* one digit off, another nonce, another token, truncated, overlong, NULL */
    assert_false(wx_signature_ok("token", "1700000000", "nonce123",
                                 "a0bd0d8193410a39391e932a28caaaa9b0d8c429"));
    assert_false(wx_signature_ok("token", "1700000000", "nonce124", good));
    assert_false(wx_signature_ok("tokem", "1700000000", "nonce123", good));
    assert_false(wx_signature_ok("token", "1700000000", "nonce123", "a0bd0d81"));
    assert_false(wx_signature_ok("token", "1700000000", "nonce123",
                                 "a0bd0d8193410a39391e932a28caaaa9b0d8c42800"));
    assert_false(wx_signature_ok("token", "1700000000", "nonce123", NULL));
    assert_false(wx_signature_ok("token", "1700000000", "nonce123", ""));
}

static void test_signature_limits(void **state)
{
    (void)state;
    char out[41], big[WX_SIG_PART_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    assert_int_equal(wx_signature("token", big, "n", out), -1);
    assert_int_equal(wx_signature(NULL, "1", "n", out), -1);
    big[WX_SIG_PART_MAX] = 0; /* exactly the limit is fine */
    assert_int_equal(wx_signature("token", big, "n", out), 0);
    assert_int_equal(strlen(out), 40);
}

/* Good documents --------------------------------------------------------------- */

static void test_text_message(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state,
                           "<xml><ToUserName><![CDATA[gh_123456]]></ToUserName>"
                           "<FromUserName><![CDATA[oTf3q5abcDEF_-123]]></FromUserName>"
                           "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                           "<Content><![CDATA[ 你好，<b>交期</b> & 价格？ ]]></Content>"
                           "<MsgId>24601234567890123</MsgId></xml>",
                           &m),
                     WX_OK);
    assert_string_equal(m.to_user, "gh_123456");
    assert_string_equal(m.from_user, "oTf3q5abcDEF_-123");
    assert_string_equal(m.create_time, "1700000000");
    assert_string_equal(m.msg_type, "text");
    /* Content is kept as sent: spaces and markup-looking text included */
    assert_string_equal(m.content, " 你好，<b>交期</b> & 价格？ ");
    assert_string_equal(m.msg_id, "24601234567890123");
    assert_null(m.event);
}

static void test_subscribe_event_formatted(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<xml>\n  <ToUserName> gh_1 </ToUserName>\n"
                           "  <FromUserName>\n    oFan1\n  </FromUserName>\n"
                           "  <CreateTime>1700000001</CreateTime>\n"
                           "  <MsgType>event</MsgType>\n  <Event>subscribe</Event>\n"
                           "  <EventKey></EventKey>\n</xml>\n",
                           &m),
                     WX_OK);
    assert_string_equal(m.from_user, "oFan1"); /* trimmed */
    assert_string_equal(m.to_user, "gh_1");
    assert_string_equal(m.msg_type, "event");
    assert_string_equal(m.event, "subscribe");
    assert_string_equal(m.event_key, "");
    assert_null(m.content);
    assert_null(m.msg_id);
}

static void test_entities_and_unknown_fields(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state,
                           "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType>"
                           "<Content>a &lt;b&gt; &amp; &#x4E2D;&#25991; &quot;q&quot;</Content>"
                           "<Unknown attr=\"1\">ignored</Unknown>"
                           "<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult>"
                           "</ScanCodeInfo></xml>",
                           &m),
                     WX_OK);
    assert_string_equal(m.content, "a <b> & 中文 \"q\"");
    assert_string_equal(m.from_user, "o1");
}

static void test_nested_known_name_is_not_a_field(void **state)
{
    wx_msg m;
    /* a MsgType deeper than the root's children does not count */
    assert_int_equal(parse(state,
                           "<xml><Info><MsgType>event</MsgType></Info>"
                           "<MsgType>text</MsgType><Content>x</Content></xml>",
                           &m),
                     WX_OK);
    assert_string_equal(m.msg_type, "text");
}

static void test_latin1_declared_encoding(void **state)
{
    wx_msg m;
    const char doc[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                       "<xml><MsgType>text</MsgType><Content>caf\xe9</Content></xml>";
    assert_int_equal(parse(state, doc, &m), WX_OK);
    assert_string_equal(m.content, "caf\xc3\xa9"); /* UTF-8 out */
}

static void test_field_at_limit(void **state)
{
    wx_msg m;
    size_t n = WX_FIELD_MAX;
    char *doc = malloc(n + 100);
    int k = snprintf(doc, n + 100, "<xml><Content>");
    memset(doc + k, 'x', n);
    snprintf(doc + k + n, 100, "</Content></xml>");
    assert_int_equal(parse(state, doc, &m), WX_OK);
    assert_int_equal(strlen(m.content), WX_FIELD_MAX);
    free(doc);
}

/* Hostile documents -------------------------------------------------------------- */

static void test_billion_laughs(void **state)
{
    wx_msg m;
    assert_int_equal(
        parse(state,
              "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
              "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
              "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
              "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
              "]><xml><Content>&lol3;</Content></xml>",
              &m),
        WX_EDOCTYPE);
    assert_null(m.content);
}

static void test_xxe(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state,
                           "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                           "<xml><FromUserName>o1</FromUserName><Content>&xxe;</Content></xml>",
                           &m),
                     WX_EDOCTYPE);
    assert_int_equal(parse(state,
                           "<!DOCTYPE xml SYSTEM \"http://127.0.0.1:1/evil.dtd\">"
                           "<xml><Content>x</Content></xml>",
                           &m),
                     WX_EDOCTYPE);
    /* a bare DOCTYPE without any declaration is refused too */
    assert_int_equal(parse(state, "<!DOCTYPE xml><xml></xml>", &m), WX_EDOCTYPE);
}

static void test_undeclared_entity(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state, "<xml><Content>&xxe;</Content></xml>", &m), WX_EMALFORMED);
}

static void test_deep_nesting(void **state)
{
    wx_msg m;
    size_t depth = 100000;
    char *doc = malloc(depth * 7 + 1), *p = doc;
    for (size_t i = 0; i < depth; i++)
        p = put(p, "<a>");
    for (size_t i = 0; i < depth; i++)
        p = put(p, "</a>");
    char err[160];
    /* larger than the body limit: refused before parsing */
    assert_int_equal(wx_parse(*state, doc, strlen(doc), &m, err, sizeof(err)), WX_ETOOBIG);
    /* within the size limit, nested beyond the depth limit */
    p = doc;
    p = put(p, "<xml>");
    for (int i = 0; i < 500; i++)
        p = put(p, "<a>");
    for (int i = 0; i < 500; i++)
        p = put(p, "</a>");
    put(p, "</xml>");
    assert_int_equal(parse(state, doc, &m), WX_EDEPTH);
    free(doc);
    /* exactly the depth limit is fine */
    char ok[512];
    p = ok;
    p = put(p, "<xml>");
    for (int i = 1; i < WX_DEPTH_MAX; i++)
        p = put(p, "<a>");
    for (int i = 1; i < WX_DEPTH_MAX; i++)
        p = put(p, "</a>");
    put(p, "</xml>");
    assert_int_equal(parse(state, ok, &m), WX_OK);
}

static void test_element_flood(void **state)
{
    wx_msg m;
    char *doc = malloc(64 * 1024), *p = doc;
    p = put(p, "<xml>");
    for (int i = 0; i < 2000; i++)
        p = put(p, "<a/>");
    put(p, "</xml>");
    assert_int_equal(parse(state, doc, &m), WX_ECOUNT);
    free(doc);
}

static void test_overlong_field(void **state)
{
    wx_msg m;
    size_t n = WX_FIELD_MAX + 1;
    char *doc = malloc(n + 100);
    int k = snprintf(doc, n + 100, "<xml><Content><![CDATA[");
    memset(doc + k, 'x', n);
    snprintf(doc + k + n, 100, "]]></Content></xml>");
    assert_int_equal(parse(state, doc, &m), WX_ETOOLONG);
    free(doc);
}

static void test_wrong_root_and_repeats(void **state)
{
    wx_msg m;
    assert_int_equal(parse(state, "<message><MsgType>text</MsgType></message>", &m), WX_EROOT);
    assert_int_equal(parse(state,
                           "<xml><FromUserName>o1</FromUserName>"
                           "<FromUserName>o2</FromUserName></xml>",
                           &m),
                     WX_EDUP);
}

static void test_malformed(void **state)
{
    wx_msg m;
    static const char *const bad[] = {
        "",
        "not xml at all",
        "<xml><MsgType>text</MsgType>",           /* truncated */
        "<xml><MsgType>text</Content></xml>",     /* mismatched */
        "<xml></xml><xml></xml>",                 /* two roots */
        "<xml><Content>&#0;</Content></xml>",     /* NUL by reference */
        "<xml><Content>\xff\xfe</Content></xml>", /* not UTF-8 */
        "<xml><Content>\xe4\xb8</Content></xml>", /* cut UTF-8 sequence */
        "<xml a='1' a='2'></xml>",                /* repeated attribute */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(state, bad[i], &m), WX_EMALFORMED);
    /* a NUL byte inside the document */
    char err[160];
    const char nul[] = "<xml><Content>a\0b</Content></xml>";
    assert_int_equal(wx_parse(*state, nul, sizeof(nul) - 1, &m, err, sizeof(err)), WX_EMALFORMED);
    assert_null(m.content);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(wx_strerror(WX_EDOCTYPE), "doctype");
    assert_string_equal(wx_strerror(-999), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_known_values),
        cmocka_unit_test(test_signature_check),
        cmocka_unit_test(test_signature_limits),
        cmocka_unit_test_setup_teardown(test_text_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscribe_event_formatted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entities_and_unknown_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_known_name_is_not_a_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latin1_declared_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_at_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xxe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undeclared_entity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_element_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_root_and_repeats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
