/* import_api.c — the batch import API of every importable resource
 * (customers, products: import_jobs.h): upload, mapping (for customers with
 * a mode, an owner and a choice per dictionary column), dry run, run,
 * progress, the error report and deleting a job; the work itself is
 * import_run.c's. The right to import depends on the job's resource, so
 * the routes ask only for a signed-in user and each handler checks the
 * resource's permission (job_load, resource_of). */
#include "customers/customers.h"
#include "imports/import_jobs.h"
#include "imports/import_parse.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/settings.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "export/table.h"
#include "http/server.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http/download.h"

const job_def imports_job = {"imports", 60, import_housekeeping};

#define JOB_SELECT                                                                                 \
    "SELECT id, entity, user_id, filename, format, encoding, file_size, state, task, mode,"        \
    " owner_id,"                                                                                   \
    " confirm_duplicates, columns_json, sample_json, mapping_json, choices_json, unknown_json,"    \
    " total_rows, done_rows,"                                                                      \
    " created_rows, updated_rows, error_rows, duplicate_rows, message, created_at, updated_at,"    \
    " finished_at FROM import_jobs"

/* The job as the API shows it, with the first lines of its latest report;
 * NULL if there is no such job. Caller owns. */
static json_t *job_json(req *r, int64_t id)
{
    db_res res, e;
    if (db_query(r->db, &r->a, &res, JOB_SELECT " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    json_t *o = db_row_json(&res, 0);
    /* its one-line message in the reader's language (core/i18n.c) */
    const char *msg = db_get_text(&res, 0, "message");
    tf_lang lang = i18n_req_lang(r);
    if (msg && lang != LANG_EN)
        json_object_set_new(o, "message", json_string(i18n_text(&r->a, lang, msg)));
    const char *task = db_get_text(&res, 0, "task");
    const char *pass = task && strcmp(task, "run") == 0 ? "run" : "dry_run";
    json_t *errs = json_array();
    if (db_query(r->db, &r->a, &e,
                 "SELECT row_no, field, code, message FROM import_errors WHERE job_id = ?"
                 " AND pass = ? ORDER BY id LIMIT 20",
                 DBP(DBI(id), DBS(pass))) > 0) {
        json_decref(errs);
        errs = db_rows_json(&e);
    }
    json_object_set_new(o, "errors", errs);
    return o;
}

/* The resource ?entity= names (customer when absent) if the user may import
 * it; NULL after a reply. */
static const import_resource *resource_of(req *r)
{
    const char *e = req_query(r, "entity");
    const import_resource *res = import_resource_find(e && *e ? e : "customer");
    if (!res) {
        reply_problem(r, 400, "bad_request", "entity must be customer or product");
        return NULL;
    }
    if (!policy_allows(&r->me, res->perm)) {
        reply_problem(r, 403, "forbidden", "you may not import these records");
        return NULL;
    }
    return res;
}

/* The job's owner and state, after the policy check (the job's own and the
 * right to import its resource); 0, or -1 after a 404. *rs: its resource. */
static int job_load(req *r, int64_t id, bool change, db_res *res, const import_resource **rs)
{
    if (id <= 0 ||
        db_query(r->db, &r->a, res,
                 "SELECT entity, user_id, state, task, done_rows, columns_json, mapping_json FROM"
                 " import_jobs WHERE id = ?",
                 DBP(DBI(id))) <= 0 ||
        !policy_import_job_access(&r->me, db_get_int(res, 0, "user_id"), change) ||
        !(*rs = import_resource_find(db_get_text(res, 0, "entity"))) ||
        !policy_allows(&r->me, (*rs)->perm))
        return reply_not_found(r), -1;
    return 0;
}

/* 422 about the file: {field: "file", code, message, row, column}. */
static int reply_file_error(req *r, const imp_error *e)
{
    json_t *err = field_error("file", e->code, e->msg);
    if (e->row > 0) json_object_set_new(err, "row", json_integer(e->row));
    if (e->col >= 0) {
        char cn[8];
        imp_col_name(e->col, cn);
        json_object_set_new(err, "column", json_string(cn));
    }
    json_t *errs = json_array();
    json_array_append_new(errs, err);
    return reply_invalid(r, errs);
}

static int file_error(req *r, const char *code, const char *msg)
{
    imp_error e = {.col = -1};
    imp_fail(&e, 0, -1, code, "%s", msg);
    return reply_file_error(r, &e);
}

static const char *const upload_types[] = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
    NULL};

/* Text cut to n code points, in the arena. */
static char *cut(arena *a, const char *s, size_t n)
{
    size_t i = 0, cps = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++cps > n) break;
    return arena_strndup(a, s, i);
}

