/* reminders.c — important events: a user's own reminders (task, mail,
 * contact) at /api/v1/reminders, the badge count, the background job
 * `reminders_fire` that marks due reminders fired exactly once and mails
 * them through SMTP (libcurl) when TRADEFLOW_SMTP_URL is set, and the
 * per-user secret iCalendar feed (/api/v1/calendar/{token}.ics, RFC 5545).
 * Also the input moments every follow-up file reads (when_parse). */
#include "customers/followups.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "base/log.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_EVENTS_MAX  1000 /* open reminders in one calendar feed */
#define FIRE_BATCH       100
#define MAIL_RETRY_AFTER 600 /* seconds before an unsent mail is tried again */

/* Moments ----------------------------------------------------------------- */

/* n decimal digits at s; stops at the first non-digit (never reads past a NUL). */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool when_parse(const char *s, time_t *out, bool *date_only)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    const char *p = s + 10;
    *date_only = *p == 0;
    if (*p) {
        if (*p != 'T' && *p != 't') return false;
        p++;
        if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi)) return false;
        p += 5;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec)) return false;
            p += 3;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9') return false;
                while (*p >= '0' && *p <= '9')
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            if (!digits(p + 1, 2, &oh)) return false;
            if (p[3] == ':' && digits(p + 4, 2, &om))
                p += 6;
            else if (digits(p + 3, 2, &om))
                p += 5;
            else
                return false;
            if (oh > 23 || om > 59) return false;
            off = sign * (oh * 3600 + om * 60);
        } else {
            return false; /* a date-time without a zone is ambiguous */
        }
        if (*p) return false;
    }
    if (y < 2000 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    if (sec == 60) sec = 59; /* a leap second names the last second of its minute */
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != mo - 1) return false; /* 2026-02-30 */
    *out = t - off;
    return true;
}

/* Reminders --------------------------------------------------------------- */

static const char *const kinds[] = {"task", "mail", "contact", NULL};

static bool kind_ok(const char *k)
{
    for (int i = 0; k && kinds[i]; i++)
        if (strcmp(kinds[i], k) == 0) return true;
    return false;
}

