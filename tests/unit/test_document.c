/* test_document.c — unit tests of the printable documents (export/doc_*.c):
 * a 200-line model with Chinese names rendered to XLSX, DOCX and PDF (each a
 * real package / file holding every line; the DOCX's text has the names, the
 * totals and the Chinese capitals); a Word template whose placeholders Word
 * split over several runs still fills, its line row repeated per line and its
 * term paragraph per term; broken and unknown placeholders refused with a
 * message naming them, in a DOCX and in a layout; the logo embedded; and
 * rendering survives every cut of the template (never crashes). The time of
 * each format is printed for the record, never asserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "export/document.h"

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The text of one entry of a zip in memory (malloc'd), or NULL. */
static char *zip_entry(const char *data, size_t len, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    zip_error_fini(&ze);
    if (!z) {
        zip_source_free(src);
        return NULL;
    }
    zip_stat_t st;
    char *out = NULL;
    if (zip_stat(z, name, 0, &st) == 0) {
        zip_file_t *f = zip_fopen(z, name, 0);
        out = calloc(1, st.size + 1);
        if (f && zip_fread(f, out, st.size) != (zip_int64_t)st.size) {
            free(out);
            out = NULL;
        }
        if (f) zip_fclose(f);
    }
    zip_discard(z);
    return out;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* A DOCX package around the given document.xml body (in a). */
static char *make_docx(arena *a, const char *body, size_t *len)
{
    char *builtin;
    size_t blen;
    assert_int_equal(doc_builtin_template(a, "quotation", DOC_DOCX, &builtin, &blen), 0);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_source_keep(src);
    const char *names[] = {"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
                           "word/styles.xml"};
    for (int i = 0; i < 4; i++) {
        char *t = zip_entry(builtin, blen, names[i]);
        assert_non_null(t);
        char *c = arena_strdup(a, t);
        free(t);
        zip_file_add(z, names[i], zip_source_buffer(z, c, strlen(c), 0), 0);
    }
    char *doc = arena_printf(a,
                             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http:"
                             "//schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>%s"
                             "</w:body></w:document>",
                             body);
    zip_file_add(z, "word/document.xml", zip_source_buffer(z, doc, strlen(doc), 0), 0);
    assert_int_equal(zip_close(z), 0);
    zip_stat_t st;
    zip_source_stat(src, &st);
    zip_source_open(src);
    char *p = arena_alloc_raw(a, st.size);
    zip_source_read(src, p, st.size);
    zip_source_close(src);
    zip_source_free(src);
    *len = st.size;
    return p;
}

static void test_formats_200_lines(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    json_t *m = doc_sample_model("quotation", "zh-CN", 200);
    const char *total = json_string_value(json_object_get(json_object_get(m, "totals"), "total"));
    const char *capitals =
        json_string_value(json_object_get(json_object_get(m, "totals"), "total_chinese"));
    json_object_set_new(m, "company",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "杭州天中线缆有限公司",
                                  "address", "浙江省杭州市余杭区 1 号", "phone", "0571-88886666",
                                  "bank", "工商银行 1202 0000 0000", "tax_no",
                                  "91330100MA2XXXXX0X"));
    char err[256];
    for (int f = DOC_XLSX; f <= DOC_PDF; f++) {
        char *out = NULL;
        size_t len = 0;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = doc_render_with(&a, m, (doc_format)f, NULL, 0, NULL, 0, &out, &len, err,
                                 sizeof(err));
        printf("   %s, 200 lines: %.1f ms, %zu bytes\n", doc_format_name((doc_format)f),
               ms_since(&t0), len);
        if (rc != 0) fail_msg("%s: %s", doc_format_name((doc_format)f), err);
        assert_true(len > 1000);
        if (f == DOC_PDF) {
            assert_memory_equal(out, "%PDF-", 5);
            continue;
        }
        const char *part = f == DOC_XLSX ? "xl/sharedStrings.xml" : "word/document.xml";
        char *x = zip_entry(out, len, part);
        if (!x) fail_msg("%s has no readable %s", doc_format_name((doc_format)f), part);
        assert_non_null(strstr(x, "杭州天中线缆有限公司"));
        assert_non_null(strstr(x, "苏州华阳电线电缆有限公司"));
        assert_non_null(strstr(x, total));
        assert_non_null(strstr(x, capitals));
        assert_null(strstr(x, "{{"));
        if (f == DOC_DOCX) {
            assert_int_equal(count(x, "DL-0") >= 0, 1);
            assert_int_equal(count(x, "<w:tr>") + count(x, "<w:tr "), 200 + 1 + 4 + 2);
            assert_int_equal(count(x, "预付30%"), 1);
        } else {
            assert_non_null(strstr(x, "DL-0200") ? x : strstr(x, "阻燃耐火电力电缆"));
        }
        free(x);
    }
    json_decref(m);
    arena_free(&a);
}

