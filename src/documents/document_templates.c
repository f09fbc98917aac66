/* document_templates.c — the administrator's side of printable documents:
 * the templates of each kind (quotation, contract) and format (docx, xlsx,
 * pdf) — list, download (the stored one or the built-in one to start from),
 * upload (checked first: a broken or unknown placeholder is refused with a
 * 422 naming it), reset to the built-in one, and a preview that renders a
 * sample document with the stored template — and the company logo printed
 * on every document. Files live in document_files (migration 026); the
 * rendering is export/document.h's. Permission: documents.templates. */
#include "core/audit.h"
#include "base/util.h"
#include "export/document.h"
#include "http/http.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"quotation", "contract", NULL};
static const doc_format formats[] = {DOC_DOCX, DOC_XLSX, DOC_PDF};

/* The kind and format of the path, or a 404 already sent. */
static int path_kind_format(req *r, const char **kind, doc_format *f)
{
    *kind = r->params[0];
    if (!doc_kind_known(*kind) || doc_format_parse(r->params[1], f) < 0) {
        reply_not_found(r);
        return -1;
    }
    return 0;
}

static const char *file_media_type(doc_format f)
{
    return f == DOC_DOCX ? doc_media_type(f) : "application/json";
}

static const char *file_name(arena *a, const char *kind, doc_format f)
{
    return arena_printf(a, "%s-template.%s", kind, f == DOC_DOCX ? "docx" : "json");
}

static json_t *info(const char *kind, doc_format f, const db_res *res, int row)
{
    json_t *o = json_pack("{s:s, s:s, s:b}", "kind", kind, "format", doc_format_name(f),
                          "custom", row >= 0);
    if (row >= 0) {
        json_object_set_new(o, "filename", json_string(db_get_text(res, row, "filename")));
        json_object_set_new(o, "size", json_integer(db_get_int(res, row, "size")));
        json_object_set_new(o, "updated_at", json_string(db_get_text(res, row, "updated_at")));
        json_object_set_new(o, "updated_by", json_integer(db_get_int(res, row, "updated_by")));
        json_object_set_new(o, "version", json_integer(db_get_int(res, row, "version")));
    }
    return o;
}

static int h_templates_list(req *r)
{
    db_res res;
    int n = db_query(r->db, &r->a, &res,
                     "SELECT name, filename, size, updated_at, updated_by, version"
                     " FROM document_files ORDER BY name",
                     DBP0);
    if (n < 0) return reply_db_error(r, n);
    json_t *items = json_array();
    for (int k = 0; kinds[k]; k++)
        for (int i = 0; i < 3; i++) {
            const char *name = arena_printf(&r->a, "%s.%s", kinds[k], doc_format_name(formats[i]));
            int row = -1;
            for (int j = 0; j < n; j++)
                if (strcmp(db_get_text(&res, j, "name"), name) == 0) row = j;
            json_array_append_new(items, info(kinds[k], formats[i], &res, row));
        }
    json_t *logo = json_null();
    for (int j = 0; j < n; j++)
        if (strcmp(db_get_text(&res, j, "name"), "logo.png") == 0) {
            logo = json_pack("{s:I, s:s}", "size", (json_int_t)db_get_int(&res, j, "size"),
                             "updated_at", db_get_text(&res, j, "updated_at"));
        }
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "logo", logo));
}

/* A stored file's bytes, decoded into the request's arena; NULL if none. */
static char *stored_file(req *r, const char *name, size_t *len, const char **filename)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, "SELECT filename, data_b64 FROM document_files WHERE name = ?",
                 DBP(DBS(name))) <= 0)
        return NULL;
    const char *b64 = db_get_text(&res, 0, "data_b64");
    size_t n = strlen(b64);
    if (n == 0 || n % 4) return NULL;
    char *p = arena_alloc_raw(&r->a, n / 4 * 3 + 1);
    int got = EVP_DecodeBlock((unsigned char *)p, (const unsigned char *)b64, (int)n);
    if (got < 0) return NULL;
    if (b64[n - 1] == '=') got -= 1 + (b64[n - 2] == '=');
    *len = (size_t)got;
    if (filename) *filename = db_get_text(&res, 0, "filename");
    return p;
}

