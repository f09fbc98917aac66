/* import_unknown.c — dictionary cells of an import: the item a cell names
 * (by name or English name; a region also as 浙江 / 杭州 / 浙江省杭州市,
 * dicts/regions.c), and what a column does with values its dictionary
 * lacks — refuse the row, leave the field empty, or add them to the
 * dictionary — with the tally of those values that the dry run shows
 * before anything is written (import_jobs.unknown_json). A run that adds
 * values reads the file once before its rows and adds them all in one
 * transaction, so every row then finds its item. */
#include "imports/import_pass.h"
#include "core/audit.h"
#include "base/util.h"
#include <string.h>

/* Loads the items of a dictionary kind once per pass. */
static dict_cache *dict_of(pass *p, const char *kind)
{
    for (int i = 0; i < p->ndicts; i++)
        if (strcmp(p->dicts[i].kind, kind) == 0) return &p->dicts[i];
    if (p->ndicts == 8) return NULL;
    dict_cache *d = &p->dicts[p->ndicts++];
    d->kind = kind;
    d->n = 0;
    db_res r;
    if (db_query(p->c, p->pa, &r,
                 "SELECT id, name, name_en FROM dict_items WHERE kind = ? AND retired = FALSE"
                 " ORDER BY sort, id LIMIT 5000",
                 DBP(DBS(kind))) < 0)
        r.nrows = 0;
    d->norm = arena_alloc(p->pa, sizeof(char *) * (size_t)(r.nrows * 2 + 1));
    d->id = arena_alloc(p->pa, sizeof(int64_t) * (size_t)(r.nrows * 2 + 1));
    for (int i = 0; i < r.nrows; i++) {
        static const char *const cols[] = {"name", "name_en"};
        for (int k = 0; k < 2; k++) {
            const char *v = db_get_text(&r, i, cols[k]);
            if (!v || !*v) continue;
            char *norm = ts_normalize(p->pa, v);
            int64_t id = db_get_int(&r, i, "id");
            int dup = -1;
            for (int j = 0; j < d->n; j++)
                if (strcmp(d->norm[j], norm) == 0) dup = j;
            if (dup >= 0) {
                if (d->id[dup] != id) d->id[dup] = -1;
                continue;
            }
            d->norm[d->n] = norm;
            d->id[d->n++] = id;
        }
    }
    return d;
}

int64_t import_dict_lookup(pass *p, const import_target *t, const char *v)
{
    if (strcmp(t->dict, "region") == 0) {
        if (!p->regions_loaded) {
            if (region_list_load(&p->regions, p->c, p->pa) < 0) return 0;
            p->regions_loaded = true;
        }
        return region_find(&p->regions, p->a, v);
    }
    dict_cache *d = dict_of(p, t->dict);
    const char *norm = ts_normalize(p->a, v);
    for (int k = 0; d && k < d->n; k++)
        if (strcmp(d->norm[k], norm) == 0) return d->id[k];
    return 0;
}

void import_tally(pass *p, col_map *m, const char *v)
{
    unknown_tally *t = m->tally;
    if (!t) t = m->tally = arena_alloc(p->pa, sizeof(unknown_tally));
    t->rows++;
    const char *norm = ts_normalize(p->a, v);
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->norm[i], norm) == 0) {
            t->count[i]++;
            return;
        }
    if (t->n == UNKNOWN_KEEP) return;
    t->value[t->n] = arena_strdup(p->pa, v);
    t->norm[t->n] = arena_strdup(p->pa, norm);
    t->count[t->n++] = 1;
}

static const char *const choice_names[] = {"refuse", "empty", "add"};

json_t *import_unknown_json(const pass *p)
{
    json_t *out = json_array();
    for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS; i++) {
        const col_map *m = &p->cols[i];
        if (!m->t || m->t->kind != TG_DICT || !m->tally) continue;
        json_t *vals = json_array();
        for (int k = 0; k < m->tally->n; k++)
            json_array_append_new(vals, json_pack("{s:s, s:I}", "value", m->tally->value[k],
                                                  "rows", (json_int_t)m->tally->count[k]));
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:o}", "column", m->header,
                                             "target", m->target, "choice",
                                             choice_names[m->on_unknown], "rows",
                                             (json_int_t)m->tally->rows, "values", vals));
    }
    return out;
}

int import_add_unknown(pass *p, imp_reader *rd, const char **fail)
{
    arena a;
    arena_init(&a);
    p->a = &a;
    imp_row row;
    imp_error err;
    int more, rc = 0;
    while ((more = imp_next(rd, &row, &err)) > 0) {
        for (int i = 0; i < p->header_cells && i < row.ncells && i < IMP_MAX_COLS; i++) {
            col_map *m = &p->cols[i];
            if (!m->t || m->t->kind != TG_DICT || m->on_unknown != UNKNOWN_ADD) continue;
            const char *v = import_clean(&a, row.cells[i]);
            if (*v && tf_utf8_len(v) <= 100 && import_dict_lookup(p, m->t, v) == 0)
                import_tally(p, m, v);
        }
        if (a.used_total > ((size_t)4 << 20)) { /* the row's strings are not needed */
            arena_free(&a);
            arena_init(&a);
        }
    }
    if (more < 0) *fail = arena_printf(p->pa, "the file cannot be read: %s", err.msg);
    bool any = false;
    for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS; i++)
        any |= p->cols[i].tally && p->cols[i].on_unknown == UNKNOWN_ADD;
    if (more < 0 || !any) goto out;
    if ((rc = db_begin(p->c)) < 0) goto out;
    for (int i = 0; rc >= 0 && i < p->header_cells && i < IMP_MAX_COLS; i++) {
        col_map *m = &p->cols[i];
        if (!m->tally || m->on_unknown != UNKNOWN_ADD) continue;
        for (int k = 0; rc >= 0 && k < m->tally->n; k++) {
            db_res r;
            /* a value seen twice in other spellings, or added meanwhile, is added once */
            if (import_dict_lookup(p, m->t, m->tally->value[k]) != 0) continue;
            rc = db_query(p->c, &a, &r,
                          "INSERT INTO dict_items(kind, name, sort) SELECT ?, ?, COALESCE(MAX(sort),"
                          " 0) + 1 FROM dict_items WHERE kind = ? RETURNING id",
                          DBP(DBS(m->t->dict), DBS(m->tally->value[k]), DBS(m->t->dict)));
            if (rc <= 0) break;
            json_t *after = json_pack("{s:s, s:s, s:s}", "kind", m->t->dict, "name",
                                      m->tally->value[k], "added_by",
                                      arena_printf(&a, "import #%lld", (long long)p->job_id));
            rc = audit_record(p->c, p->me.id, "dict_item", db_get_int(&r, 0, "id"), "create",
                              NULL, after);
            json_decref(after);
            /* the next lookups see it */
            p->ndicts = 0;
            p->regions_loaded = false;
        }
    }
    if (rc >= 0) rc = db_commit(p->c);
    if (rc < 0) db_rollback(p->c);
out:
    p->ndicts = 0;
    p->regions_loaded = false;
    p->a = NULL;
    arena_free(&a);
    return rc < 0 ? rc : *fail ? -1 : 0;
}