int reminder_insert(db_conn *c, arena *a, int64_t user_id, int64_t customer_id, const char *kind,
                    const char *title, const char *notes, const char *due_at, int64_t *id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_query(c, a, &res,
                      "INSERT INTO reminders(user_id, customer_id, kind, title, notes, due_at,"
                      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBI(user_id), customer_id ? DBI(customer_id) : DBNULL, DBS(kind),
                          DBS(title), DBS(notes && *notes ? notes : NULL), DBS(due_at), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    int64_t rid = db_get_int(&res, 0, "id");
    if (id) *id = rid;
    json_t *after = json_pack("{s:I, s:s, s:s, s:s, s:o}", "user_id", (json_int_t)user_id, "kind",
                              kind, "title", title, "due_at", due_at, "customer_id",
                              customer_id ? json_integer(customer_id) : json_null());
    rc = audit_record(c, user_id, "reminder", rid, "create", NULL, after);
    json_decref(after);
    return rc;
}

/* The reminder columns, the customer's name only where the user still sees
 * the customer (a customer handed to someone else keeps its id here). */
static void reminder_select(req *r, sqlq *q, const char *now)
{
    sqlq_init(q, &r->a,
              "SELECT r.id, r.user_id, r.customer_id, c.name AS customer_name, r.kind, r.title,"
              " r.notes, r.due_at, r.done, r.fired_at, r.mailed_at, r.version, r.created_at"
              " FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id");
    policy_customer_filter(r->db, &r->me, q, now);
    sqlq_add(q, " WHERE r.user_id = ?", 1, (db_val[]){DBI(r->me.id)});
}

/* Adds "state": due | upcoming | done to each row. */
static json_t *reminders_json(db_res *res, const char *now)
{
    json_t *items = db_rows_json(res), *o;
    size_t i;
    json_array_foreach(items, i, o)
    {
        const char *due = json_string_value(json_object_get(o, "due_at"));
        const char *state = json_is_true(json_object_get(o, "done")) ? "done"
                            : due && strcmp(due, now) <= 0           ? "due"
                                                                     : "upcoming";
        json_object_set_new(o, "state", json_string(state));
    }
    return items;
}

static json_t *reminder_json(req *r, int64_t id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    sqlq q;
    reminder_select(r, &q, now);
    sqlq_add(&q, " AND r.id = ?", 1, (db_val[]){DBI(id)});
    db_res res;
    if (sqlq_run(r->db, &q, &res) <= 0) return NULL;
    json_t *items = reminders_json(&res, now), *o = json_incref(json_array_get(items, 0));
    json_decref(items);
    return o;
}

/* GET /reminders?state=due|upcoming|done (none: every open one) — own only;
 * open ones soonest first, done ones latest first. */
static int h_reminders_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *state = req_query(r, "state");
    if (state && *state && strcmp(state, "due") && strcmp(state, "upcoming") &&
        strcmp(state, "done"))
        return reply_problem(r, 400, "bad_request", "state must be due, upcoming or done");
    bool done = state && strcmp(state, "done") == 0;
    char now[TF_TS_LEN];
    tf_now(now);
    sqlq q;
    reminder_select(r, &q, now);
    sqlq_add(&q, " AND r.done = ?", 1, (db_val[]){DBB(done)});
    if (state && strcmp(state, "due") == 0)
        sqlq_add(&q, " AND r.due_at <= ?", 1, (db_val[]){DBS(now)});
    else if (state && strcmp(state, "upcoming") == 0)
        sqlq_add(&q, " AND r.due_at > ?", 1, (db_val[]){DBS(now)});
    db_val cp[4] = {DBI(cursor), DBI(cursor), DBI(cursor), DBI(cursor)};
    if (done) {
        sqlq_add(&q,
                 " AND (? = 0 OR r.due_at < (SELECT due_at FROM reminders WHERE id = ?) OR"
                 " (r.due_at = (SELECT due_at FROM reminders WHERE id = ?) AND r.id < ?))"
                 " ORDER BY r.due_at DESC, r.id DESC",
                 4, cp);
    } else {
        sqlq_add(&q,
                 " AND (? = 0 OR r.due_at > (SELECT due_at FROM reminders WHERE id = ?) OR"
                 " (r.due_at = (SELECT due_at FROM reminders WHERE id = ?) AND r.id > ?))"
                 " ORDER BY r.due_at, r.id",
                 4, cp);
    }
    sqlq_add(&q, " LIMIT ?", 1, (db_val[]){DBI(limit + 1)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page(r, reminders_json(&res, now), limit, "id");
}

/* GET /reminders/count → {"due": N}: open reminders whose time has come. */
static int h_reminders_count(req *r)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int64_t n = 0;
    int rc = db_scalar_int(r->db, &n, 0,
                           "SELECT COUNT(*) FROM reminders WHERE user_id = ? AND done = FALSE AND"
                           " due_at <= ?",
                           DBP(DBI(r->me.id), DBS(now)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:I}", "due", (json_int_t)n));
}

/* Checks due_at (into out) and customer_id; appends errors. */
static void reminder_check(req *r, char out[TF_TS_LEN], json_t *errs)
{
    const char *due = in_str(r, "due_at");
    time_t t;
    bool date_only;
    if (due && !when_parse(due, &t, &date_only))
        json_array_append_new(errs, field_error("due_at", "invalid", WHEN_FORMAT_MSG));
    else if (due)
        tf_ts(out, t);
    const char *kind = in_str(r, "kind");
    if (kind && !kind_ok(kind))
        json_array_append_new(errs,
                              field_error("kind", "invalid", "must be task, mail or contact"));
    int64_t cust = in_int(r, "customer_id", 0);
    if (cust && policy_customer_access(r->db, &r->me, cust) == ACCESS_NONE)
        json_array_append_new(errs, field_error("customer_id", "not_found", "no such customer"));
}

/* POST /reminders {kind, title, notes, due_at, customer_id} */
static int h_reminders_create(req *r)
{
    static const field spec[] = {
        {"kind", F_STR, F_REQ, 20, 1},        {"title", F_STR, F_REQ, 200, 1},
        {"notes", F_STR, F_NULL, 2000, 0},    {"due_at", F_STR, F_REQ, 40, 1},
        {"customer_id", F_INT, F_NULL, 0, 1}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    char due[TF_TS_LEN] = "";
    json_t *errs = json_array();
    reminder_check(r, due, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int64_t id = 0;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = reminder_insert(r->db, &r->a, r->me.id, in_int(r, "customer_id", 0), in_str(r, "kind"),
                             in_str(r, "title"), in_str(r, "notes"), due, &id);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, reminder_json(r, id));
}

/* PATCH /reminders/{id} {version, done, due_at, title, notes} — a new due
 * time makes the reminder fire (and mail) again. */
static int h_reminders_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},   {"done", F_BOOL, 0, 0, 0},
                                 {"due_at", F_STR, 0, 40, 1},       {"title", F_STR, 0, 200, 1},
                                 {"notes", F_STR, F_NULL, 2000, 0}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    char due[TF_TS_LEN] = "";
    json_t *errs = json_array();
    reminder_check(r, due, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = reminder_json(r, id), *after = NULL;
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    const char *old_due = json_string_value(json_object_get(before, "due_at"));
    bool moved = due[0] && old_due && strcmp(due, old_due) != 0;
    rc = db_exec(r->db,
                 "UPDATE reminders SET done = COALESCE(?, done), due_at = COALESCE(?, due_at),"
                 " title = COALESCE(?, title), notes = CASE WHEN ? = 1 THEN ? ELSE notes END,"
                 " fired_at = CASE WHEN ? = 1 THEN NULL ELSE fired_at END,"
                 " mailed_at = CASE WHEN ? = 1 THEN NULL ELSE mailed_at END,"
                 " version = version + 1 WHERE id = ? AND user_id = ? AND version = ?",
                 DBP(in_has(r, "done") ? DBB(in_bool(r, "done", false)) : DBNULL,
                     DBS(due[0] ? due : NULL), DBS(in_str(r, "title")), DBI(in_has(r, "notes")),
                     DBS(in_str(r, "notes")), DBI(moved), DBI(moved), DBI(id), DBI(r->me.id),
                     DBI(in_int(r, "version", 0))));
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) {
        after = reminder_json(r, id);
        rc = audit_record(r->db, r->me.id, "reminder", id, "update", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

/* DELETE /reminders/{id}?version=N */
static int h_reminders_delete(req *r)
{
    int64_t id = req_id(r, 0), version;
    if (id < 0) return reply_not_found(r);
    if (query_version(r, &version) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    return audit_finish_delete(r, reminder_json(r, id), "reminder", id, "delete",
                               "DELETE FROM reminders WHERE id = ? AND user_id = ? AND version = ?",
                               DBP(DBI(id), DBI(r->me.id), DBI(version)));
}

/* Calendar feed -------------------------------------------------------------- */

/* GET /reminders/feed → {"active": bool, "created_at"} (the URL is shown once). */
static int h_feed_get(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res, "SELECT created_at FROM calendar_feeds WHERE user_id = ?",
                      DBP(DBI(r->me.id)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200,
                      json_pack("{s:b, s:s?}", "active", rc > 0, "created_at",
                                rc > 0 ? db_get_text(&res, 0, "created_at") : NULL));
}

/* POST /reminders/feed — a new secret feed URL; the previous one stops working. */
static int h_feed_rotate(req *r)
{
    char *token = tf_random_token(&r->a, 32);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_exec(r->db,
                     "INSERT INTO calendar_feeds(user_id, token_hash, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
                     " created_at = excluded.created_at",
                     DBP(DBI(r->me.id), DBS(tf_token_hash(&r->a, token)), DBS(now)));
    if (rc >= 0) {
        json_t *after = json_pack("{s:s}", "created_at", now);
        rc = audit_record(r->db, r->me.id, "calendar_feed", r->me.id, "rotate", NULL, after);
        json_decref(after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    const char *path = arena_printf(&r->a, "/api/v1/calendar/%s.ics", token);
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:s}", "url", path, "token", token, "created_at", now));
}

/* DELETE /reminders/feed — the feed URL stops working. */
static int h_feed_delete(req *r)
{
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_exec(r->db, "DELETE FROM calendar_feeds WHERE user_id = ?", DBP(DBI(r->me.id)));
    if (rc > 0) rc = audit_record(r->db, r->me.id, "calendar_feed", r->me.id, "revoke", NULL, NULL);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

/* A growing text buffer in the arena. */
typedef struct buf {
    arena *a;
    char *s;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *ns = arena_alloc(b->a, cap);
        if (b->len) memcpy(ns, b->s, b->len);
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* RFC 5545 TEXT value: backslash, semicolon, comma escaped, newlines as \n,
 * other control characters dropped. */
static char *ics_escape(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 2 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == ';' || *p == ',') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (*p >= 0x20 && *p != 0x7f) {
            *o++ = (char)*p;
        }
    }
    *o = 0;
    return out;
}

/* Appends one content line, folded at 75 octets (never inside a UTF-8
 * character), each physical line ending in CRLF. */
static void ics_line(buf *b, const char *name, const char *value)
{
    char *line = arena_printf(b->a, "%s%s", name, value);
    size_t n = strlen(line), pos = 0, room = 75;
    while (n - pos > room) {
        size_t cut = pos + room;
        while (cut > pos && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--;
        buf_add(b, line + pos, cut - pos);
        buf_str(b, "\r\n ");
        pos = cut;
        room = 74; /* the leading space counts */
    }
    buf_add(b, line + pos, n - pos);
    buf_str(b, "\r\n");
}

/* tf_ts "2026-05-01T09:30:00Z" → iCalendar UTC "20260501T093000Z". */
static char *ics_time(arena *a, const char *ts)
{
    char *o = arena_alloc(a, 17), *p = o;
    for (const char *s = ts; *s && p - o < 16; s++)
        if (*s != '-' && *s != ':') *p++ = *s;
    return o;
}

/* GET /calendar/{token}.ics — public: the unguessable token is the
 * credential. One VEVENT (with a display alarm) per open reminder. */
static int h_calendar(req *r)
{
    const char *file = r->params[0];
    size_t n = strlen(file);
    if (n != 64 + 4 || strcmp(file + 64, ".ics") != 0) return reply_not_found(r);
    char *token = arena_strndup(&r->a, file, 64);
    for (int i = 0; i < 64; i++)
        if (!strchr("0123456789abcdef", token[i])) return reply_not_found(r);
    db_res u, res;
    int rc = db_query(r->db, &r->a, &u,
                      "SELECT f.user_id, u.name FROM calendar_feeds f JOIN users u ON"
                      " u.id = f.user_id WHERE f.token_hash = ? AND u.active = TRUE",
                      DBP(DBS(tf_token_hash(&r->a, token))));
    if (rc < 0) return reply_db_error(r, rc);
    if (rc == 0) return reply_not_found(r);
    rc = db_query(r->db, &r->a, &res,
                  "SELECT id, kind, title, notes, due_at, created_at FROM reminders"
                  " WHERE user_id = ? AND done = FALSE ORDER BY due_at, id LIMIT ?",
                  DBP(DBI(db_get_int(&u, 0, "user_id")), DBI(FEED_EVENTS_MAX)));
    if (rc < 0) return reply_db_error(r, rc);
    char now[TF_TS_LEN];
    tf_now(now);
    const char *stamp = ics_time(&r->a, now);
    buf b = {.a = &r->a};
    ics_line(&b, "BEGIN:", "VCALENDAR");
    ics_line(&b, "VERSION:", "2.0");
    ics_line(&b, "PRODID:", "-//Tradeflow//Reminders//EN");
    ics_line(&b, "CALSCALE:", "GREGORIAN");
    ics_line(&b, "METHOD:", "PUBLISH");
    ics_line(&b, "X-WR-CALNAME:",
             ics_escape(&r->a, arena_printf(&r->a, "Tradeflow: %s", db_get_text(&u, 0, "name"))));
    ics_line(&b, "REFRESH-INTERVAL;VALUE=DURATION:", "PT15M");
    for (int i = 0; i < res.nrows; i++) {
        const char *title = ics_escape(&r->a, db_get_text(&res, i, "title"));
        const char *notes = db_get_text(&res, i, "notes");
        ics_line(&b, "BEGIN:", "VEVENT");
        ics_line(
            &b, "UID:",
            arena_printf(&r->a, "reminder-%lld@tradeflow", (long long)db_get_int(&res, i, "id")));
        ics_line(&b, "DTSTAMP:", stamp);
        ics_line(&b, "DTSTART:", ics_time(&r->a, db_get_text(&res, i, "due_at")));
        ics_line(&b, "DURATION:", "PT15M");
        ics_line(&b, "SUMMARY:", title);
        if (notes) ics_line(&b, "DESCRIPTION:", ics_escape(&r->a, notes));
        ics_line(&b, "CATEGORIES:", db_get_text(&res, i, "kind"));
        ics_line(&b, "BEGIN:", "VALARM");
        ics_line(&b, "ACTION:", "DISPLAY");
        ics_line(&b, "TRIGGER:", "PT0S");
        ics_line(&b, "DESCRIPTION:", title);
        ics_line(&b, "END:", "VALARM");
        ics_line(&b, "END:", "VEVENT");
    }
    ics_line(&b, "END:", "VCALENDAR");
    r->cache_control = "private, no-store";
    return reply_raw(r, 200, "text/calendar; charset=utf-8", b.s, b.len);
}

/* The firing job and its mail ------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t upload_read(char *out, size_t size, size_t nmemb, void *ud)
{
    upload *u = ud;
    size_t n = size * nmemb;
    if (n > u->len - u->pos) n = u->len - u->pos;
    memcpy(out, u->data + u->pos, n);
    u->pos += n;
    return n;
}

/* Sends one message through the SMTP server at url. 0 or -1 (logged). */
static int smtp_send(const char *url, const char *from, const char *to, const char *msg)
{
    pthread_once(&curl_once, curl_start);
    CURL *h = curl_easy_init();
    if (!h) return -1;
    char fromb[320], tob[320], err[CURL_ERROR_SIZE] = "";
    snprintf(fromb, sizeof(fromb), "<%s>", from);
    snprintf(tob, sizeof(tob), "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, tob);
    upload up = {.data = msg, .len = strlen(msg)};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, fromb);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        tf_log("warn", "msg=mail_failed to=\"%s\" err=\"%s\"", to,
               err[0] ? err : curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

/* An address that is safe inside <...> of an SMTP command and a header. */
static bool address_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 254 || !strchr(s, '@') || s[0] == '@') return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == ',')
            return false;
    return true;
}

static char *b64(arena *a, const char *s, size_t n)
{
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = arena_alloc(a, len);
    sodium_bin2base64(out, len, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* The mail of one reminder (RFC 5322, UTF-8 subject as encoded words, the
 * body base64 so no line is too long and nothing needs dot-stuffing). */
static char *reminder_mail(arena *a, db_res *r, const char *from, tf_lang lang, const char *zone)
{
    buf m = {.a = a};
    char date[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    long long id = (long long)db_get_int(r, 0, "id");
    buf_str(&m, arena_printf(a, "Date: %s\r\nFrom: Tradeflow <%s>\r\nTo: <%s>\r\n", date, from,
                             db_get_text(r, 0, "email")));
    buf_str(&m,
            arena_printf(a, "Message-ID: <reminder-%lld-%lld@tradeflow>\r\n", id, (long long)t));
    buf_str(&m, arena_printf(a, "X-Tradeflow-Reminder: %lld\r\nSubject:", id));
    /* encoded words of at most 45 bytes of text each, cut between characters */
    const char *subj = arena_printf(a, "[Tradeflow] %s", db_get_text(r, 0, "title"));
    size_t n = strlen(subj), pos = 0;
    while (pos < n) {
        size_t cut = pos + 45 < n ? pos + 45 : n;
        while (cut < n && cut > pos && ((unsigned char)subj[cut] & 0xC0) == 0x80)
            cut--;
        buf_str(&m, arena_printf(a, "%s=?UTF-8?B?%s?=", pos ? "\r\n " : " ",
                                 b64(a, subj + pos, cut - pos)));
        pos = cut;
    }
    buf_str(&m, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n");
    const char *notes = db_get_text(r, 0, "notes");
    /* text/plain in canonical form: CRLF line breaks before base64 */
    /* in the user's language, the due time as the company's local time */
    const char *body = arena_printf(
        a, lang == LANG_ZH ? "%s\r\n\r\n到期：%s（%s）\r\n类型：%s\r\n%s%s%s"
                           : "%s\r\n\r\nDue: %s (%s)\r\nKind: %s\r\n%s%s%s",
        db_get_text(r, 0, "title"), i18n_local_time(a, db_get_text(r, 0, "due_at"), zone), zone,
        i18n_label(lang, db_get_text(r, 0, "kind")), notes ? "\r\n" : "", notes ? notes : "",
        notes ? "\r\n" : "");
    const char *enc = b64(a, body, strlen(body));
    for (size_t i = 0, el = strlen(enc); i < el; i += 76) {
        buf_add(&m, enc + i, el - i < 76 ? el - i : 76);
        buf_str(&m, "\r\n");
    }
    return m.s;
}

/* Mails a reminder this run has claimed; sets mailed_at when the SMTP server
 * took it. Returns 1 if mailed, 0 if not (no address, failure). */
static int mail_one(db_conn *c, arena *a, int64_t id, const char *url, const char *from)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT r.id, r.kind, r.title, r.notes, r.due_at, u.email,"
                 " COALESCE(u.lang, u.locale) AS lang FROM reminders r"
                 " JOIN users u ON u.id = r.user_id WHERE r.id = ? AND u.active = TRUE",
                 DBP(DBI(id))) <= 0)
        return 0;
    if (!address_ok(db_get_text(&r, 0, "email"))) return 0;
    const char *mail = reminder_mail(a, &r, from, i18n_lang(db_get_text(&r, 0, "lang")),
                                     i18n_company_zone(c, a));
    if (smtp_send(url, from, db_get_text(&r, 0, "email"), mail) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    db_exec(c, "UPDATE reminders SET mailed_at = ? WHERE id = ? AND mailed_at IS NULL",
            DBP(DBS(now), DBI(id)));
    return 1;
}

/* Job reminders_fire: every due open reminder is claimed by exactly one
 * runner (the UPDATE ... AND fired_at IS NULL only one can win, whatever
 * the number of servers), and the winner mails it. A mail that failed is
 * tried again later by whoever wins the claim on its fired_at. */
static int reminders_fire(db_conn *c, arena *a)
{
    char now[TF_TS_LEN], retry_before[TF_TS_LEN], due_after[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(now, t);
    tf_ts(retry_before, t - MAIL_RETRY_AFTER);
    tf_ts(due_after, t - 86400);
    const char *url = getenv("TRADEFLOW_SMTP_URL"), *from = getenv("TRADEFLOW_SMTP_FROM");
    bool mail = url && *url;
    if (!from || !address_ok(from)) from = "tradeflow@localhost";
    int fired = 0;
    for (int round = 0; round < 100; round++) {
        db_res r;
        int rc = db_query(c, a, &r,
                          "SELECT id FROM reminders WHERE fired_at IS NULL AND done = FALSE AND"
                          " due_at <= ? ORDER BY due_at, id LIMIT ?",
                          DBP(DBS(now), DBI(FIRE_BATCH)));
        if (rc < 0) return rc;
        for (int i = 0; i < r.nrows; i++) {
            int64_t id = db_get_int(&r, i, "id");
            int won =
                db_exec(c, "UPDATE reminders SET fired_at = ? WHERE id = ? AND fired_at IS NULL",
                        DBP(DBS(now), DBI(id)));
            if (won < 0) return won;
            if (won == 0) continue; /* another runner has it */
            fired++;
            if (mail) mail_one(c, a, id, url, from);
        }
        if (r.nrows < FIRE_BATCH) break;
    }
    if (!mail) return fired;
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT r.id, r.fired_at FROM reminders r JOIN users u ON u.id = r.user_id"
                      " WHERE r.fired_at IS NOT NULL AND r.mailed_at IS NULL AND r.done = FALSE"
                      " AND r.fired_at <= ? AND r.due_at >= ? AND u.active = TRUE AND"
                      " u.email IS NOT NULL AND u.email <> '' ORDER BY r.id LIMIT 20",
                      DBP(DBS(retry_before), DBS(due_after)));
    for (int i = 0; rc > 0 && i < r.nrows; i++) {
        int64_t id = db_get_int(&r, i, "id");
        int won = db_exec(c,
                          "UPDATE reminders SET fired_at = ? WHERE id = ? AND fired_at = ? AND"
                          " mailed_at IS NULL",
                          DBP(DBS(now), DBI(id), DBS(db_get_text(&r, i, "fired_at"))));
        if (won == 1) fired += mail_one(c, a, id, url, from);
    }
    return rc < 0 ? rc : fired;
}

const job_def reminders_fire_job = {"reminders_fire", 60, reminders_fire};

const route reminders_routes[] = {
    {"GET", "/api/v1/reminders", h_reminders_list, PERM_SIGNED_IN, 0,
     QUERY("page state=due|upcoming|done")
     "Your reminders (state=due|upcoming|done; none: every open one)", NULL},
    {"POST", "/api/v1/reminders", h_reminders_create, PERM_SIGNED_IN, 8192,
     "Add a reminder (task, mail or contact)",
     "{\"type\":\"object\",\"required\":[\"kind\",\"title\",\"due_at\"],\"properties\":{\"kind\":"
     "{\"enum\":[\"task\",\"mail\",\"contact\"]},\"title\":{\"type\":\"string\",\"maxLength\":200},"
     "\"notes\":{\"type\":[\"string\",\"null\"]},\"due_at\":{\"type\":\"string\"},\"customer_id\":"
     "{\"type\":[\"integer\",\"null\"]}}}"},
    {"GET", "/api/v1/reminders/count", h_reminders_count, PERM_SIGNED_IN, 0,
     "How many of your open reminders are due (for the badge)", NULL},
    {"GET", "/api/v1/reminders/feed", h_feed_get, PERM_SIGNED_IN, 0,
     "Whether your calendar feed is on", NULL},
    {"POST", "/api/v1/reminders/feed", h_feed_rotate, PERM_SIGNED_IN, 0,
     "Create or replace your secret calendar feed URL (shown once)", NULL},
    {"DELETE", "/api/v1/reminders/feed", h_feed_delete, PERM_SIGNED_IN, 0,
     "Turn your calendar feed off", NULL},
    {"PATCH", "/api/v1/reminders/{id}", h_reminders_update, PERM_SIGNED_IN, 8192,
     "Update a reminder: done, due_at, title, notes (send version)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"done\":{\"type\":"
     "\"boolean\"},\"due_at\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"notes\":{"
     "\"type\":[\"string\",\"null\"]},\"version\":{\"type\":\"integer\"}}}"},
    {"DELETE", "/api/v1/reminders/{id}", h_reminders_delete, PERM_SIGNED_IN, 0,
     QUERY("version!=id")
     "Delete a reminder (?version=N)", NULL},
    {"GET", "/api/v1/calendar/{token}", h_calendar, PERM_PUBLIC, 0,
     "Your reminders as an iCalendar feed: GET /api/v1/calendar/{token}.ics (the token is the"
     " credential)",
     NULL},
    ROUTES_END,
};
