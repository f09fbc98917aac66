/* document.h — printable documents (quotations, contracts, ...) as XLSX, DOCX
 * and PDF from one document model, each through a template an administrator
 * can replace (docs/ARCHITECTURE.md, "Printable documents").
 *
 * THE CONTRACT (stable; quotations and contracts call it):
 *
 *     typedef enum { DOC_XLSX, DOC_DOCX, DOC_PDF } doc_format;
 *     int doc_render(db_conn *c, arena *a, const json_t *model, doc_format f,
 *                    char **out, size_t *len, char *err, size_t errlen);
 *
 * Renders the document model into *out (*len bytes, allocated in the arena a:
 * nothing to free, it lives as long as a — a request's arena suits
 * reply_raw) with the template of the model's "kind" ("quotation",
 * "contract", ...) stored by the administrator, or the built-in one. 0, or -1
 * with a message in err (e.g. a stored template with a broken placeholder);
 * it never crashes on any template. It only reads the database (the stored
 * template, the company profile and logo): no transaction needed.
 *
 * The model (JSON; every amount already computed and formatted by the
 * caller, money as text like "12,345.60"):
 *   {"kind":"quotation", "lang":"zh-CN"|"en" (captions' language; zh-CN if absent),
 *    "title":"报价单", "number":"BJ-202612-0001", "date":"2026-12-07",
 *    "valid_until":"2026-12-31", "currency":"CNY",
 *    "company":{"name","address","phone","bank","tax_no"}  (absent: the
 *        company_profile setting; the logo is always the stored company logo),
 *    "customer":{"name","contact","phone","address"},
 *    "lines":[{"no":1,"code","name","spec","unit","qty","price","discount",
 *              "amount","tax_rate","tax","total"}],
 *    "totals":{"amount","discount","freight","net","tax","total","total_chinese"},
 *    "terms":[{"label":"付款方式","text":"..."}], "notes":"...",
 *    "signature":{"seller":"...","buyer":"..."},
 *    "labels":{...optional captions overriding the built-in ones},
 *    "extra":{...any further text the caller's own templates name as {{extra.KEY}}}}
 * Values may be strings, integers or reals; anything else prints empty. */
#ifndef TF_EXPORT_DOCUMENT_H
#define TF_EXPORT_DOCUMENT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"
#include "db/db.h"

typedef enum { DOC_XLSX, DOC_DOCX, DOC_PDF } doc_format;

int doc_render(db_conn *c, arena *a, const json_t *model, doc_format f, char **out, size_t *len,
               char *err, size_t errlen);

/* Formats: "xlsx" / "docx" / "pdf" → 0 and *f, or -1. */
int doc_format_parse(const char *s, doc_format *f);
const char *doc_format_name(doc_format f);
const char *doc_media_type(doc_format f);

/* Templates ----------------------------------------------------------------
 * DOCX: a Word file with {{placeholders}}; a table row (or, outside a table,
 * a paragraph) that names {{line.*}} is repeated for every line, one that
 * names {{term.*}} for every term; {{company.logo}} is the logo.
 * XLSX and PDF: a layout, JSON text (doc_layout.c has the built-in one):
 * {"blocks":[{"type":"logo"|"text"|"fields"|"lines"|"terms"|"signature", ...}]}.
 * Placeholders: see doc_name_known (doc_model.c). */

/* Kinds that have a built-in template. */
bool doc_kind_known(const char *kind);
/* The built-in template of kind in format f, in a (a DOCX file, or layout
 * JSON text for XLSX and PDF). 0 or -1. */
int doc_builtin_template(arena *a, const char *kind, doc_format f, char **out, size_t *len);
/* Checks a template an administrator uploads: 0, or -1 with err naming the
 * first problem (a broken or unknown placeholder and where it is, a file
 * that is not a DOCX, a layout that is not one). */
int doc_template_check(arena *a, doc_format f, const char *data, size_t len, char *err,
                       size_t errlen);
/* Renders with the given template (NULL: the built-in one) and the given
 * logo (PNG bytes, or NULL): doc_render without the database. */
int doc_render_with(arena *a, const json_t *model, doc_format f, const char *tpl, size_t tpl_len,
                    const unsigned char *logo, size_t logo_len, char **out, size_t *len, char *err,
                    size_t errlen);
/* A sample model of kind (200 lines when many, else 3) for previews and tests,
 * in lang ("en" or "zh-CN"); caller owns. */
json_t *doc_sample_model(const char *kind, const char *lang, int nlines);
/* The figures of a model's lines and totals as printed (strings in a):
 * money in fen "1,234.50" (money_format), a quantity in thousandths
 * "1.5" / "2", a rate in basis points "12.5%" / "13%" / "12.34%". */
const char *doc_fmt_money(arena *a, int64_t fen);
const char *doc_fmt_qty(arena *a, int64_t milli);
const char *doc_fmt_bp(arena *a, int64_t bp);

/* Internal, shared by the doc_*.c files ------------------------------------- */
/* The context a placeholder is read in: the model, and the current line or
 * term of a repeated part (NULL outside one). */
typedef struct doc_ctx {
    const json_t *model;
    const json_t *line, *term;
    const char *lang;
} doc_ctx;
/* Whether name (without braces) is a placeholder a template may use;
 * in_line / in_term: inside a part repeated per line / per term. */
bool doc_name_known(const char *name, bool in_line, bool in_term);
/* Checks every {{...}} in s: 0, or -1 with err ("unknown placeholder
 * {{x}}" / "broken placeholder ..."). */
int doc_text_check(const char *s, bool in_line, bool in_term, char *err, size_t errlen);
/* s with its placeholders replaced by their values (in a). xml: escape the
 * values for XML. Unknown names print empty (checked templates have none). */
char *doc_expand(arena *a, const doc_ctx *x, const char *s, bool xml);
/* One placeholder's value as text (never NULL). */
const char *doc_value(arena *a, const doc_ctx *x, const char *name);
/* The PNG's width and height in pixels; false if it is not a PNG. */
bool doc_png_size(const unsigned char *p, size_t n, unsigned *w, unsigned *h);

int doc_pdf_render(arena *a, const doc_ctx *x, const json_t *layout, const unsigned char *logo,
                   size_t logo_len, char **out, size_t *len, char *err, size_t errlen);
int doc_xlsx_render(arena *a, const doc_ctx *x, const json_t *layout, const unsigned char *logo,
                    size_t logo_len, char **out, size_t *len, char *err, size_t errlen);
int doc_docx_render(arena *a, const doc_ctx *x, const char *tpl, size_t tpl_len,
                    const unsigned char *logo, size_t logo_len, char **out, size_t *len, char *err,
                    size_t errlen);
int doc_docx_check(arena *a, const char *tpl, size_t tpl_len, char *err, size_t errlen);
int doc_docx_builtin(arena *a, const char *kind, char **out, size_t *len);
/* Parses and checks a layout; caller owns the result. NULL with err. */
json_t *doc_layout_load(const char *text, size_t len, char *err, size_t errlen);
const char *doc_layout_builtin(const char *kind);

#define DOC_TEMPLATE_MAX (2 * 1024 * 1024) /* bytes of an uploaded template */
#define DOC_LOGO_MAX (256 * 1024)          /* bytes of the company logo (PNG) */
#define DOC_LINES_MAX 5000                 /* lines a document may have */
#endif