/* POST /imports?filename=NAME — the body is the file itself (CSV or XLSX).
 * Reads it through once: format, encoding, header, rows; refuses a file it
 * cannot import whole (422 naming the row), else stores it and answers with
 * the job, its columns, a sample and the mapping it suggests. */
static int h_imports_upload(req *r)
{
    const import_resource *rs = resource_of(r);
    if (!rs) return 0;
    const char *ct = req_header(r, "Content-Type");
    bool type_ok = false;
    for (int i = 0; ct && upload_types[i]; i++)
        type_ok |= strncasecmp(ct, upload_types[i], strlen(upload_types[i])) == 0;
    if (!type_ok)
        return reply_problem(r, 415, "unsupported_media_type",
                             "send the file itself as the body, as text/csv, the XLSX type or"
                             " application/octet-stream (not a form)");
    const char *filename = req_query(r, "filename");
    if (!filename || !*filename) filename = "upload";
    if (tf_utf8_len(filename) > 200 || strpbrk(filename, "/\\\r\n"))
        return reply_problem(r, 400, "bad_request",
                             "filename must be a plain name of at most 200"
                             " characters");
    if (r->body_len == 0) return file_error(r, "empty", "the file is empty");
    int64_t open_jobs = 0;
    db_scalar_int(r->db, &open_jobs, 0,
                  "SELECT COUNT(*) FROM import_jobs WHERE user_id = ? AND state <> 'done'",
                  DBP(DBI(r->me.id)));
    if (open_jobs >= IMPORT_OPEN_MAX)
        return reply_problem(r, 409, "conflict",
                             "you have %d unfinished imports, each keeping its file; run or"
                             " delete some first",
                             IMPORT_OPEN_MAX);
    imp_format fmt = imp_guess_format((const unsigned char *)r->body, r->body_len, filename, ct);
    FILE *f = import_tmpfile();
    if (!f || fwrite(r->body, 1, r->body_len, f) != r->body_len || fflush(f) != 0) {
        if (f) fclose(f);
        return reply_problem(r, 503, "unavailable", "no room for the file; try again later");
    }
    imp_reader *rd = NULL;
    imp_error err;
    imp_row row;
    int rc = imp_open(&rd, f, fmt, NULL, &err);
    if (rc == 0) rc = imp_next(rd, &row, &err);
    if (rc <= 0) {
        imp_close(rd);
        fclose(f);
        return rc == 0 ? file_error(r, "empty", "the file has no rows") : reply_file_error(r, &err);
    }
    /* the header: each column gets a unique, non-empty name */
    json_t *cols = json_array(), *seen = json_object(), *sample = json_array();
    for (int i = 0; i < row.ncells; i++) {
        const char *h = row.cells[i];
        while (*h == ' ' || *h == '\t')
            h++;
        char *name = arena_strdup(&r->a, h);
        for (size_t n = strlen(name); n && strchr(" \t\r\n", name[n - 1]); n--)
            name[n - 1] = 0;
        if (tf_utf8_len(name) > IMPORT_HEADER_MAX) {
            rc = imp_fail(&err, row.row_no, i, "header_too_long",
                          "row %lld: a column header is longer than %d characters",
                          (long long)row.row_no, IMPORT_HEADER_MAX);
            break;
        }
        if (!*name) {
            char cn[8];
            imp_col_name(i, cn);
            name = arena_printf(&r->a, "Column %s", cn);
        }
        char *unique = name;
        for (int k = 2; json_object_get(seen, unique); k++)
            unique = arena_printf(&r->a, "%s (%d)", name, k);
        json_object_set_new(seen, unique, json_true());
        json_array_append_new(cols, json_string(unique));
    }
    int64_t total = 0, ragged = 0;
    while (rc >= 0 && (rc = imp_next(rd, &row, &err)) > 0) {
        total++;
        bool extra = false;
        for (int i = (int)json_array_size(cols); i < row.ncells; i++)
            extra |= row.cells[i][0] != 0;
        ragged += extra || (fmt == IMP_CSV && row.ncells < (int)json_array_size(cols));
        if (json_array_size(sample) < 10) {
            json_t *s = json_array();
            for (int i = 0; i < row.ncells && i < (int)json_array_size(cols); i++)
                json_array_append_new(s, json_string(cut(&r->a, row.cells[i], 200)));
            json_array_append_new(sample, s);
        }
    }
    const char *encoding = arena_strdup(&r->a, imp_encoding(rd));
    imp_close(rd);
    json_decref(seen);
    if (rc < 0 || total == 0) {
        json_decref(cols);
        json_decref(sample);
        fclose(f);
        return rc < 0 ? reply_file_error(r, &err)
                      : file_error(r, "no_rows", "the file has a header row but no data rows");
    }
    char *cj = json_dumps(cols, JSON_COMPACT), *sj = json_dumps(sample, JSON_COMPACT);
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int64_t id = 0;
    rc = db_begin(r->db);
    if (rc >= 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO import_jobs(user_id, entity, filename, mode, state, total_rows,"
                      " format, encoding, file_size, columns_json, sample_json, created_at,"
                      " updated_at) VALUES (?, ?, ?, 'create', 'uploaded', ?, ?, ?, ?, ?,"
                      " ?, ?, ?) RETURNING id",
                      DBP(DBI(r->me.id), DBS(rs->entity), DBS(filename), DBI(total),
                          DBS(fmt == IMP_XLSX ? "xlsx" : "csv"), DBS(encoding),
                          DBI((int64_t)r->body_len), DBS(cj), DBS(sj), DBS(now), DBS(now)));
    free(cj);
    free(sj);
    json_decref(sample);
    if (rc > 0) {
        id = db_get_int(&res, 0, "id");
        rc = import_store_file(r->db, id, f);
    } else if (rc == 0) {
        rc = DB_ERR;
    }
    fclose(f);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(cols);
        return reply_db_error(r, rc);
    }
    bool remembered = false;
    json_t *o = job_json(r, id);
    json_object_set_new(o, "suggested_mapping",
                        import_suggest(rs, r->db, &r->a, r->me.id, cols, &remembered));
    json_object_set_new(o, "remembered", json_boolean(remembered));
    json_object_set_new(o, "ragged_rows", json_integer(ragged));
    json_decref(cols);
    return reply_json(r, 201, o);
}

