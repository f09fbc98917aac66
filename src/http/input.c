/* input.c — reading what a request carries: path parameters, query string,
 * headers, paging, and checking a JSON body against a field spec (types,
 * lengths, required, unknown fields) so handlers work on checked values. */
#include "http/http.h"
#include "base/util.h"
#include <microhttpd.h>
#include <string.h>

json_t *field_error(const char *name, const char *code, const char *message)
{
    return json_pack("{s:s, s:s, s:s}", "field", name, "code", code, "message", message);
}

static const char *type_name(ftype t)
{
    switch (t) {
    case F_STR: return "a string";
    case F_INT: return "an integer";
    case F_BOOL: return "true or false";
    case F_OBJ: return "an object";
    case F_ARR: return "an array";
    default: return "a value";
    }
}

static bool type_ok(json_t *v, ftype t)
{
    switch (t) {
    case F_STR: return json_is_string(v);
    case F_INT: return json_is_integer(v);
    case F_BOOL: return json_is_boolean(v);
    case F_OBJ: return json_is_object(v);
    case F_ARR: return json_is_array(v);
    default: return true;
    }
}

void input_check_obj(json_t *obj, const field *spec, const char *prefix, json_t *errs)
{
    char name[160];
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const field *f = spec;
        while (f->name && strcmp(f->name, key) != 0) f++;
        if (!f->name) {
            /* quote at most 120 bytes of the key, cut on a character boundary:
             * half a UTF-8 character would make the error itself unbuildable */
            int n = 0;
            for (int i = 0; key[i] && i <= 120; i++)
                if ((key[i] & 0xC0) != 0x80) n = i;
            if (strlen(key) <= 120) n = (int)strlen(key);
            snprintf(name, sizeof(name), "%s%.*s", prefix, n, key);
            json_array_append_new(errs, field_error(name, "unknown_field", "is not a known field"));
        }
    }
    for (const field *f = spec; f->name; f++) {
        snprintf(name, sizeof(name), "%s%s", prefix, f->name);
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->flags & F_REQ)
                json_array_append_new(errs, field_error(name, "required", "is required"));
            else if (v && !(f->flags & F_NULL))
                json_array_append_new(errs, field_error(name, "not_nullable", "may not be null"));
            continue;
        }
        if (!type_ok(v, f->type)) {
            char msg[64];
            snprintf(msg, sizeof(msg), "must be %s", type_name(f->type));
            json_array_append_new(errs, field_error(name, "wrong_type", msg));
            continue;
        }
        if (f->type == F_STR) {
            size_t n = tf_utf8_len(json_string_value(v));
            int64_t max = f->max ? f->max : 200;
            if ((int64_t)n > max) {
                char msg[64];
                snprintf(msg, sizeof(msg), "must be at most %lld characters", (long long)max);
                json_array_append_new(errs, field_error(name, "too_long", msg));
            } else if ((int64_t)n < f->min) {
                json_array_append_new(errs, field_error(name, f->min == 1 ? "required" : "too_short",
                                                        f->min == 1 ? "may not be empty"
                                                                    : "is too short"));
            }
        } else if (f->type == F_INT) {
            json_int_t i = json_integer_value(v);
            if (i < f->min || (f->max && i > f->max)) {
                char msg[96];
                if (f->max)
                    snprintf(msg, sizeof(msg), "must be between %lld and %lld", (long long)f->min,
                             (long long)f->max);
                else
                    snprintf(msg, sizeof(msg), "must be at least %lld", (long long)f->min);
                json_array_append_new(errs, field_error(name, "out_of_range", msg));
            }
        } else if (f->type == F_ARR && f->max && (int64_t)json_array_size(v) > f->max) {
            char msg[64];
            snprintf(msg, sizeof(msg), "may hold at most %lld items", (long long)f->max);
            json_array_append_new(errs, field_error(name, "too_many", msg));
        }
    }
}

int input_check(req *r, const field *spec)
{
    if (!r->in) {
        reply_problem(r, 400, "bad_request", "a JSON object body is required");
        return -1;
    }
    json_t *errs = json_array();
    input_check_obj(r->in, spec, "", errs);
    if (json_array_size(errs) > 0) {
        reply_invalid(r, errs);
        return -1;
    }
    json_decref(errs);
    return 0;
}

bool in_has(const req *r, const char *name)
{
    return r->in && json_object_get(r->in, name) != NULL;
}

const char *in_str(const req *r, const char *name)
{
    return r->in ? json_string_value(json_object_get(r->in, name)) : NULL;
}

int64_t in_int(const req *r, const char *name, int64_t dflt)
{
    json_t *v = r->in ? json_object_get(r->in, name) : NULL;
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool in_bool(const req *r, const char *name, bool dflt)
{
    json_t *v = r->in ? json_object_get(r->in, name) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int64_t req_id(const req *r, int idx)
{
    int64_t v;
    if (idx < 0 || idx >= r->nparams || !tf_parse_i64(r->params[idx], &v) || v <= 0) return -1;
    return v;
}

const char *req_query(const req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

const char *req_header(const req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, name);
}

int req_page(req *r, int *limit, int64_t *cursor)
{
    const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
    int64_t v;
    *limit = PAGE_DEFAULT;
    *cursor = 0;
    if (l && *l) {
        if (!tf_parse_i64(l, &v) || v < 1 || v > PAGE_MAX) {
            reply_problem(r, 400, "bad_request", "limit must be an integer from 1 to %d", PAGE_MAX);
            return -1;
        }
        *limit = (int)v;
    }
    if (c && *c) {
        if (!tf_parse_i64(c, &v) || v < 0) {
            reply_problem(r, 400, "bad_request", "cursor is not one this server gave out");
            return -1;
        }
        *cursor = v;
    }
    return 0;
}
