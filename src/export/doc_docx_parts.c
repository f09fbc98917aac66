/* doc_docx_parts.c — the built-in DOCX template: a small WordprocessingML
 * package (content types, relationships, styles with Noto Sans CJK as the
 * default font, the document) whose document holds the same placeholders an
 * administrator's template would, so the built-in one goes through the same
 * filling as theirs and is what they download to start from. */
#include "export/document.h"
#include <string.h>
#include <zip.h>

#define W_NS                                                                                       \
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "                    \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package."
    "relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Default Extension=\"png\" ContentType=\"image/png\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-"
    "officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-"
    "officedocument.wordprocessingml.styles+xml\"/></Types>";

static const char root_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

static const char doc_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/></Relationships>";

static const char styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles " W_NS "><w:docDefaults><w:rPrDefault><w:rPr>"
    "<w:rFonts w:ascii=\"Noto Sans CJK SC\" w:hAnsi=\"Noto Sans CJK SC\" "
    "w:eastAsia=\"Noto Sans CJK SC\" w:cs=\"Noto Sans CJK SC\"/>"
    "<w:sz w:val=\"19\"/><w:szCs w:val=\"19\"/><w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\"/>"
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"40\" w:line=\"260\" "
    "w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "</w:style></w:styles>";

typedef struct sb {
    arena *a;
    char *p;
    size_t len, cap;
} sb;

static void put(sb *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 8192) + n;
        char *np = arena_alloc_raw(b->a, nc);
        if (b->len) memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* A paragraph of one run. align: left/center/right; size in half-points (0: default). */
static void para(sb *b, const char *align, int size, bool bold, const char *text)
{
    put(b, arena_printf(b->a, "<w:p><w:pPr><w:jc w:val=\"%s\"/></w:pPr><w:r><w:rPr>%s", align,
                        bold ? "<w:b/>" : ""));
    if (size) put(b, arena_printf(b->a, "<w:sz w:val=\"%d\"/><w:szCs w:val=\"%d\"/>", size, size));
    put(b, arena_printf(b->a, "</w:rPr><w:t xml:space=\"preserve\">%s</w:t></w:r></w:p>", text));
}

static void cell(sb *b, int width, const char *align, bool bold, bool shade, const char *text)
{
    put(b, arena_printf(b->a, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>%s</w:tcPr>", width,
                        shade ? "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"EBEDF2\"/>"
                              : ""));
    para(b, align, 16, bold, text);
    put(b, "</w:tc>");
}

static void table_start(sb *b, bool borders, const int *widths, int n)
{
    put(b, "<w:tbl><w:tblPr><w:tblW w:w=\"9906\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/>");
    if (borders)
        put(b, "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>"
               "<w:left w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>"
               "<w:bottom w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>"
               "<w:right w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>"
               "<w:insideH w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>"
               "<w:insideV w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/></w:tblBorders>");
    put(b, "<w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" "
           "w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>");
    for (int i = 0; i < n; i++)
        put(b, arena_printf(b->a, "<w:gridCol w:w=\"%d\"/>", widths[i]));
    put(b, "</w:tblGrid>");
}