/* Checks the owner a create import gives its customers: 0, or -1 after a
 * reply. *owner: the importer (absent), the pool (null) or a salesperson. */
static int import_owner(req *r, int64_t *owner, json_t *errs)
{
    json_t *ov = json_object_get(r->in, "owner_id");
    *owner = r->me.id;
    if (!ov) return 0;
    *owner = json_is_integer(ov) ? json_integer_value(ov) : 0;
    if (*owner == r->me.id) return 0;
    if (!policy_allows(&r->me, "customers.assign"))
        return reply_problem(r, 403, "forbidden", "you can only import customers for yourself"), -1;
    if (!*owner) return 0;
    int64_t ok = 0;
    db_scalar_int(r->db, &ok, 0,
                  "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                  " ('salesperson', 'sales_manager')",
                  DBP(DBI(*owner)));
    if (!ok || !policy_sees_owner(r->db, &r->me, *owner))
        json_array_append_new(
            errs, field_error("owner_id", "invalid", "must be an active salesperson you manage"));
    return 0;
}

/* PUT /imports/{id}/mapping {"mapping": {header: target|null}, "mode",
 * "owner_id"} — remembered for the user's next file with these headers. */
static int h_imports_mapping(req *r)
{
    static const field spec[] = {{"mapping", F_OBJ, F_REQ, 0, 0}, {"choices", F_OBJ, 0, 0, 0},
                                 {"mode", F_STR, 0, 20, 1},
                                 {"owner_id", F_INT, F_NULL, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    db_res job;
    const import_resource *rs;
    if (job_load(r, id, true, &job, &rs) < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    const char *mode = in_str(r, "mode");
    if (!mode) mode = "create";
    json_t *errs = json_array();
    bool create = strcmp(mode, "create") == 0, cust = rs == &import_customers;
    if (!cust && !create)
        json_array_append_new(errs, field_error("mode", "invalid", "must be create"));
    else if (!create && strcmp(mode, "update_by_number") && strcmp(mode, "update_by_phone"))
        json_array_append_new(errs, field_error("mode", "invalid",
                                                "must be create, update_by_number or"
                                                " update_by_phone"));
    int64_t owner = 0;
    if (!cust && json_object_get(r->in, "owner_id"))
        json_array_append_new(errs, field_error("owner_id", "invalid",
                                                "only imported customers have an owner"));
    else if (create && cust && import_owner(r, &owner, errs) < 0) {
        json_decref(errs);
        return 0;
    }
    json_t *cols = json_loads(db_get_text(&job, 0, "columns_json"), 0, NULL);
    json_t *map = json_object_get(r->in, "mapping"), *used = json_object(), *v;
    const char *h;
    json_object_foreach(map, h, v)
    {
        bool known = false;
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c) known |= strcmp(json_string_value(c), h) == 0;
        const char *fname = arena_printf(&r->a, "mapping.%s", h);
        const char *t = json_string_value(v);
        if (!known) {
            json_array_append_new(
                errs, field_error(fname, "unknown_column", "the file has no such column"));
        } else if (!json_is_null(v) && (!t || !import_target_valid(rs, r->db, &r->a, t, NULL))) {
            json_array_append_new(errs, field_error(fname, "invalid",
                                                    cust ? "is not a customer field that can be"
                                                           " imported"
                                                         : "is not a field that can be imported"));
        } else if (t && json_object_get(used, t)) {
            json_array_append_new(
                errs, field_error(fname, "duplicate", "another column is mapped to this field"));
        } else if (t && !create && strcmp(t, "protected") == 0) {
            json_array_append_new(errs, field_error(fname, "invalid",
                                                    "protection is not changed by an update"
                                                    " import"));
        } else if (t && !create && strncmp(t, "contact_", 8) == 0) {
            json_array_append_new(errs, field_error(fname, "invalid",
                                                    "contacts come in with new customers only"));
        } else if (t) {
            json_object_set_new(used, t, json_true());
        }
    }
    import_choices_check(r, rs, map, errs);
    /* what the resource and each mode need, and what the entry policy
     * requires of new customers */
    const char *need = !cust   ? NULL
                       : create ? "name"
                       : strcmp(mode, "update_by_number") == 0 ? "number"
                                                               : "phone";
    for (int k = -1; k < 0 || rs->required[k]; k++) {
        const char *t = k < 0 ? need : rs->required[k];
        if (t && !json_object_get(used, t))
            json_array_append_new(errs, field_error("mapping", "required",
                                                    arena_printf(&r->a, "map a column to %s", t)));
    }
    if (create && cust) {
        json_t *pol = settings_get(r->db, "customer_entry_policy"), *rq;
        size_t i;
        json_array_foreach(json_object_get(pol, "required"), i, rq)
        {
            const char *f = json_string_value(rq);
            size_t n = strlen(f);
            const char *t =
                n > 3 && strcmp(f + n - 3, "_id") == 0 ? arena_strndup(&r->a, f, n - 3) : f;
            if (!json_object_get(used, t))
                json_array_append_new(
                    errs, field_error("mapping", "required",
                                      arena_printf(&r->a,
                                                   "the entry policy requires %s: map a column"
                                                   " to it",
                                                   t)));
        }
        json_decref(pol);
        db_res cf;
        if (db_query(r->db, &r->a, &cf,
                     "SELECT key FROM custom_fields WHERE entity = 'customer' AND required = TRUE"
                     " AND retired = FALSE",
                     DBP0) > 0)
            for (int k = 0; k < cf.nrows; k++) {
                const char *t = arena_printf(&r->a, "custom.%s", db_get_text(&cf, k, "key"));
                if (!json_object_get(used, t))
                    json_array_append_new(errs, field_error("mapping", "required",
                                                            arena_printf(&r->a,
                                                                         "%s is required: map a"
                                                                         " column to it",
                                                                         t)));
            }
    }
    json_decref(used);
    if (json_array_size(errs)) {
        json_decref(cols);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    /* the full mapping (unmentioned columns: not imported), and the memory */
    json_t *full = json_object(), *memory = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        json_t *t = json_object_get(map, json_string_value(c));
        json_object_set_new(full, json_string_value(c), t ? json_incref(t) : json_null());
    }
    json_decref(cols);
    db_res m;
    if (db_query(r->db, &r->a, &m,
                 "SELECT mapping_json FROM import_mappings WHERE user_id = ? AND entity = ?",
                 DBP(DBI(r->me.id), DBS(rs->entity))) > 0)
        memory = json_loads(db_get_text(&m, 0, "mapping_json"), 0, NULL);
    json_t *mcols = json_object_get(memory, "columns");
    if (!json_is_object(mcols) || json_object_size(mcols) + json_object_size(full) > 500) {
        json_decref(memory);
        memory = json_pack("{s:{}}", "columns");
        mcols = json_object_get(memory, "columns");
    }
    json_object_update(mcols, full);
    json_t *ch = json_object_get(r->in, "choices");
    char *cj = ch ? json_dumps(ch, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *fj = json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS);
    char *mj = json_dumps(memory, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(full);
    json_decref(memory);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc >= 0)
        rc = db_exec(r->db,
                     "UPDATE import_jobs SET mapping_json = ?, mode = ?, owner_id = ?,"
                     " choices_json = ?, unknown_json = NULL,"
                     " state = 'mapped', task = NULL, message = NULL, done_rows = 0,"
                     " created_rows = 0, updated_rows = 0, error_rows = 0, duplicate_rows = 0,"
                     " updated_at = ? WHERE id = ? AND (state IN ('uploaded', 'mapped', 'checked')"
                     " OR (state = 'failed' AND done_rows = 0))",
                     DBP(DBS(fj), DBS(mode), owner ? DBI(owner) : DBNULL, DBS(cj), DBS(now),
                         DBI(id)));
    free(fj);
    free(cj);
    if (rc == 0) {
        free(mj);
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict",
                             "the import has started; its mapping can no longer change");
    }
    if (rc > 0) rc = db_exec(r->db, "DELETE FROM import_errors WHERE job_id = ?", DBP(DBI(id)));
    if (rc >= 0)
        rc = db_exec(r->db,
                     "INSERT INTO import_mappings(user_id, entity, mapping_json) VALUES (?,"
                     " ?, ?) ON CONFLICT (user_id, entity) DO UPDATE SET"
                     " mapping_json = excluded.mapping_json",
                     DBP(DBI(r->me.id), DBS(rs->entity), DBS(mj)));
    free(mj);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, job_json(r, id));
}

