/* project_pipeline.c — the pipeline board (kanban by stage) and the
 * weighted pipeline (amount × probability) per salesperson, department or
 * stage. Built for 200,000 projects (bench/data/projects.sh measures it): a
 * board column is read page by page, newest first, each branch of the
 * user's visibility (policy_projects.c) as its own page over the
 * (template_id, stage, owner_id, id) or (template_id, stage, id, owner_id)
 * index, merged; the cards' stage names come from a process-wide cache of
 * the (immutable) template versions; the summary per owner or department
 * is one aggregate over project_pipeline_totals (per owner and template,
 * migrations/005_projects.*) and the column totals per stage one over
 * project_stage_totals (per owner, template and stage, 008_project_speed.*),
 * both kept by triggers on projects, so their cost follows the number of
 * owners, not of projects. Moving a card is POST /projects/{id}/stage
 * (project_process.c). */
#include "projects/projects.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BOARD_PAGE_DEFAULT 20

/* The board's owner filter: 0 none, or "me" / "unassigned" / a user id. */
typedef struct owner_filter {
    bool set, unassigned;
    int64_t id;
} owner_filter;

static int owner_parse(req *r, owner_filter *of)
{
    const char *o = req_query(r, "owner");
    memset(of, 0, sizeof(*of));
    if (!o || !*o) return 0;
    of->set = true;
    if (strcmp(o, "me") == 0)
        of->id = r->me.id;
    else if (strcmp(o, "unassigned") == 0)
        of->unassigned = true;
    else if (!tf_parse_i64(o, &of->id) || of->id < 1) {
        reply_problem(r, 400, "bad_request", "owner must be me, unassigned or a user id");
        return -1;
    }
    return 0;
}

/* One page of a column: projects of template tid at `stage` that u sees,
 * id < cursor (0: from the newest), at most limit + 1 rows. Each visibility
 * branch reads its own newest limit + 1 through an index; the union's
 * newest limit + 1 are the page. */
static int column_page(req *r, const project_branches *br, int64_t tid, const char *stage,
                       const owner_filter *of, int limit, int64_t cursor, db_res *out)
{
    sqlq q;
    /* keyset: a plain `id < ?` bounds the index range (no cursor: from the top) */
    int64_t below = cursor > 0 ? cursor : INT64_MAX;
    sqlq_init(&q, &r->a, PROJECT_LIST_COLS " WHERE p.id IN (");
    for (int i = 0; i < br->n; i++) {
        sqlq_add(&q, i ? " UNION SELECT b.id FROM (" : "SELECT b.id FROM (", 0, NULL);
        sqlq_add(&q, "SELECT p.id FROM projects p WHERE p.template_id = ? AND p.stage = ?", 2,
                 (db_val[]){DBI(tid), DBS(stage)});
        if (of->unassigned)
            sqlq_add(&q, " AND p.owner_id IS NULL", 0, NULL);
        else if (of->set)
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(of->id)});
        policy_project_branch(br, i, stage, &q);
        sqlq_add(&q, " AND p.id < ? ORDER BY p.id DESC LIMIT ?) b", 2,
                 (db_val[]){DBI(below), DBI(limit + 1)});
    }
    /* the page's ids first, so that only they are joined to their customer
     * and owner (not every branch's limit + 1) */
    sqlq_add(&q, " ORDER BY 1 DESC LIMIT ?) ORDER BY p.id DESC", 1, (db_val[]){DBI(limit + 1)});
    return sqlq_run(r->db, &q, out);
}

/* Stage names of template versions, kept for the life of the process: a
 * version's stages are written once and never change (005_projects.sql),
 * so an entry is never stale, also when several servers share a database.
 * Every card carries its stage's name; without the cache each page would
 * read and parse its versions' stages_json again. Entries are published
 * whole and never changed, so a pointer to one stays valid unlocked. */
enum { NAMES_CACHE = 64, NAMES_STAGES = 32 };
typedef struct stage_names {
    int64_t vid;
    int n;
    const char *key[NAMES_STAGES], *name[NAMES_STAGES];
} stage_names;
static stage_names names_cache[NAMES_CACHE];
static int names_cached;
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