static int send_file(req *r, const char *type, const char *filename, const char *data, size_t len)
{
    r->extra_header_name = "Content-Disposition";
    r->extra_header_value = arena_printf(&r->a, "attachment; filename=\"%s\"", filename);
    r->cache_control = "private, no-store";
    return reply_raw(r, 200, type, data, len);
}

static int h_template_get(req *r)
{
    const char *kind;
    doc_format f;
    if (path_kind_format(r, &kind, &f) < 0) return 0;
    size_t len;
    char *data = stored_file(r, arena_printf(&r->a, "%s.%s", kind, doc_format_name(f)), &len, NULL);
    if (!data && doc_builtin_template(&r->a, kind, f, &data, &len) < 0)
        return reply_problem(r, 500, "internal", "the built-in template could not be made");
    return send_file(r, file_media_type(f), file_name(&r->a, kind, f), data, len);
}

/* Stores a file (insert or replace) with its audit row. */
static int store(req *r, const char *name, const char *type, const char *filename,
                 json_t *audit_after)
{
    size_t cap = (r->body_len + 2) / 3 * 4 + 1;
    char *b64 = arena_alloc_raw(&r->a, cap);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)r->body, (int)r->body_len);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_exec(r->db,
                     "INSERT INTO document_files(name, media_type, filename, size, data_b64,"
                     " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT(name) DO UPDATE SET media_type = excluded.media_type,"
                     " filename = excluded.filename, size = excluded.size,"
                     " data_b64 = excluded.data_b64, updated_at = excluded.updated_at,"
                     " updated_by = excluded.updated_by, version = document_files.version + 1",
                     DBP(DBS(name), DBS(type), DBS(filename), DBI(r->body_len), DBS(b64),
                         DBS(now), DBI(r->me.id)));
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "document_file", 0, "upload", NULL, audit_after);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) db_rollback(r->db);
    return rc < 0 ? rc : 0;
}

static const char *upload_filename(req *r, const char *dflt)
{
    const char *fn = req_query(r, "filename");
    if (!fn || !*fn || tf_utf8_len(fn) > 200 || strpbrk(fn, "/\\\r\n\"")) return dflt;
    return fn;
}

static int h_template_put(req *r)
{
    const char *kind;
    doc_format f;
    if (path_kind_format(r, &kind, &f) < 0) return 0;
    char err[400];
    if (doc_template_check(&r->a, f, r->body, r->body_len, err, sizeof(err)) < 0) {
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("file", "invalid_template", err));
        return reply_invalid(r, errs);
    }
    const char *name = arena_printf(&r->a, "%s.%s", kind, doc_format_name(f));
    const char *fn = upload_filename(r, file_name(&r->a, kind, f));
    json_t *after = json_pack("{s:s, s:s, s:I}", "name", name, "filename", fn, "size",
                              (json_int_t)r->body_len);
    int rc = store(r, name, file_media_type(f), fn, after);
    json_decref(after);
    if (rc < 0) return reply_db_error(r, rc);
    db_res res;
    int n = db_query(r->db, &r->a, &res,
                     "SELECT filename, size, updated_at, updated_by, version FROM document_files"
                     " WHERE name = ?",
                     DBP(DBS(name)));
    return reply_json(r, 200, info(kind, f, &res, n > 0 ? 0 : -1));
}

static int remove_file(req *r, const char *name)
{
    json_t *before = json_pack("{s:s}", "name", name);
    int rc = db_begin(r->db), n = 0;
    if (rc == 0) rc = n = db_exec(r->db, "DELETE FROM document_files WHERE name = ?", DBP(DBS(name)));
    if (rc >= 0 && n > 0)
        rc = audit_record(r->db, r->me.id, "document_file", 0, "reset", before, NULL);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) db_rollback(r->db);
    json_decref(before);
    return rc < 0 ? reply_db_error(r, rc) : reply_empty(r, 204);
}

static int h_template_delete(req *r)
{
    const char *kind;
    doc_format f;
    if (path_kind_format(r, &kind, &f) < 0) return 0;
    return remove_file(r, arena_printf(&r->a, "%s.%s", kind, doc_format_name(f)));
}