/* Queues a dry run or a run of a mapped job and wakes the worker: 202. */
static int queue(req *r, const char *task)
{
    int64_t id = req_id(r, 0);
    db_res job;
    const import_resource *rs;
    if (job_load(r, id, true, &job, &rs) < 0) return 0;
    bool confirm = false;
    if (strcmp(task, "run") == 0 && r->in) {
        static const field spec[] = {{"confirm_duplicates", F_BOOL, 0, 0, 0}, FIELDS_END};
        if (input_check(r, spec) < 0) return 0;
        confirm = in_bool(r, "confirm_duplicates", false);
    }
    char now[TF_TS_LEN];
    tf_now(now);
    /* a fresh pass from a mapped (or checked, or failed before any row) job */
    int rc = db_exec(r->db,
                     "UPDATE import_jobs SET state = 'queued', task = ?, confirm_duplicates = ?,"
                     " message = NULL, unknown_json = NULL, done_rows = 0, created_rows = 0, updated_rows = 0,"
                     " error_rows = 0, duplicate_rows = 0, updated_at = ? WHERE id = ? AND"
                     " mapping_json IS NOT NULL AND (state IN ('mapped', 'checked') OR"
                     " (state = 'failed' AND (task = 'dry_run' OR done_rows = 0)))",
                     DBP(DBS(task), DBB(confirm), DBS(now), DBI(id)));
    /* a run that failed midway goes on after its last batch */
    if (rc == 0 && strcmp(task, "run") == 0)
        rc = db_exec(r->db,
                     "UPDATE import_jobs SET state = 'queued', confirm_duplicates = ?,"
                     " message = NULL, updated_at = ? WHERE id = ? AND state = 'failed' AND"
                     " task = 'run'",
                     DBP(DBB(confirm), DBS(now), DBI(id)));
    if (rc < 0) return reply_db_error(r, rc);
    if (rc == 0) {
        const char *state = db_get_text(&job, 0, "state");
        return reply_problem(r, 409, "conflict", "%s",
                             strcmp(state, "uploaded") == 0
                                 ? "map the columns first (PUT .../mapping)"
                             : strcmp(state, "done") == 0
                                 ? "the import is done; upload the file again to import it again"
                                 : "the import is already queued or running");
    }
    import_worker_kick(tf_app.db);
    return reply_json(r, 202, job_json(r, id));
}