static const stage_names *names_find(int64_t vid)
{
    const stage_names *found = NULL;
    pthread_mutex_lock(&names_lock);
    for (int i = 0; i < names_cached && !found; i++)
        if (names_cache[i].vid == vid) found = &names_cache[i];
    pthread_mutex_unlock(&names_lock);
    return found;
}

/* The stage names of version vid: cached, or loaded (and cached while there
 * is room; a full cache answers from a copy in the request's arena). NULL
 * if the version cannot be read. */
static const stage_names *names_get(req *r, int64_t vid)
{
    const stage_names *sn = names_find(vid);
    if (sn) return sn;
    proc_version v;
    if (process_version_load(r->db, &r->a, vid, &v) != 0) return NULL;
    stage_names *e = arena_alloc(&r->a, sizeof(*e));
    memset(e, 0, sizeof(*e));
    e->vid = vid;
    for (int i = 0; i < v.nstages && e->n < NAMES_STAGES; i++, e->n++) {
        e->key[e->n] = v.stages[i].key;
        e->name[e->n] = v.stages[i].name;
    }
    pthread_mutex_lock(&names_lock);
    for (int i = 0; i < names_cached; i++)
        if (names_cache[i].vid == vid) { /* another request was first */
            pthread_mutex_unlock(&names_lock);
            return &names_cache[i];
        }
    if (names_cached < NAMES_CACHE) {
        stage_names *c = &names_cache[names_cached];
        bool ok = true;
        c->vid = vid;
        c->n = e->n;
        for (int i = 0; i < e->n; i++) {
            c->key[i] = strdup(e->key[i]);
            c->name[i] = strdup(e->name[i]);
            ok = ok && c->key[i] && c->name[i];
        }
        if (ok) {
            names_cached++;
            e = c;
        } else { /* out of memory: leave the slot free */
            for (int i = 0; i < c->n; i++) {
                free((char *)c->key[i]);
                free((char *)c->name[i]);
            }
            memset(c, 0, sizeof(*c));
        }
    }
    pthread_mutex_unlock(&names_lock);
    return e;
}

/* A column page as JSON text, `"items":[...],"next_cursor":...`: res's rows
 * (at most limit) with one more field, stage_name (its version's name of its
 * stage; null for won / lost or a version that cannot be read). The cards go
 * from the result straight to text (page_members_text): building them as
 * jansson values was half the whole board's CPU. */
static char *column_text(req *r, const db_res *res, int limit, size_t *len)
{
    int n = res->nrows > limit ? limit : res->nrows, nc = res->ncols + 1;
    db_res cards = {.nrows = n, .ncols = nc};
    const char **cols = arena_alloc(&r->a, sizeof(char *) * (size_t)nc);
    memcpy(cols, res->cols, sizeof(char *) * (size_t)res->ncols);
    cols[nc - 1] = "stage_name";
    cards.cols = cols;
    cards.cells = arena_alloc(&r->a, sizeof(db_val) * (size_t)(n ? n : 1) * (size_t)nc);
    int64_t last_vid = 0;
    const stage_names *sn = NULL;
    for (int i = 0; i < n; i++) {
        db_val *row = &cards.cells[(size_t)i * (size_t)nc];
        memcpy(row, &res->cells[(size_t)i * (size_t)res->ncols],
               sizeof(db_val) * (size_t)res->ncols);
        const db_val *vid = db_cell(res, i, "template_version_id"), *st = db_cell(res, i, "stage");
        if (vid && vid->t == DBV_INT && vid->i != last_vid) {
            sn = names_get(r, vid->i);
            last_vid = vid->i;
        }
        const char *name = NULL;
        for (int k = 0; sn && st && st->t == DBV_TEXT && !name && k < sn->n; k++)
            if (strcmp(sn->key[k], st->s) == 0) name = sn->name[k];
        row[nc - 1] = name ? (db_val)DBS(name) : (db_val){.t = DBV_NULL};
    }
    return page_members_text(r, &cards, n, res->nrows > limit, "id", len);
}