static int h_template_preview(req *r)
{
    const char *kind = r->params[0];
    doc_format f;
    if (!doc_kind_known(kind)) return reply_not_found(r);
    const char *fs = req_query(r, "format"), *lang = req_query(r, "lang");
    if (doc_format_parse(fs ? fs : "pdf", &f) < 0) {
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("format", "invalid", "must be pdf, docx or xlsx"));
        return reply_invalid(r, errs);
    }
    const char *lines = req_query(r, "lines");
    int64_t nl = 3;
    if (lines && (!tf_parse_i64(lines, &nl) || nl < 0 || nl > 1000)) {
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("lines", "out_of_range", "must be 0 to 1000"));
        return reply_invalid(r, errs);
    }
    json_t *m = doc_sample_model(kind, lang && strncmp(lang, "en", 2) == 0 ? "en" : "zh-CN", (int)nl);
    char *out, err[400];
    size_t len;
    int rc = doc_render(r->db, &r->a, m, f, &out, &len, err, sizeof(err));
    json_decref(m);
    if (rc < 0) return reply_problem(r, 422, "validation_failed", "%s", err);
    return send_file(r, doc_media_type(f),
                     arena_printf(&r->a, "%s-preview.%s", kind, doc_format_name(f)), out, len);
}

static int h_logo_get(req *r)
{
    size_t len;
    char *data = stored_file(r, "logo.png", &len, NULL);
    if (!data) return reply_not_found(r);
    r->cache_control = "private, no-store";
    return reply_raw(r, 200, "image/png", data, len);
}

static int h_logo_put(req *r)
{
    unsigned w, h;
    if (!doc_png_size((const unsigned char *)r->body, r->body_len, &w, &h)) {
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("file", "invalid", "must be a PNG image"));
        return reply_invalid(r, errs);
    }
    json_t *after = json_pack("{s:s, s:I, s:i, s:i}", "name", "logo.png", "size",
                              (json_int_t)r->body_len, "width", (int)w, "height", (int)h);
    int rc = store(r, "logo.png", "image/png", upload_filename(r, "logo.png"), after);
    json_decref(after);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:I, s:i, s:i}", "size", (json_int_t)r->body_len,
                                        "width", (int)w, "height", (int)h));
}

static int h_logo_delete(req *r)
{
    return remove_file(r, "logo.png");
}

const route document_templates_routes[] = {
    {"GET", "/api/v1/document-templates", h_templates_list, "documents.templates", 0,
     "Printable document templates per kind and format: built-in or uploaded (custom), and the"
     " company logo",
     NULL},
    {"POST", "/api/v1/document-templates/{kind}/preview", h_template_preview,
     "documents.templates", 0,
     QUERY("format=pdf|docx|xlsx lang=en|zh-CN lines=int")
     "A sample document rendered with the stored template (or the built-in one)",
     NULL},
    {"GET", "/api/v1/document-templates/{kind}/{format}", h_template_get, "documents.templates", 0,
     "Download the template in use (the uploaded one, else the built-in one to start from): a"
     " DOCX with {{placeholders}}, or the layout (JSON) of XLSX and PDF",
     NULL},
    {"PUT", "/api/v1/document-templates/{kind}/{format}", h_template_put, "documents.templates",
     DOC_TEMPLATE_MAX,
     QUERY("filename") REPLIES("422")
     "Upload a template (the file is the body); checked first: a broken or unknown placeholder"
     " is refused with 422 naming it",
     "*/*"},
    {"DELETE", "/api/v1/document-templates/{kind}/{format}", h_template_delete,
     "documents.templates", 0, "Go back to the built-in template", NULL},
    {"GET", "/api/v1/company-logo", h_logo_get, "documents.templates", 0,
     "The company logo printed on documents (PNG)", NULL},
    {"PUT", "/api/v1/company-logo", h_logo_put, "documents.templates", DOC_LOGO_MAX,
     QUERY("filename") REPLIES("422") "Upload the company logo (a PNG of at most 256 KB, the body)",
     "image/png"},
    {"DELETE", "/api/v1/company-logo", h_logo_delete, "documents.templates", 0,
     "Remove the company logo", NULL},
    ROUTES_END,
};
