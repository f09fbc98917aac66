/* reply.c — building responses: JSON, problem+json (RFC 9457) with the stable
 * error codes listed here, in the language of the request (title, details and
 * field messages through core/i18n.c's catalogue), pages of a collection,
 * database error mapping. */
#include "http/http.h"
#include "core/i18n.h"
#include "base/log.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Stable machine codes (the `code` member of every problem reply):
 *   bad_request, invalid_json, too_deep, unsupported_media_type, payload_too_large,
 *   validation_failed, unauthorized, csrf_missing, forbidden, not_found,
 *   method_not_allowed, conflict, version_conflict, duplicate, in_use, throttled,
 *   unavailable, internal                                                          */

/* The language every problem reply is written in: titles by status, field
 * messages and details through the catalogue (core/i18n.c), by their English
 * text; codes stay as they are. What the catalogue lacks stays English. */
tf_lang i18n_req_lang(struct req *r)
{
    if (r->signed_in && r->me.lang && *r->me.lang) return i18n_lang(r->me.lang);
    tf_lang l;
    if (r->conn && i18n_accept_language(req_header(r, "Accept-Language"), &l)) return l;
    if (r->signed_in && r->me.locale) return i18n_lang(r->me.locale);
    return LANG_EN;
}

int reply_json(req *r, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (r->resp_fd > 0) { /* a file reply replaced by this one */
        close(r->resp_fd);
        r->resp_fd = 0;
    }
    if (!s) return reply_problem(r, 500, "internal", "could not encode the reply");
    r->status = status;
    r->resp_len = strlen(s);
    r->resp = arena_strndup(&r->a, s, r->resp_len);
    free(s);
    if (!r->resp_type) r->resp_type = "application/json";
    return 0;
}

int reply_json_plus(req *r, int status, json_t *body, const char *member, char *raw, size_t len)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s || !raw) {
        free(s);
        free(raw);
        return reply_problem(r, 500, "internal", "could not encode the reply");
    }
    /* body is an object: `{...}` becomes `{...,"member":raw}` */
    size_t bl = strlen(s), ml = strlen(member);
    char *out = arena_alloc_raw(&r->a, bl + ml + len + 5), *o = out;
    memcpy(o, s, bl - 1);
    o += bl - 1;
    if (bl > 2) *o++ = ',';
    *o++ = '"';
    memcpy(o, member, ml);
    o += ml;
    *o++ = '"';
    *o++ = ':';
    memcpy(o, raw, len);
    o += len;
    *o++ = '}';
    free(s);
    free(raw);
    if (r->resp_fd > 0) {
        close(r->resp_fd);
        r->resp_fd = 0;
    }
    r->status = status;
    r->resp = out;
    r->resp_len = (size_t)(o - out);
    if (!r->resp_type) r->resp_type = "application/json";
    return 0;
}

int reply_empty(req *r, int status)
{
    r->status = status;
    r->resp = NULL;
    r->resp_len = 0;
    return 0;
}

int reply_raw(req *r, int status, const char *content_type, const char *data, size_t len)
{
    r->status = status;
    r->resp_type = content_type;
    r->resp = (char *)data;
    r->resp_len = len;
    return 0;
}

int reply_file(req *r, int status, const char *content_type, int fd, size_t size)
{
    if (r->resp_fd > 0) close(r->resp_fd);
    r->status = status;
    r->resp_type = content_type;
    r->resp = NULL;
    r->resp_len = size;
    r->resp_fd = fd;
    return 0;
}

/* A detail quoting the input cut at a byte count may end inside a
 * character: such bytes become '?' (in a copy), so the reply can still be
 * encoded. */
static const char *encodable(req *r, const char *detail)
{
    if (!detail || tf_utf8_valid(detail, strlen(detail))) return detail;
    char *copy = arena_strdup(&r->a, detail);
    unsigned char *p = (unsigned char *)copy, *e = p + strlen(copy);
    while (p < e) {
        size_t k = tf_utf8_seq(p, e);
        if (k == 0)
            *p++ = '?';
        else
            p += k;
    }
    return copy;
}

/* The problem reply with its detail already in lang; the field errors'
 * messages are put in lang here. */
static int problem_in(req *r, tf_lang lang, int status, const char *code, const char *detail,
                      json_t *extra)
{
    detail = encodable(r, detail);
    json_t *o =
        json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", arena_printf(&r->a, "about:blank#%s", code),
                  "title", i18n_status_title(lang, status), "status", status, "code", code,
                  "detail", detail ? detail : "");
    if (extra) {
        json_t *errs = json_object_get(extra, "errors"), *e;
        size_t i;
        if (lang != LANG_EN) json_array_foreach(errs, i, e)
            {
                const char *m = json_string_value(json_object_get(e, "message"));
                const char *t = m ? i18n_text(&r->a, lang, encodable(r, m)) : NULL;
                if (t && t != m) json_object_set_new(e, "message", json_string(t));
            }
        json_object_update(o, extra);
        json_decref(extra);
    }
    r->resp_type = "application/problem+json";
    return reply_json(r, status, o);
}