/* Text pieces joined once into the reply body. */
typedef struct pieces {
    const char **s;
    size_t *n;
    int count, cap;
} pieces;

static void pieces_add(req *r, pieces *p, const char *s, size_t n)
{
    if (p->count == p->cap) {
        int cap = p->cap ? p->cap * 2 : 32;
        const char **ns = arena_alloc(&r->a, sizeof(char *) * (size_t)cap);
        size_t *nn = arena_alloc(&r->a, sizeof(size_t) * (size_t)cap);
        if (p->count) {
            memcpy(ns, p->s, sizeof(char *) * (size_t)p->count);
            memcpy(nn, p->n, sizeof(size_t) * (size_t)p->count);
        }
        p->s = ns;
        p->n = nn;
        p->cap = cap;
    }
    p->s[p->count] = s;
    p->n[p->count++] = n;
}

/* A jansson object's text without its closing brace, so that more members
 * can follow (releases o). */
static void pieces_add_open(req *r, pieces *p, json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t n = t ? strlen(t) : 0;
    if (n < 2) { /* out of memory: an empty object still reads */
        free(t);
        pieces_add(r, p, "{", 1);
        return;
    }
    pieces_add(r, p, arena_strndup(&r->a, t, n - 1), n - 1);
    free(t);
    if (n > 2) pieces_add(r, p, ",", 1); /* it had members: a comma before the next */
}

static int reply_pieces(req *r, const pieces *p)
{
    size_t total = 0;
    for (int i = 0; i < p->count; i++) total += p->n[i];
    char *body = arena_alloc(&r->a, total + 1), *o = body;
    for (int i = 0; i < p->count; i++) {
        memcpy(o, p->s[i], p->n[i]);
        o += p->n[i];
    }
    r->status = 200;
    r->resp = body;
    r->resp_len = total;
    if (!r->resp_type) r->resp_type = "application/json";
    return 0;
}

/* The board's columns (caller owns): the current version's stages, then
 * stages only older versions have (projects still running there, marked
 * legacy), then won and lost. */
static json_t *board_columns(req *r, int64_t tid, int64_t vid)
{
    json_t *cols = json_array(), *seen = json_object();
    proc_version cur;
    if (process_version_load(r->db, &r->a, vid, &cur) == 0)
        for (int i = 0; i < cur.nstages; i++) {
            json_array_append_new(cols,
                                  json_pack("{s:s, s:s, s:I, s:b}", "key", cur.stages[i].key,
                                            "name", cur.stages[i].name, "probability",
                                            (json_int_t)cur.stages[i].probability, "legacy", 0));
            json_object_set_new(seen, cur.stages[i].key, json_true());
        }
    db_res vs;
    if (db_query(r->db, &r->a, &vs,
                 "SELECT id FROM process_template_versions WHERE template_id = ? AND id <> ?"
                 " ORDER BY number DESC",
                 DBP(DBI(tid), DBI(vid))) > 0)
        for (int k = 0; k < vs.nrows; k++) {
            proc_version old;
            if (process_version_load(r->db, &r->a, db_get_int(&vs, k, "id"), &old) != 0) continue;
            for (int i = 0; i < old.nstages; i++) {
                if (json_object_get(seen, old.stages[i].key)) continue;
                json_object_set_new(seen, old.stages[i].key, json_true());
                int64_t any = 0;
                db_scalar_int(r->db, &any, 0,
                              "SELECT COUNT(*) FROM (SELECT 1 FROM projects WHERE template_id = ?"
                              " AND stage = ? LIMIT 1) x",
                              DBP(DBI(tid), DBS(old.stages[i].key)));
                if (any)
                    json_array_append_new(
                        cols, json_pack("{s:s, s:s, s:I, s:b}", "key", old.stages[i].key, "name",
                                        old.stages[i].name, "probability",
                                        (json_int_t)old.stages[i].probability, "legacy", 1));
            }
        }
    json_array_append_new(cols, json_pack("{s:s, s:s, s:i, s:b}", "key", "won", "name", "赢单 Won",
                                          "probability", 100, "legacy", 0));
    json_array_append_new(cols, json_pack("{s:s, s:s, s:i, s:b}", "key", "lost", "name",
                                          "输单 Lost", "probability", 0, "legacy", 0));
    json_decref(seen);
    return cols;
}

