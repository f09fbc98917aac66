/* fuzz_input_check.c — libFuzzer target for the JSON body checks every
 * handler makes (input_check / input_check_obj in http/input.c). The first
 * bytes of the input choose a field spec (names, types, flags, limits), the
 * rest is the body, parsed as the dispatcher parses it (duplicates refused).
 * Asserts: every refusal is a 422 whose errors each name a field, a known
 * code and a message; an unknown key, a missing required field and a value
 * of the wrong type are always refused; a body that passes has every field
 * within its spec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fake_http.h"

static const char *const names[] = {"name", "phone", "amount", "tags", "note", "active", "steps",
                                    "名称"};
enum { NNAMES = sizeof(names) / sizeof(names[0]) };

static bool code_known(const char *c)
{
    static const char *const codes[] = {"unknown_field", "required",     "not_nullable",
                                        "wrong_type",    "too_long",     "too_short",
                                        "out_of_range",  "too_many",     NULL};
    for (int i = 0; c && codes[i]; i++)
        if (strcmp(c, codes[i]) == 0) return true;
    return false;
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

/* Checks errs (all well-formed) against what obj must or may have. */
static void check(json_t *obj, const field *spec, const char *prefix, json_t *errs)
{
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        const char *fname = json_string_value(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (!fname || strncmp(fname, prefix, strlen(prefix)) != 0 ||
            !code_known(json_string_value(json_object_get(e, "code"))) || !msg || !*msg)
            abort();
    }
    bool must_refuse = false;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const field *f = spec;
        while (f->name && strcmp(f->name, key) != 0) f++;
        if (!f->name) must_refuse = true;
    }
    for (const field *f = spec; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->flags & F_REQ) must_refuse = true;
            continue;
        }
        if (!type_ok(v, f->type)) must_refuse = true;
        if (json_array_size(errs) == 0 && f->type == F_STR) {
            int64_t n = (int64_t)tf_utf8_len(json_string_value(v));
            if (n > (f->max ? f->max : 200) || n < f->min) abort();
        }
        if (json_array_size(errs) == 0 && f->type == F_INT) {
            json_int_t n = json_integer_value(v);
            if (n < f->min || (f->max && n > f->max)) abort();
        }
    }
    if (must_refuse && json_array_size(errs) == 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 70000) return 0;
    /* the spec: n fields of 3 bytes each (name, type and flags, limits) */
    int n = data[0] % 6;
    if (size < 1 + 3 * (size_t)n) return 0;
    field spec[7];
    for (int i = 0; i < n; i++) {
        const uint8_t *b = data + 1 + 3 * i;
        spec[i] = (field){names[b[0] % NNAMES], (ftype)(b[1] % 6), (unsigned)(b[1] >> 3) & 3,
                          b[2] >> 4, (b[2] & 15) - 2};
        if (spec[i].type == F_STR && spec[i].min < 0) spec[i].min = 0;
    }
    spec[n] = (field)FIELDS_END;
    size_t off = 1 + 3 * (size_t)n;

    req r = {0};
    arena_init(&r.a);
    fake_start("", 0);
    r.in = json_loadb((const char *)data + off, size - off, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(r.in)) {
        json_decref(r.in);
        r.in = NULL;
    }
    int rc = input_check(&r, spec);
    if (!r.in) {
        if (rc != -1 || fake_status != 400) abort();
    } else {
        json_t *errs = fake_errors ? fake_errors : json_array();
        if ((rc == 0) != (fake_status == 0) || (rc < 0 && (fake_status != 422 || !fake_errors)))
            abort();
        check(r.in, spec, "", errs);
        if (!fake_errors) json_decref(errs);
        /* a nested object (one step of a list) is checked the same, prefixed */
        json_t *nested = json_array();
        input_check_obj(r.in, spec, "steps[3].", nested);
        if (json_array_size(nested) != (fake_errors ? json_array_size(fake_errors) : 0)) abort();
        check(r.in, spec, "steps[3].", nested);
        json_decref(nested);
    }
    json_decref(r.in);
    fake_end();
    arena_free(&r.a);
    return 0;
}