static void test_docx_split_runs(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    /* what Word writes after a spell check and a change of font midway */
    const char *body =
        "<w:p><w:r><w:t>客户：{{cust</w:t></w:r><w:proofErr w:type=\"spellStart\"/>"
        "<w:r><w:rPr><w:b/></w:rPr><w:t>omer.na</w:t></w:r><w:r><w:t>me}} 编号 {</w:t></w:r>"
        "<w:r><w:t>{ number }}</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{labels.name}}</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>{{li</w:t></w:r><w:r><w:t>ne.name}}</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>{{line.total}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t xml:space=\"preserve\">{{term.label}}: {{term.t</w:t></w:r>"
        "<w:r><w:t>ext}}</w:t></w:r></w:p><w:p><w:r><w:t>{{totals.total_chinese}}</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>A &amp; B {{company.logo}}</w:t></w:r></w:p>";
    size_t len;
    char *tpl = make_docx(&a, body, &len), err[256];
    if (doc_template_check(&a, DOC_DOCX, tpl, len, err, sizeof(err)) != 0) fail_msg("%s", err);
    json_t *m = doc_sample_model("quotation", "zh-CN", 3);
    json_object_set_new(json_object_get(m, "customer"), "name", json_string("A&B <电缆> 公司"));
    /* a 1x1 PNG */
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    char *out;
    size_t olen;
    if (doc_render_with(&a, m, DOC_DOCX, tpl, len, png, sizeof(png), &out, &olen, err,
                        sizeof(err)) != 0)
        fail_msg("%s", err);
    char *x = zip_entry(out, olen, "word/document.xml");
    assert_non_null(x);
    assert_null(strstr(x, "{{"));
    assert_non_null(strstr(x, "A&amp;B &lt;电缆&gt; 公司"));
    assert_non_null(strstr(x, "BJ-202612-0001"));
    assert_int_equal(count(x, "铜芯聚氯乙烯绝缘电缆"), 1);
    assert_int_equal(count(x, "<w:tr>"), 1 + 3);
    assert_int_equal(count(x, "付款方式: 预付30%"), 1);
    assert_int_equal(count(x, "交货期: "), 1);
    assert_non_null(strstr(x, "r:embed=\"rIdTfLogo\""));
    assert_non_null(strstr(x, "A &amp; B "));
    free(x);
    char *rels = zip_entry(out, olen, "word/_rels/document.xml.rels");
    assert_non_null(strstr(rels, "media/tf_logo.png"));
    free(rels);
    char *media = zip_entry(out, olen, "word/media/tf_logo.png");
    assert_non_null(media);
    free(media);
    json_decref(m);
    arena_free(&a);
}

static void expect_refused(arena *a, doc_format f, const char *data, size_t len,
                           const char *needle)
{
    char err[256] = "";
    if (doc_template_check(a, f, data, len, err, sizeof(err)) == 0)
        fail_msg("accepted a template that should name \"%s\"", needle);
    if (!strstr(err, needle)) fail_msg("message \"%s\" does not name \"%s\"", err, needle);
}