/* GET /projects/board?template_id=&stage=&owner=&limit=&cursor= — with a
 * stage: one page of that column {template_id, stage, items, next_cursor};
 * without: every column with its first page {template, columns: [{key,
 * name, probability, legacy, items, next_cursor}]}. Default template when
 * template_id is absent; limit defaults to 20 here. */
static int h_board(req *r)
{
    int limit;
    int64_t cursor, tid = 0, vid = 0;
    owner_filter of;
    if (req_page(r, &limit, &cursor) < 0 || owner_parse(r, &of) < 0) return 0;
    if (!req_query(r, "limit")) limit = BOARD_PAGE_DEFAULT;
    const char *t = req_query(r, "template_id"), *stage = req_query(r, "stage");
    if (t && *t && (!tf_parse_i64(t, &tid) || tid < 1))
        return reply_problem(r, 400, "bad_request", "template_id must be an id");
    if (stage && (!*stage || strlen(stage) > 40))
        return reply_problem(r, 400, "bad_request", "stage must be a stage key");
    db_res res;
    int rc;
    if (tid) { /* retired templates keep their board: their projects still run */
        db_res tr;
        rc = db_query(r->db, &r->a, &tr,
                      "SELECT current_version_id FROM process_templates WHERE id = ?",
                      DBP(DBI(tid)));
        if (rc < 0) return reply_db_error(r, rc);
        if (rc == 0) return reply_not_found(r);
        vid = db_get_int(&tr, 0, "current_version_id");
    } else if ((rc = process_current(r->db, 0, &tid, &vid)) != 0) {
        return rc == DB_ERR ? reply_not_found(r) : reply_db_error(r, rc);
    }
    pieces out = {0};
    size_t len;
    char *text;
    project_branches br;
    policy_project_branches(r->db, &r->a, &r->me, &br);
    if (stage) {
        if ((rc = column_page(r, &br, tid, stage, &of, limit, cursor, &res)) < 0)
            return reply_db_error(r, rc);
        if (!(text = column_text(r, &res, limit, &len)))
            return reply_problem(r, 500, "internal", "could not encode the reply");
        pieces_add_open(r, &out, json_pack("{s:I, s:s}", "template_id", (json_int_t)tid, "stage",
                                           stage));
        pieces_add(r, &out, text, len);
        pieces_add(r, &out, "}", 1);
        return reply_pieces(r, &out);
    }
    if (cursor)
        return reply_problem(r, 400, "bad_request", "a cursor belongs to one column: send stage");
    db_res tr;
    json_t *tpl = json_null();
    if (db_query(
            r->db, &r->a, &tr,
            "SELECT t.id, t.name, t.retired, v.number AS version_number FROM process_templates t"
            " LEFT JOIN process_template_versions v ON v.id = t.current_version_id"
            " WHERE t.id = ?",
            DBP(DBI(tid))) > 0)
        tpl = db_row_json(&tr, 0);
    pieces_add_open(r, &out, json_pack("{s:o}", "template", tpl));
    pieces_add(r, &out, "\"columns\":[", 11);
    policy_project_members_load(r->db, &r->a, &br, tid); /* once for every column */
    json_t *cols = board_columns(r, tid, vid), *col;
    size_t i;
    json_array_foreach(cols, i, col)
    {
        if ((rc = column_page(r, &br, tid, json_string_value(json_object_get(col, "key")), &of, limit, 0,
                              &res)) < 0) {
            json_decref(cols);
            return reply_db_error(r, rc);
        }
        if (!(text = column_text(r, &res, limit, &len))) {
            json_decref(cols);
            return reply_problem(r, 500, "internal", "could not encode the reply");
        }
        if (i) pieces_add(r, &out, ",", 1);
        pieces_add_open(r, &out, json_incref(col));
        pieces_add(r, &out, text, len);
        pieces_add(r, &out, "}", 1);
    }
    json_decref(cols);
    pieces_add(r, &out, "]}", 2);
    return reply_pieces(r, &out);
}