int reply_problem_with(req *r, int status, const char *code, const char *detail, json_t *extra)
{
    tf_lang lang = i18n_req_lang(r);
    return problem_in(r, lang, status, code, i18n_text(&r->a, lang, encodable(r, detail)), extra);
}

static int problem(req *r, int status, const char *code, const char *detail, json_t *errors)
{
    return reply_problem_with(r, status, code, detail,
                              errors ? json_pack("{s:o}", "errors", errors) : NULL);
}

int reply_problem(req *r, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = arena_vprintf(&r->a, fmt, ap);
    va_end(ap);
    return problem(r, status, code, detail, NULL);
}

int reply_invalid(req *r, json_t *errors)
{
    tf_lang lang = i18n_req_lang(r);
    const char *first = i18n_text(&r->a, lang, "the request has invalid fields");
    json_t *e0 = json_array_get(errors, 0);
    if (e0) {
        const char *f = json_string_value(json_object_get(e0, "field"));
        const char *m = json_string_value(json_object_get(e0, "message"));
        if (f && m)
            first = arena_printf(&r->a, lang == LANG_ZH ? "%s：%s" : "%s: %s", f,
                                 i18n_text(&r->a, lang, encodable(r, m)));
    }
    return problem_in(r, lang, 422, "validation_failed", first,
                      json_pack("{s:o}", "errors", errors));
}

int reply_db_error(req *r, int rc)
{
    const char *msg = r->db ? db_errmsg(r->db) : "no connection";
    switch (rc) {
    case DB_EUNIQUE:
        return reply_problem(r, 409, "duplicate", "a record with the same unique value exists");
    case DB_EFK:
        return reply_problem(r, 409, "in_use", "the change conflicts with related records (%s)",
                             "constraint");
    case DB_EBUSY:
    case DB_ECONN:
        tf_log("warn", "db busy/conn path=%s err=\"%s\"", r->path, msg);
        return reply_problem(r, 503, "unavailable", "the database is busy; try again");
    default:
        tf_log("error", "db error path=%s err=\"%s\"", r->path, msg);
        return reply_problem(r, 500, "internal", "internal error");
    }
}

int reply_not_found(req *r)
{
    return reply_problem(r, 404, "not_found", "no such record");
}

int reply_forbidden(req *r)
{
    return reply_problem(r, 403, "forbidden", "you may not do this");
}

int reply_conflict_version(req *r, int64_t current_version)
{
    tf_lang lang = i18n_req_lang(r);
    json_t *o = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:I}", "type", "about:blank#version_conflict", "title",
        i18n_status_title(lang, 409), "status", 409, "code", "version_conflict", "detail",
        i18n_text(&r->a, lang, "someone else changed this record; reload it and try again"),
        "current_version", (json_int_t)current_version);
    r->resp_type = "application/problem+json";
    return reply_json(r, 409, o);
}

char *page_members_text(req *r, const db_res *res, int n, bool more, const char *id_field,
                        size_t *len)
{
    const char *next = NULL;
    if (more && n > 0) {
        const db_val *id = db_cell(res, n - 1, id_field);
        if (id && id->t == DBV_INT) next = arena_printf(&r->a, "\"%lld\"", (long long)id->i);
    }
    size_t il = 0;
    char *items = db_rows_text(res, n, &il);
    if (!items) return NULL;
    /* "items":ITEMS,"next_cursor":NEXT by copying (printf with a long %s
     * costs more than the page itself) */
    static const char head[] = "\"items\":", mid[] = ",\"next_cursor\":";
    const char *nx = next ? next : "null";
    size_t hl = sizeof(head) - 1, ml = sizeof(mid) - 1, nl = strlen(nx);
    char *out = arena_alloc_raw(&r->a, hl + il + ml + nl + 1), *o = out;
    memcpy(o, head, hl);
    memcpy(o += hl, items, il);
    memcpy(o += il, mid, ml);
    memcpy(o += ml, nx, nl);
    free(items);
    *len = hl + il + ml + nl;
    return out;
}

int reply_page_rows(req *r, const db_res *res, int limit, const char *id_field)
{
    int n = res->nrows > limit ? limit : res->nrows;
    size_t len = 0;
    char *page = page_members_text(r, res, n, res->nrows > limit, id_field, &len);
    if (!page) return reply_problem(r, 500, "internal", "could not encode the reply");
    char *body = arena_alloc_raw(&r->a, len + 3);
    body[0] = '{';
    memcpy(body + 1, page, len);
    body[len + 1] = '}';
    if (r->resp_fd > 0) {
        close(r->resp_fd);
        r->resp_fd = 0;
    }
    r->status = 200;
    r->resp = body;
    r->resp_len = len + 2;
    if (!r->resp_type) r->resp_type = "application/json";
    return 0;
}

int reply_page(req *r, json_t *items, int limit, const char *id_field)
{
    json_t *next = json_null();
    size_t n = json_array_size(items);
    if (n > (size_t)limit) {
        /* one extra row was fetched to learn whether there is a next page */
        json_array_remove(items, n - 1);
        json_t *last = json_array_get(items, n - 2);
        json_t *id = json_object_get(last, id_field);
        if (json_is_integer(id)) {
            json_decref(next);
            next = json_string(arena_printf(&r->a, "%lld", (long long)json_integer_value(id)));
        }
    }
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