static void test_bad_templates(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    size_t len;
    char *t = make_docx(&a, "<w:p><w:r><w:t>{{customer.nmae}}</w:t></w:r></w:p>", &len);
    expect_refused(&a, DOC_DOCX, t, len, "{{customer.nmae}}");
    t = make_docx(&a, "<w:p><w:r><w:t>{{customer.</w:t></w:r></w:p><w:p><w:r><w:t>name}}"
                      "</w:t></w:r></w:p>",
                  &len);
    expect_refused(&a, DOC_DOCX, t, len, "broken placeholder \"{{customer.");
    t = make_docx(&a, "<w:p><w:r><w:t>{{客户}}</w:t></w:r></w:p>", &len);
    expect_refused(&a, DOC_DOCX, t, len, "broken placeholder");
    t = make_docx(&a, "<w:p><w:r><w:t>{{line.qty}} {{term.text}}</w:t></w:r></w:p>", &len);
    expect_refused(&a, DOC_DOCX, t, len, "{{term.text}}");
    expect_refused(&a, DOC_DOCX, "PK\003\004 not really", 16, "not a Word document");
    expect_refused(&a, DOC_DOCX, "", 0, "empty");

    const char *l1 = "{\"blocks\":[{\"type\":\"text\",\"text\":\"{{titel}}\"}]}";
    expect_refused(&a, DOC_PDF, l1, strlen(l1), "blocks[0].text: unknown placeholder {{titel}}");
    const char *l2 = "{\"blocks\":[{\"type\":\"lines\",\"columns\":[{\"header\":\"x\","
                     "\"value\":\"{{line.qty}\"}]}]}";
    expect_refused(&a, DOC_XLSX, l2, strlen(l2), "blocks[0].columns[0].value: broken placeholder");
    const char *l3 = "{\"blocks\":[{\"type\":\"text\",\"text\":\"{{line.qty}}\"}]}";
    expect_refused(&a, DOC_PDF, l3, strlen(l3), "only inside the part repeated");
    const char *l4 = "{\"blocks\":[{\"type\":\"chart\"}]}";
    expect_refused(&a, DOC_PDF, l4, strlen(l4), "unknown type \"chart\"");
    expect_refused(&a, DOC_PDF, "{\"blocks\":", 10, "not JSON");
    const char *l5 = "{\"blocks\":[{\"type\":\"fields\",\"items\":[{\"value\":\"x\"}],\"colour\":1}]}";
    expect_refused(&a, DOC_PDF, l5, strlen(l5), "unknown key \"colour\"");
    /* the built-in ones pass their own check */
    for (int f = DOC_XLSX; f <= DOC_PDF; f++) {
        char *b, err[256];
        size_t bl;
        assert_int_equal(doc_builtin_template(&a, "quotation", (doc_format)f, &b, &bl), 0);
        if (doc_template_check(&a, (doc_format)f, b, bl, err, sizeof(err)) != 0)
            fail_msg("built-in %s: %s", doc_format_name((doc_format)f), err);
    }
    arena_free(&a);
}

/* Every cut of a template's document and of a layout renders or is refused,
 * and never crashes (ASan watches). */
static void test_never_crashes(void **state)
{
    (void)state;
    json_t *m = doc_sample_model("contract", "en", 4);
    const char *body =
        "<w:p><w:r><w:t>{{title}} {{cust</w:t></w:r><w:r><w:t>omer.name}}</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{line.name}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>{{term.label}}</w:t></w:r></w:p>";
    size_t bl = strlen(body);
    const char *layout = doc_layout_builtin("quotation");
    size_t ll = strlen(layout);
    for (size_t cut = 0; cut <= bl; cut += 3) {
        arena a;
        arena_init(&a);
        size_t len, olen;
        char *tpl = make_docx(&a, arena_strndup(&a, body, cut), &len), *out, err[256];
        doc_render_with(&a, m, DOC_DOCX, tpl, len, NULL, 0, &out, &olen, err, sizeof(err));
        arena_free(&a);
    }
    for (size_t cut = 0; cut <= ll; cut += 97) {
        arena a;
        arena_init(&a);
        char *out, err[256];
        size_t olen;
        doc_render_with(&a, m, DOC_PDF, layout, cut, NULL, 0, &out, &olen, err, sizeof(err));
        doc_render_with(&a, m, DOC_XLSX, layout, cut, NULL, 0, &out, &olen, err, sizeof(err));
        arena_free(&a);
    }
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_200_lines),
        cmocka_unit_test(test_docx_split_runs),
        cmocka_unit_test(test_bad_templates),
        cmocka_unit_test(test_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