static int h_imports_dry_run(req *r)
{
    return queue(r, "dry_run");
}

static int h_imports_run(req *r)
{
    return queue(r, "run");
}

static int h_imports_get(req *r)
{
    db_res job;
    int64_t id = req_id(r, 0);
    const import_resource *rs;
    if (job_load(r, id, false, &job, &rs) < 0) return 0;
    json_t *o = job_json(r, id);
    /* someone watches a job that waits: wake this server's worker, which
     * takes it over if its runner went silent or is gone (a crash) */
    const char *st = json_string_value(json_object_get(o, "state"));
    if (st && (strcmp(st, "queued") == 0 || strcmp(st, "running") == 0))
        import_worker_kick(tf_app.db);
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

static int h_imports_list(req *r)
{
    int limit;
    int64_t cursor;
    const import_resource *rs = resource_of(r);
    if (!rs || req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, entity, filename, format, state, task, mode, total_rows,"
                      " done_rows, created_rows, updated_rows, error_rows, duplicate_rows, message,"
                      " created_at, updated_at, finished_at FROM import_jobs WHERE user_id = ?"
                      " AND entity = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                      DBP(DBI(r->me.id), DBS(rs->entity), DBI(cursor), DBI(cursor),
                          DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* The reader's language (core/i18n.h: their choice, the request's, their
 * locale): headers and values of the files. */
static bool zh(req *r)
{
    return i18n_req_lang(r) == LANG_ZH;
}

/* GET /imports/{id}/errors.csv — every rejected row of the latest dry run
 * or run: row, column (its header in the file), field, code, message. */
static int h_imports_errors(req *r)
{
    db_res job;
    int64_t id = req_id(r, 0);
    const import_resource *rs;
    if (job_load(r, id, false, &job, &rs) < 0) return 0;
    const char *task = db_get_text(&job, 0, "task");
    const char *pass = task && strcmp(task, "run") == 0 ? "run" : "dry_run";
    json_t *map = json_loads(
        db_get_text(&job, 0, "mapping_json") ? db_get_text(&job, 0, "mapping_json") : "{}", 0,
        NULL);
    xt_writer *w;
    if (xt_open(&w, XT_CSV, "errors") < 0) {
        json_decref(map);
        return reply_problem(r, 503, "unavailable", "no room to build the file; try again later");
    }
    static const char *const en[] = {"row", "column", "field", "code", "message"};
    static const char *const cn[] = {"行号", "列", "字段", "代码", "说明"};
    xt_row(w, zh(r) ? cn : en, 5);
    int64_t last = 0;
    int rc = 0;
    for (;;) {
        arena pa; /* a page at a time */
        arena_init(&pa);
        db_res e;
        rc = db_query(r->db, &pa, &e,
                      "SELECT id, row_no, field, code, message FROM import_errors WHERE"
                      " job_id = ? AND pass = ? AND id > ? ORDER BY id LIMIT 1000",
                      DBP(DBI(id), DBS(pass), DBI(last)));
        for (int i = 0; i < rc; i++) {
            const char *fld = db_get_text(&e, i, "field"), *column = NULL, *k;
            json_t *t;
            json_object_foreach(map, k, t)
            {
                if (fld && json_is_string(t) && strcmp(json_string_value(t), fld) == 0) column = k;
            }
            const char *cells[5] = {
                arena_printf(&pa, "%lld", (long long)db_get_int(&e, i, "row_no")), column, fld,
                db_get_text(&e, i, "code"), db_get_text(&e, i, "message")};
            xt_row(w, cells, 5);
            last = db_get_int(&e, i, "id");
        }
        arena_free(&pa);
        if (rc < 1000) break;
    }
    json_decref(map);
    if (rc < 0) {
        xt_abort(w);
        return reply_db_error(r, rc);
    }
    return reply_table(r, w, XT_CSV, arena_printf(&r->a, "import-%lld-errors", (long long)id));
}

/* DELETE /imports/{id} — forgets a job that is not running (and its file). */
static int h_imports_delete(req *r)
{
    db_res job;
    int64_t id = req_id(r, 0);
    const import_resource *rs;
    if (job_load(r, id, true, &job, &rs) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc >= 0) rc = db_exec(r->db, "DELETE FROM import_errors WHERE job_id = ?", DBP(DBI(id)));
    if (rc >= 0) rc = db_exec(r->db, "DELETE FROM import_chunks WHERE job_id = ?", DBP(DBI(id)));
    if (rc >= 0)
        rc = db_exec(r->db,
                     "DELETE FROM import_jobs WHERE id = ? AND state NOT IN ('queued', 'running')",
                     DBP(DBI(id)));
    if (rc == 0) {
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict", "the import is running; wait for it to end");
    }
    if (rc > 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

#define MAPPING_SCHEMA                                                                             \
    "{\"type\":\"object\",\"required\":[\"mapping\"],\"properties\":{\"mapping\":{\"type\":"       \
    "\"object\",\"additionalProperties\":{\"type\":[\"string\",\"null\"]}},\"mode\":{\"enum\":["   \
    "\"create\",\"update_by_number\",\"update_by_phone\"]},\"owner_id\":{\"type\":[\"integer\","   \
    "\"null\"]},\"choices\":{\"type\":\"object\",\"additionalProperties\":{\"enum\":["       \
    "\"refuse\",\"empty\",\"add\"]}}}}"

const route imports_routes[] = {
    {"POST", "/api/v1/imports", h_imports_upload, PERM_SIGNED_IN, IMPORT_BODY_MAX,
     QUERY("filename entity=customer|product")
     "Upload a CSV or XLSX file of customers or products (the file is the body; ?filename=,"
     " ?entity=customer by default; customers.import or products.manage): the job, its columns,"
     " a sample and a suggested mapping",
     "*/*"},
    {"GET", "/api/v1/imports", h_imports_list, PERM_SIGNED_IN, 0,
     QUERY("page entity=customer|product") "My import jobs of customers (or ?entity=product)",
     NULL},
    {"GET", "/api/v1/imports/{id}", h_imports_get, PERM_SIGNED_IN, 0,
     "An import job: state, progress, counts and the first errors", NULL},
    {"PUT", "/api/v1/imports/{id}/mapping", h_imports_mapping, PERM_SIGNED_IN, 256 * 1024,
     "Map the file's columns to fields (customers: mode create, update_by_number or"
     " update_by_phone, owner_id: a salesperson, or null for the pool; others: create)",
     MAPPING_SCHEMA},
    {"POST", "/api/v1/imports/{id}/dry-run", h_imports_dry_run, PERM_SIGNED_IN, 0,
     "Check every row (errors, duplicates) without writing; poll the job for the result", NULL},
    {"POST", "/api/v1/imports/{id}/run", h_imports_run, PERM_SIGNED_IN, 1024,
     "Import the file in the background (confirm_duplicates: import rows that look like"
     " duplicates); poll the job for progress",
     "{\"type\":\"object\",\"properties\":{\"confirm_duplicates\":{\"type\":\"boolean\"}}}"},
    {"GET", "/api/v1/imports/{id}/errors.csv", h_imports_errors, PERM_SIGNED_IN, 0,
     "The error report of the latest dry run or run, as CSV", NULL},
    {"DELETE", "/api/v1/imports/{id}", h_imports_delete, PERM_SIGNED_IN, 0,
     "Delete an import job that is not running, and its file", NULL},
    ROUTES_END,
};
