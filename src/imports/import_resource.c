/* import_resource.c — one row of a resource that gives its own row function
 * (every resource but customers, whose pass is import_rows.c): the row's
 * mapped cells as text, the kit's checks (cell length, a unique column's
 * duplicates within the file), then the resource's checks and write; its
 * errors become the row's report lines. */
#include "imports/import_pass.h"
#include "base/textsearch.h"
#include "base/util.h"
#include <string.h>

int import_resource_row(pass *p, const imp_row *row)
{
    int rc = import_ragged(p, row);
    if (rc) return rc;
    json_t *f = json_object(), *errs = json_array();
    int nerr = 0;
    for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS && rc >= 0; i++) {
        const col_map *m = &p->cols[i];
        if (!m->target || !m->t) continue;
        const char *v = import_clean(p->a, i < row->ncells ? row->cells[i] : "");
        if (!*v) continue;
        if ((int64_t)tf_utf8_len(v) > m->t->max) {
            nerr++;
            rc = import_log_error(p, row->row_no, m->target, "too_long",
                                  arena_printf(p->a, "is longer than %d characters", m->t->max));
            continue;
        }
        json_object_set_new(f, m->target, json_string(v));
    }
    /* a second row with the unique column's value (the first is the one imported) */
    const char *key = p->res->unique ? json_string_value(json_object_get(f, p->res->unique)) : NULL;
    const char *norm = key ? ts_normalize(p->a, key) : NULL;
    int64_t first = norm && *norm ? import_seen_check(&p->seen[0], norm, row->row_no) : 0;
    if (first && rc >= 0) {
        nerr++;
        rc = import_log_error(
            p, row->row_no, p->res->unique, "duplicate",
            arena_printf(p->a, "row %lld of this file has the same value", (long long)first));
    }
    if (!nerr && rc >= 0) rc = p->res->row(p->c, p->a, &p->me, p->job_id, p->dry, f, errs);
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        if (rc < 0) break;
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        rc = import_log_error(p, row->row_no, json_string_value(json_object_get(e, "field")),
                              code ? code : "invalid", msg ? msg : "is invalid");
        nerr++;
    }
    json_decref(f);
    json_decref(errs);
    if (rc < 0) return rc;
    if (!nerr && !p->dry) p->n.created++;
    return nerr ? 1 : 0;
}