static char *document_xml(arena *a)
{
    static const char *const cols[][2] = {
        {"no", "center"},  {"name", "left"},   {"spec", "left"},     {"unit", "center"},
        {"qty", "right"},  {"price", "right"}, {"amount", "right"}, {"tax_rate", "right"},
        {"tax", "right"},  {"total", "right"}};
    static const int widths[] = {520, 1730, 1500, 550, 700, 950, 1100, 600, 1000, 1256};
    static const char *const fields[][2] = {
        {"customer", "customer.name"}, {"number", "number"},         {"contact", "customer.contact"},
        {"date", "date"},              {"phone", "customer.phone"},  {"valid_until", "valid_until"},
        {"address", "customer.address"}, {"currency", "currency"}};
    sb b = {a, NULL, 0, 0};
    put(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document " W_NS
            "><w:body>");
    para(&b, "left", 0, false, "{{company.logo}}");
    para(&b, "center", 28, true, "{{company.name}}");
    para(&b, "center", 16, false, "{{company.address}}   {{labels.phone}}: {{company.phone}}");
    para(&b, "center", 34, true, "{{title}}");
    static const int half[] = {4953, 4953};
    table_start(&b, false, half, 2);
    for (int r = 0; r < 4; r++) {
        put(&b, "<w:tr>");
        for (int c = 0; c < 2; c++)
            cell(&b, 4953, "left", false, false,
                 arena_printf(a, "{{labels.%s}}: {{%s}}", fields[r * 2 + c][0],
                              fields[r * 2 + c][1]));
        put(&b, "</w:tr>");
    }
    put(&b, "</w:tbl>");
    para(&b, "left", 8, false, "");
    table_start(&b, true, widths, 10);
    put(&b, "<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (int c = 0; c < 10; c++)
        cell(&b, widths[c], "center", true, true, arena_printf(a, "{{labels.%s}}", cols[c][0]));
    put(&b, "</w:tr><w:tr><w:trPr><w:cantSplit/></w:trPr>");
    for (int c = 0; c < 10; c++)
        cell(&b, widths[c], cols[c][1], false, false, arena_printf(a, "{{line.%s}}", cols[c][0]));
    put(&b, "</w:tr></w:tbl>");
    para(&b, "right", 0, false, "{{labels.totals_amount}}: {{totals.amount}}");
    para(&b, "right", 0, false, "{{labels.totals_tax}}: {{totals.tax}}");
    para(&b, "right", 0, true, "{{labels.totals_total}}: {{currency}} {{totals.total}}");
    para(&b, "right", 0, false, "{{labels.total_chinese}}: {{totals.total_chinese}}");
    para(&b, "left", 0, true, "{{labels.terms}}");
    para(&b, "left", 0, false, "{{term.label}}: {{term.text}}");
    para(&b, "left", 0, false, "{{labels.notes}}: {{notes}}");
    para(&b, "left", 0, false,
         "{{labels.bank}}: {{company.bank}}    {{labels.tax_no}}: {{company.tax_no}}");
    para(&b, "left", 0, false, "");
    table_start(&b, false, half, 2);
    put(&b, "<w:tr>");
    cell(&b, 4953, "left", true, false, "{{labels.seller}}: {{company.name}}");
    cell(&b, 4953, "left", true, false, "{{labels.buyer}}: {{customer.name}}");
    put(&b, "</w:tr><w:tr><w:trPr><w:trHeight w:val=\"900\"/></w:trPr>");
    cell(&b, 4953, "left", false, false, "{{labels.sign}}: {{signature.seller}}");
    cell(&b, 4953, "left", false, false, "{{labels.sign}}: {{signature.buyer}}");
    put(&b, "</w:tr></w:tbl>");
    put(&b, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1000\" "
            "w:right=\"1000\" w:bottom=\"1000\" w:left=\"1000\" w:header=\"500\" "
            "w:footer=\"500\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>");
    return b.p;
}

int doc_docx_builtin(arena *a, const char *kind, char **out, size_t *len)
{
    (void)kind; /* one layout for every kind; the model's title names it */
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src) zip_source_free(src);
        return -1;
    }
    zip_source_keep(src);
    const char *names[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml",
                           "word/_rels/document.xml.rels", "word/styles.xml"};
    const char *data[] = {content_types, root_rels, document_xml(a), doc_rels, styles};
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        zip_source_t *s = zip_source_buffer(z, data[i], strlen(data[i]), 0);
        if (!s || zip_file_add(z, names[i], s, ZIP_FL_ENC_UTF_8) < 0) {
            if (s) zip_source_free(s);
            rc = -1;
        }
    }
    if (rc == 0 && zip_close(z) != 0) rc = -1;
    if (rc != 0) zip_discard(z);
    zip_stat_t st;
    if (rc == 0 && zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
        char *p = arena_alloc_raw(a, st.size + 1);
        zip_int64_t got = zip_source_read(src, p, st.size);
        zip_source_close(src);
        if (got >= 0 && (zip_uint64_t)got == st.size) {
            *out = p;
            *len = (size_t)got;
        } else {
            rc = -1;
        }
    } else {
        rc = -1;
    }
    zip_source_free(src);
    return rc;
}