/* GET /projects/pipeline?group=owner|department|stage&department_id=&template_id=
 * &owner= — open projects' count, amount and weighted amount (fen) per owner or
 * per owner's department (the owners whose pipeline the user sees: own;
 * managers their department tree; administrators all), or per stage of a
 * template (the projects the user sees; owner= narrows them as the board's
 * filter does), with totals. */
static int h_pipeline(req *r)
{
    const char *group = req_query(r, "group"), *dept = req_query(r, "department_id");
    const char *t = req_query(r, "template_id");
    int64_t dept_id = 0, tid = 0;
    if (!group || !*group) group = "owner";
    bool by_owner = strcmp(group, "owner") == 0, by_dept = strcmp(group, "department") == 0;
    bool by_stage = strcmp(group, "stage") == 0;
    if (!by_owner && !by_dept && !by_stage)
        return reply_problem(r, 400, "bad_request", "group must be owner, department or stage");
    if (dept && *dept && (!tf_parse_i64(dept, &dept_id) || dept_id < 1))
        return reply_problem(r, 400, "bad_request", "department_id must be an id");
    if (t && *t && (!tf_parse_i64(t, &tid) || tid < 1))
        return reply_problem(r, 400, "bad_request", "template_id must be an id");
    if (by_stage && !tid)
        return reply_problem(r, 400, "bad_request", "group=stage needs template_id");
    owner_filter of; /* group=stage: the board's owner filter, for its column totals */
    if (owner_parse(r, &of) < 0) return 0;
    if (of.set && !by_stage)
        return reply_problem(r, 400, "bad_request", "owner goes with group=stage only");
    sqlq q;
    if (by_stage) { /* the sums kept per owner and stage (project_stage_totals,
                     * 008_project_speed.sql) of the owners u covers, and the
                     * projects u sees only as a member: disjoint parts */
        sqlq_init(&q, &r->a,
                  "SELECT x.stage, CAST(SUM(x.n) AS BIGINT) AS count, CAST(SUM(x.a) AS BIGINT)"
                  " AS amount, CAST(SUM(x.w) AS BIGINT) AS weighted_amount FROM (SELECT t.stage,"
                  " SUM(t.open_count) AS n, SUM(t.amount) AS a, SUM(t.weighted) AS w"
                  " FROM project_stage_totals t WHERE t.open_count > 0");
        sqlq_add(&q, " AND t.template_id = ?", 1, (db_val[]){DBI(tid)});
        if (of.set) /* unassigned projects are kept under owner 0 */
            sqlq_add(&q, " AND t.owner_id = ?", 1, (db_val[]){DBI(of.unassigned ? 0 : of.id)});
        policy_project_totals_filter(r->db, &r->me, &q, "t.owner_id");
        sqlq_add(&q,
                 " GROUP BY t.stage UNION ALL SELECT p.stage, COUNT(*), SUM(p.amount),"
                 " SUM(p.weighted) FROM projects p WHERE p.status = 'open' AND p.template_id = ?",
                 1, (db_val[]){DBI(tid)});
        if (of.unassigned)
            sqlq_add(&q, " AND p.owner_id IS NULL", 0, NULL);
        else if (of.set)
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(of.id)});
        policy_project_member_rest(&r->me, &q);
        sqlq_add(&q, " GROUP BY p.stage) x", 0, NULL);
    } else { /* one aggregate over project_pipeline_totals (kept by triggers) */
        sqlq_init(&q, &r->a,
                  by_owner ? "SELECT t.owner_id, u.name AS owner_name, u.department_id,"
                             " d.name AS department_name,"
                           : "SELECT u.department_id, d.name AS department_name,");
        sqlq_add(&q,
                 " CAST(SUM(t.open_count) AS BIGINT) AS count, CAST(SUM(t.amount) AS BIGINT)"
                 " AS amount, CAST(SUM(t.weighted) AS BIGINT) AS weighted_amount"
                 " FROM project_pipeline_totals t JOIN users u ON u.id = t.owner_id"
                 " LEFT JOIN departments d ON d.id = u.department_id WHERE t.open_count > 0",
                 0, NULL);
        policy_project_owner_filter(&r->me, &q, "t.owner_id");
        if (tid) sqlq_add(&q, " AND t.template_id = ?", 1, (db_val[]){DBI(tid)});
        if (dept_id) {
            sqlq_add(&q, " AND u.department_id IN (", 0, NULL);
            sqlq_add(&q, POLICY_DEPT_SUBTREE_SQL, 1, (db_val[]){DBI(dept_id)});
            sqlq_add(&q, ")", 0, NULL);
        }
    }
    sqlq_add(&q,
             by_owner  ? " GROUP BY t.owner_id, u.name, u.department_id, d.name"
                         " ORDER BY weighted_amount DESC, t.owner_id"
             : by_dept ? " GROUP BY u.department_id, d.name ORDER BY weighted_amount DESC,"
                         " u.department_id"
                       : " GROUP BY x.stage ORDER BY x.stage",
             0, NULL);
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    int64_t count = 0, amount = 0, weighted = 0;
    for (int i = 0; i < res.nrows; i++) {
        count += db_get_int(&res, i, "count");
        amount += db_get_int(&res, i, "amount");
        weighted += db_get_int(&res, i, "weighted_amount");
    }
    if (!by_stage) { /* rows straight to text: the administrator's list has 500+ */
        size_t ilen = 0;
        char *items = db_rows_text(&res, res.nrows, &ilen);
        if (!items) return reply_problem(r, 500, "internal", "could not encode the reply");
        pieces out = {0};
        pieces_add_open(r, &out, json_pack("{s:s}", "group", group));
        pieces_add(r, &out, "\"items\":", 8);
        pieces_add(r, &out, arena_strndup(&r->a, items, ilen), ilen);
        free(items);
        char *tot = arena_printf(&r->a,
                                 ",\"totals\":{\"count\":%lld,\"amount\":%lld,"
                                 "\"weighted_amount\":%lld}}",
                                 (long long)count, (long long)amount, (long long)weighted);
        pieces_add(r, &out, tot, strlen(tot));
        return reply_pieces(r, &out);
    }
    json_t *items = db_rows_json(&res);
    { /* group=stage: stage names from the template's current version */
        int64_t vid = 0;
        proc_version v;
        db_scalar_int(r->db, &vid, 0,
                      "SELECT current_version_id FROM process_templates WHERE id = ?",
                      DBP(DBI(tid)));
        bool have = vid && process_version_load(r->db, &r->a, vid, &v) == 0;
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o)
        {
            int si =
                have ? process_stage_index(&v, json_string_value(json_object_get(o, "stage"))) : -1;
            json_object_set_new(o, "stage_name",
                                si >= 0 ? json_string(v.stages[si].name) : json_null());
        }
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:o, s:{s:I, s:I, s:I}}", "group", group, "items", items,
                                "totals", "count", (json_int_t)count, "amount", (json_int_t)amount,
                                "weighted_amount", (json_int_t)weighted));
}

/* Listed before projects_routes in routes.c: /projects/board and
 * /projects/pipeline must match before /projects/{id}. */
const route project_pipeline_routes[] = {
    {"GET", "/api/v1/projects/board", h_board, PERM_SIGNED_IN, 0,
     QUERY("page owner=me|unassigned|ID template_id=id stage")
     "The pipeline board: one column page (stage=KEY, cursor) or every column's first page;"
     " template_id (default template), owner=me|unassigned|ID, limit (default 20)",
     NULL},
    {"GET", "/api/v1/projects/pipeline", h_pipeline, PERM_SIGNED_IN, 0,
     QUERY("group=owner|department|stage department_id=id template_id=id"
           " owner=me|unassigned|ID")
     "Weighted pipeline of open projects: group=owner|department|stage (stage needs"
     " template_id; with it owner=me|unassigned|ID, the board's filter), department_id,"
     " template_id; amounts in fen",
     NULL},
    ROUTES_END,
};
