/* fuzz_query.c — libFuzzer target for the query-string parsers of the
 * lists: the paging parameters (req_page in http/input.c) and the customer
 * list's filters (customer_filter_from_query in customers/customer_filter.c,
 * with one custom field of each type). The input is the query string as it
 * arrives (a=b&c=d, %XX escapes), read through fake_http.c. Asserts: a page
 * is within 1..PAGE_MAX with a cursor >= 0, or a 400 naming its reason; a
 * filter is within its limits (parts, bound values), or a 400 naming the
 * parameter; the same filters as a JSON object (saved views) parse to the
 * same parts; and every value that the number and time parsers the lists
 * share accept (tf_parse_i64, tf_ts_parse) reads back the same once written
 * out. An input starting with '{' is instead a JSON filter object as a
 * batch body or a saved view sends it (customer_filter_from_json: numbers,
 * booleans, arrays): accepted within the limits, or refused with errors
 * that each name a field under the body's prefix. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "base/util.h"
#include "customers/customers.h"
#include "fake_http.h"

static void refused_with_reason(void)
{
    if (fake_status != 400 || strcmp(fake_code, "bad_request") != 0 || !fake_detail[0]) abort();
}

static enum MHD_Result check_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)cls, (void)kind, (void)key;
    int64_t n, back;
    time_t t, t2;
    if (tf_parse_i64(value, &n)) {
        char buf[24];
        *tf_put_i64(buf, n) = 0;
        if (!tf_parse_i64(buf, &back) || back != n) abort();
    }
    if (value && strlen(value) <= 64 && tf_ts_parse(value, &t)) {
        char ts[TF_TS_LEN];
        tf_ts(ts, t);
        if (!tf_ts_parse(ts, &t2) || t2 != t) abort();
    }
    return MHD_YES;
}

static void json_filter(req *r, const uint8_t *data, size_t size)
{
    json_t *src = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(src)) {
        json_decref(src);
        return;
    }
    customer_filter f;
    json_t *errs = json_array();
    if (customer_filter_from_json(r, src, "filter.", &f, errs) == 0) {
        if (json_array_size(errs) || f.n > CUSTOMER_FILTER_PARTS || f.too_many) abort();
    } else {
        size_t i;
        json_t *e;
        if (json_array_size(errs) == 0) abort();
        json_array_foreach(errs, i, e)
        {
            const char *name = json_string_value(json_object_get(e, "field"));
            if (!name || strncmp(name, "filter", 6) != 0 ||
                !json_string_value(json_object_get(e, "message")))
                abort();
        }
    }
    json_decref(errs);
    json_decref(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    req r = {0};
    arena_init(&r.a);
    r.me.id = 7;
    if (size && data[0] == '{') {
        json_filter(&r, data, size);
        arena_free(&r.a);
        return 0;
    }
    fake_start((const char *)data, size);

    MHD_get_connection_values(NULL, MHD_GET_ARGUMENT_KIND, check_value, NULL);

    int limit = -1;
    int64_t cursor = -1;
    if (req_page(&r, &limit, &cursor) == 0) {
        if (fake_status || limit < 1 || limit > PAGE_MAX || cursor < 0) abort();
    } else {
        refused_with_reason();
    }

    fake_status = 0;
    customer_filter f;
    if (customer_filter_from_query(&r, &f) == 0) {
        if (fake_status || f.n > CUSTOMER_FILTER_PARTS || f.too_many || !json_is_object(f.given))
            abort();
        int nvals = 0;
        for (int i = 0; i < f.n; i++) {
            if (!f.part[i].sql || f.part[i].np < 0 || f.part[i].np > 2) abort();
            nvals += f.part[i].np;
        }
        if (nvals != f.nvals) abort();
        if (f.norm_q && !*f.norm_q) abort();
        /* a saved view stores the same filters as JSON: they parse the same */
        customer_filter g;
        json_t *errs = json_array();
        if (customer_filter_from_json(&r, f.given, "filter.", &g, errs) != 0 || g.n != f.n ||
            g.nvals != f.nvals || json_array_size(errs) != 0)
            abort();
        json_decref(errs);
        customer_filter_free(&f);
    } else {
        refused_with_reason();
        if (f.given || f.n) abort();
    }
    arena_free(&r.a);
    fake_end();
    return 0;
}
