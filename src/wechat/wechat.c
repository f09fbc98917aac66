/* wechat.c — the WeChat official account: the server callback WeChat calls
 * (URL verification, subscribe / unsubscribe events, fans' messages stored
 * once per MsgId), the fans screen (list, detail with recent messages,
 * history), turning fans into customers (automatically on subscribe by the
 * `wechat` setting, or by hand: link to an existing customer or create one)
 * and a customer's linked fans. The wire format (signature, XML) lives in
 * wechat_xml.c; who may see or change which customer comes from policy.h. */
#include "customers/customers.h"
#include "wechat/wechat_xml.h"
#include "core/audit.h"
#include "http/record.h"
#include "base/log.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <stdlib.h>
#include <string.h>

#define WX_SKEW_SECONDS    300 /* a callback's timestamp may be this far off our clock */
#define WX_ECHO_MAX        128 /* bytes of echostr */
#define WX_PREVIEW_CHARS   200 /* code points of a fan's last_message */
#define WX_RECENT_MESSAGES 50

/* Helpers ------------------------------------------------------------------ */

/* True if s has 1..max bytes, each an ASCII letter, digit or one of `extra`. */
static bool wx_token(const char *s, size_t max, const char *extra)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max) return false;
    for (; *s; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!ok && !strchr(extra, ch)) return false;
    }
    return true;
}

/* The first `max` code points of s (valid UTF-8), in the arena. */
static char *utf8_prefix(arena *a, const char *s, size_t max)
{
    size_t i = 0, n = 0;
    for (; s[i]; i++)
        if ((s[i] & 0xC0) != 0x80 && n++ == max) break;
    return arena_strndup(a, s, i);
}

/* The fan as history records it (caller owns), or NULL. */
static json_t *fan_state(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT id, openid, nickname, subscribed, subscribed_at, unsubscribed_at,"
                 " customer_id, version FROM wechat_fans WHERE id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* A fan as the API shows it: the linked customer's id, number and name only
 * when the user may see that customer (the join carries the policy filter);
 * `linked` tells whether there is a link at all. */
#define FAN_SELECT                                                                                 \
    "SELECT f.id, f.openid, f.nickname, f.subscribed, f.subscribed_at, f.unsubscribed_at,"         \
    " f.last_message, f.last_message_at, f.customer_id AS link_id, f.created_at, f.version,"       \
    " c.id AS customer_id, c.number AS customer_number, c.name AS customer_name"                   \
    " FROM wechat_fans f LEFT JOIN customers c ON c.id = f.customer_id"

static void fan_select(req *r, sqlq *q)
{
    char *now = arena_alloc(&r->a, TF_TS_LEN); /* bound by the query: must outlive this call */
    tf_now(now);
    sqlq_init(q, &r->a, FAN_SELECT);
    policy_customer_filter(r->db, &r->me, q, now); /* " AND (...)" inside the join's ON */
    sqlq_add(q, " WHERE 1 = 1", 0, NULL);
}

static json_t *fan_rows_json(const db_res *res)
{
    json_t *items = db_rows_json(res), *o;
    size_t i;
    json_array_foreach(items, i, o)
    {
        json_object_set_new(o, "linked",
                            json_boolean(!json_is_null(json_object_get(o, "link_id"))));
        json_object_del(o, "link_id");
    }
    return items;
}

/* The fan as user r sees it (caller owns), or NULL if there is no such fan. */
static json_t *fan_view(req *r, int64_t id)
{
    sqlq q;
    db_res res;
    fan_select(r, &q);
    sqlq_add(&q, " AND f.id = ?", 1, (db_val[]){DBI(id)});
    if (sqlq_run(r->db, &q, &res) <= 0) return NULL;
    json_t *items = fan_rows_json(&res);
    json_t *o = json_incref(json_array_get(items, 0));
    json_decref(items);
    return o;
}

/* The callback ------------------------------------------------------------- */

/* Checks the signed query string every callback carries (signature,
 * timestamp, nonce) against the `wechat` setting's token. The callback is
 * public: this signature is its whole authentication. On failure it has
 * replied (400 malformed, 403 disabled / forged / stale) and returns -1. */
static int callback_verify(req *r)
{
    const char *sig = req_query(r, "signature"), *ts = req_query(r, "timestamp"),
               *nonce = req_query(r, "nonce");
    if (!sig || !*sig || !ts || !*ts || !nonce || !*nonce)
        return reply_problem(r, 400, "bad_request", "signature, timestamp and nonce are required"),
               -1;
    if (strlen(sig) > 64 || strlen(ts) > 20 || strlen(nonce) > 64)
        return reply_problem(r, 400, "bad_request", "signature, timestamp or nonce is too long"),
               -1;
    int64_t t;
    if (!tf_parse_i64(ts, &t))
        return reply_problem(r, 400, "bad_request", "timestamp must be seconds since the epoch"),
               -1;
    json_t *s = settings_get(r->db, "wechat");
    const char *token = arena_strdup(&r->a, json_string_value(json_object_get(s, "token")));
    json_decref(s);
    if (!token || !*token)
        return reply_problem(r, 403, "forbidden", "WeChat callbacks are disabled: no token is set"),
               -1;
    if (!wx_signature_ok(token, ts, nonce, sig))
        return reply_problem(r, 403, "forbidden", "the signature does not match"), -1;
    int64_t now = (int64_t)time(NULL);
    if (t < now - WX_SKEW_SECONDS || t > now + WX_SKEW_SECONDS)
        return reply_problem(r, 403, "forbidden", "the timestamp is more than %d minutes off",
                             WX_SKEW_SECONDS / 60),
               -1;
    return 0;
}

/* GET /wechat/callback — WeChat checks the server URL: a valid signature
 * gets echostr back as plain text. */
static int h_wechat_verify(req *r)
{
    const char *echo = req_query(r, "echostr");
    if (!echo || !*echo) return reply_problem(r, 400, "bad_request", "echostr is required");
    size_t n = strlen(echo);
    if (n > WX_ECHO_MAX) return reply_problem(r, 400, "bad_request", "echostr is too long");
    for (size_t i = 0; i < n; i++)
        if (echo[i] < 0x21 || echo[i] > 0x7e)
            return reply_problem(r, 400, "bad_request", "echostr must be printable ASCII");
    if (callback_verify(r) < 0) return 0;
    return reply_raw(r, 200, "text/plain; charset=utf-8", arena_strndup(&r->a, echo, n), n);
}

typedef enum { WXK_SUBSCRIBE, WXK_UNSUBSCRIBE, WXK_EVENT, WXK_MESSAGE } wx_kind;

/* One callback, checked and reduced to what we store. */
typedef struct wx_event {
    wx_kind kind;
    const char *openid;
    const char *dedupe;  /* wechat_messages.msg_id: MsgId, or openid + CreateTime for events */
    const char *type;    /* wechat_messages.kind: text, image, ..., event */
    const char *content; /* wechat_messages.content */
    const char *preview; /* the fan's last_message (messages only) */
} wx_event;

/* Checks the parsed message and fills *ev; on a problem returns its text. */
static const char *event_from(arena *a, const wx_msg *m, wx_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (!m->from_user || !*m->from_user) return "FromUserName is missing";
    if (!wx_token(m->from_user, 64, "_-")) return "FromUserName is not an openid";
    if (!m->msg_type || !*m->msg_type) return "MsgType is missing";
    if (!wx_token(m->msg_type, 32, "_")) return "MsgType is not a message type";
    if (m->msg_id && *m->msg_id && !wx_token(m->msg_id, 64, "_-")) return "MsgId is malformed";
    if (m->create_time && *m->create_time &&
        (strlen(m->create_time) > 20 ||
         strspn(m->create_time, "0123456789") != strlen(m->create_time)))
        return "CreateTime must be seconds since the epoch";
    ev->openid = m->from_user;
    if (strcmp(m->msg_type, "event") == 0) {
        if (!m->event || !*m->event) return "Event is missing";
        if (!wx_token(m->event, 64, "_")) return "Event is not an event name";
        ev->kind = strcmp(m->event, "subscribe") == 0     ? WXK_SUBSCRIBE
                   : strcmp(m->event, "unsubscribe") == 0 ? WXK_UNSUBSCRIBE
                                                          : WXK_EVENT;
        ev->type = "event";
        ev->content = m->event_key && *m->event_key
                          ? arena_printf(a, "%s %s", m->event, m->event_key)
                          : m->event;
        /* events carry no MsgId; WeChat's advice is openid + CreateTime */
        if (m->create_time && *m->create_time)
            ev->dedupe = arena_printf(a, "event:%s:%s:%s", m->from_user, m->create_time, m->event);
        return NULL;
    }
    ev->kind = WXK_MESSAGE;
    ev->type = m->msg_type;
    ev->dedupe = m->msg_id && *m->msg_id ? m->msg_id : NULL;
    if (strcmp(m->msg_type, "text") == 0) {
        if (!m->content) return "Content is missing";
        ev->content = m->content;
        ev->preview = utf8_prefix(a, m->content, WX_PREVIEW_CHARS);
        return NULL;
    }
    /* image, voice, video, location, link and types WeChat adds later: kept
     * by kind, with the most telling field as the content */
    const char *const pick[] = {m->content, m->recognition, m->title,   m->label,
                                m->url,     m->pic_url,     m->media_id};
    for (size_t i = 0; i < sizeof(pick) / sizeof(pick[0]) && !ev->content; i++)
        if (pick[i] && *pick[i]) ev->content = pick[i];
    ev->preview = arena_printf(a, "[%s]", m->msg_type);
    return NULL;
}

/* The fan of ev->openid, created when new (subscribed unless the event is
 * an unsubscribe). A concurrent callback for the same new fan waits on the
 * unique openid and then finds the row. */
static int fan_ensure(db_conn *c, arena *a, const wx_event *ev, const char *now, int64_t *id,
                      bool *created)
{
    bool sub = ev->kind == WXK_SUBSCRIBE, unsub = ev->kind == WXK_UNSUBSCRIBE;
    db_res res;
    int rc = db_query(c, a, &res,
                      "INSERT INTO wechat_fans(openid, subscribed, subscribed_at, unsubscribed_at,"
                      " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (openid) DO NOTHING"
                      " RETURNING id",
                      DBP(DBS(ev->openid), DBB(!unsub), DBS(sub ? now : NULL),
                          DBS(unsub ? now : NULL), DBS(now)));
    if (rc < 0) return rc;
    *created = rc > 0;
    if (rc == 0)
        rc = db_query(c, a, &res, "SELECT id FROM wechat_fans WHERE openid = ?",
                      DBP(DBS(ev->openid)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&res, 0, "id");
    if (!*created) return 0;
    json_t *after = fan_state(c, a, *id);
    rc = audit_record(c, 0, "wechat_fan", *id,
                      sub     ? "subscribe"
                      : unsub ? "unsubscribe"
                              : "create",
                      NULL, after);
    json_decref(after);
    return rc;
}

/* Stores the message; *dup when its dedupe key was stored before (WeChat
 * retries a callback it got no answer to within 5 seconds). */
static int message_store(db_conn *c, arena *a, int64_t fan_id, const wx_event *ev, const char *now,
                         bool *dup)
{
    db_res res;
    int rc = db_query(c, a, &res,
                      "INSERT INTO wechat_messages(fan_id, msg_id, kind, content, at)"
                      " VALUES (?, ?, ?, ?, ?) ON CONFLICT (msg_id) DO NOTHING RETURNING id",
                      DBP(DBI(fan_id), DBS(ev->dedupe), DBS(ev->type), DBS(ev->content), DBS(now)));
    if (rc < 0) return rc;
    *dup = rc == 0;
    return 0;
}

enum { FAN_ESTALE = -100 }; /* the fan changed since it was read */

/* Links fan `fan_id` to customer `cid`: when expect_version is given, if the
 * fan still has that version (a manual transfer), else if it has no customer
 * yet (the automatic one). Otherwise FAN_ESTALE: the caller rolls back. */
static int fan_link(db_conn *c, arena *a, int64_t fan_id, int64_t cid, int64_t expect_version,
                    int64_t actor_id, const char *action)
{
    json_t *before = fan_state(c, a, fan_id);
    int rc = expect_version
                 ? db_exec(c,
                           "UPDATE wechat_fans SET customer_id = ?, version = version + 1"
                           " WHERE id = ? AND version = ?",
                           DBP(DBI(cid), DBI(fan_id), DBI(expect_version)))
                 : db_exec(c,
                           "UPDATE wechat_fans SET customer_id = ?, version = version + 1"
                           " WHERE id = ? AND customer_id IS NULL",
                           DBP(DBI(cid), DBI(fan_id)));
    if (rc == 0) rc = FAN_ESTALE;
    if (rc > 0) {
        json_t *after = fan_state(c, a, fan_id);
        rc = audit_record(c, actor_id, "wechat_fan", fan_id, action, before, after);
        json_decref(after);
    }
    json_decref(before);
    return rc < 0 ? rc : 0;
}

/* The name a customer made from a fan gets when nobody typed one. */
static const char *fan_customer_name(arena *a, const char *nickname, const char *openid)
{
    if (nickname && *nickname) return nickname;
    size_t n = strlen(openid);
    return arena_printf(a, "微信用户 %s", openid + (n > 6 ? n - 6 : 0));
}

/* Automatic transfer (setting wechat.auto_customer): a fan who subscribes
 * and has no customer becomes one — into the pool, or to the salesperson
 * the setting names (the pool when that user cannot own customers). An
 * existing customer whose WeChat is this openid is linked instead. The
 * entry policy's required fields are not applied: a fan brings only an
 * openid; entry_method 'wechat' marks these customers for completion. */
static int fan_auto_customer(db_conn *c, arena *a, int64_t fan_id)
{
    json_t *s = settings_get(c, "wechat");
    const char *mode = json_string_value(json_object_get(s, "auto_customer"));
    json_t *ov = json_object_get(s, "owner_id");
    int64_t owner = json_is_integer(ov) ? json_integer_value(ov) : 0;
    bool off = !mode || strcmp(mode, "off") == 0, to_owner = mode && strcmp(mode, "owner") == 0;
    json_decref(s);
    if (off) return 0;
    db_res res;
    int rc =
        db_query(c, a, &res, "SELECT openid, nickname, customer_id FROM wechat_fans WHERE id = ?",
                 DBP(DBI(fan_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    if (db_cell(&res, 0, "customer_id")->t != DBV_NULL) return 0;
    const char *openid = db_get_text(&res, 0, "openid");
    const char *nickname = db_get_text(&res, 0, "nickname");
    if (!to_owner) owner = 0;
    if (owner) {
        int64_t ok = 0;
        db_scalar_int(c, &ok, 0,
                      "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                      " ('salesperson', 'sales_manager')",
                      DBP(DBI(owner)));
        if (!ok) {
            tf_log("warn",
                   "msg=\"wechat auto_customer owner cannot own customers; using the pool\""
                   " owner_id=%lld",
                   (long long)owner);
            owner = 0;
        }
    }
    int64_t cid = 0;
    db_scalar_int(c, &cid, 0, "SELECT id FROM customers WHERE wechat_norm = ? ORDER BY id LIMIT 1",
                  DBP(DBS(ts_normalize(a, openid))));
    if (!cid) {
        json_t *f = json_pack("{s:s, s:s}", "name", fan_customer_name(a, nickname, openid),
                              "wechat", openid);
        customer_input in = {.fields = f, .owner_id = owner, .entry_method = "wechat"};
        rc = customer_insert(c, a, &in, 0, &cid);
        json_decref(f);
        if (rc < 0) return rc;
    }
    return fan_link(c, a, fan_id, cid, 0, 0, "auto_transfer");
}

/* What the event does to the fan (nothing for a retried one). */
static int event_apply(db_conn *c, arena *a, int64_t fan_id, bool created, const wx_event *ev,
                       const char *now)
{
    int rc = 0;
    json_t *before = NULL;
    switch (ev->kind) {
    case WXK_SUBSCRIBE: {
        bool back = false; /* a fan who had unsubscribed returns */
        if (!created) {
            before = fan_state(c, a, fan_id);
            rc = db_exec(c,
                         "UPDATE wechat_fans SET subscribed = TRUE, subscribed_at = ?,"
                         " version = version + 1 WHERE id = ? AND subscribed = FALSE",
                         DBP(DBS(now), DBI(fan_id)));
            back = rc > 0;
        }
        if (back) {
            json_t *after = fan_state(c, a, fan_id);
            rc = audit_record(c, 0, "wechat_fan", fan_id, "subscribe", before, after);
            json_decref(after);
        }
        /* an already subscribed fan is left alone */
        if (rc >= 0 && (created || back)) rc = fan_auto_customer(c, a, fan_id);
        break;
    }
    case WXK_UNSUBSCRIBE:
        if (created) break;
        before = fan_state(c, a, fan_id);
        rc = db_exec(c,
                     "UPDATE wechat_fans SET subscribed = FALSE, unsubscribed_at = ?,"
                     " version = version + 1 WHERE id = ? AND subscribed = TRUE",
                     DBP(DBS(now), DBI(fan_id)));
        if (rc > 0) {
            json_t *after = fan_state(c, a, fan_id);
            rc = audit_record(c, 0, "wechat_fan", fan_id, "unsubscribe", before, after);
            json_decref(after);
        }
        break;
    case WXK_MESSAGE:
        /* the preview is the system's, not the user's: no version bump */
        rc = db_exec(c, "UPDATE wechat_fans SET last_message = ?, last_message_at = ? WHERE id = ?",
                     DBP(DBS(ev->preview), DBS(now), DBI(fan_id)));
        break;
    case WXK_EVENT:
        break;
    }
    json_decref(before);
    return rc < 0 ? rc : 0;
}

/* POST /wechat/callback — a message or event from WeChat (plaintext mode).
 * Public like the GET: the signed query is checked before anything else is
 * read. Answers "success" as plain text, WeChat's contract, also for a
 * retried message (stored once) and for message types we only keep. */
static int h_wechat_callback(req *r)
{
    if (callback_verify(r) < 0) return 0;
    if (!r->body_len)
        return reply_problem(r, 400, "bad_request", "the body is empty: send the XML message");
    wx_msg m;
    char err[160];
    int rc = wx_parse(&r->a, r->body, r->body_len, &m, err, sizeof(err));
    if (rc == WX_ETOOBIG) return reply_problem(r, 413, "payload_too_large", "%s", err);
    if (rc == WX_EDEPTH) return reply_problem(r, 400, "too_deep", "%s", err);
    if (rc < 0) return reply_problem(r, 400, "bad_request", "the XML message is refused: %s", err);
    wx_event ev;
    const char *bad = event_from(&r->a, &m, &ev);
    if (bad) return reply_problem(r, 400, "bad_request", "%s", bad);
    char now[TF_TS_LEN];
    tf_now(now);
    int64_t fan_id = 0;
    bool created = false, dup = false;
    rc = db_begin(r->db);
    if (rc >= 0) rc = fan_ensure(r->db, &r->a, &ev, now, &fan_id, &created);
    if (rc >= 0) rc = message_store(r->db, &r->a, fan_id, &ev, now, &dup);
    if (rc >= 0 && !dup) rc = event_apply(r->db, &r->a, fan_id, created, &ev, now);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        /* a transfer raced the automatic one: answer 503, WeChat retries */
        return reply_db_error(r, rc == FAN_ESTALE ? DB_EBUSY : rc);
    }
    return reply_raw(r, 200, "text/plain; charset=utf-8", "success", 7);
}

/* The fans screen ---------------------------------------------------------- */

static int parse_flag(req *r, const char *name, int *out)
{
    const char *p = req_query(r, name);
    *out = -1;
    if (!p || !*p) return 0;
    if (strcmp(p, "true") && strcmp(p, "false"))
        return reply_problem(r, 400, "bad_request", "%s must be true or false", name), -1;
    *out = strcmp(p, "true") == 0;
    return 0;
}

/* GET /wechat/fans?q=&subscribed=&linked=&limit=&cursor= — newest first. */
static int h_wechat_fans_list(req *r)
{
    int limit, subscribed, linked;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    if (parse_flag(r, "subscribed", &subscribed) < 0 || parse_flag(r, "linked", &linked) < 0)
        return 0;
    const char *s = req_query(r, "q");
    if (s && tf_utf8_len(s) > 100) return reply_problem(r, 400, "bad_request", "q is too long");
    sqlq q;
    fan_select(r, &q);
    if (s && *s) {
        /* q is a substring, not a pattern */
        char *pat = tf_like_contains(&r->a, s);
        sqlq_add(&q,
                 " AND (LOWER(COALESCE(f.nickname, '')) LIKE LOWER(?) ESCAPE '\\'"
                 " OR LOWER(f.openid) LIKE LOWER(?) ESCAPE '\\'"
                 " OR LOWER(COALESCE(c.name, '')) LIKE LOWER(?) ESCAPE '\\')",
                 3, (db_val[]){DBS(pat), DBS(pat), DBS(pat)});
    }
    if (subscribed >= 0) sqlq_add(&q, " AND f.subscribed = ?", 1, (db_val[]){DBB(subscribed)});
    if (linked == 1) sqlq_add(&q, " AND f.customer_id IS NOT NULL", 0, NULL);
    if (linked == 0) sqlq_add(&q, " AND f.customer_id IS NULL", 0, NULL);
    sqlq_add(&q, " AND (? = 0 OR f.id < ?) ORDER BY f.id DESC LIMIT ?", 3,
             (db_val[]){DBI(cursor), DBI(cursor), DBI(limit + 1)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page(r, fan_rows_json(&res), limit, "id");
}

/* GET /wechat/fans/{id} — the fan with their latest messages. */
static int h_wechat_fans_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? fan_view(r, id) : NULL;
    if (!o) return reply_not_found(r);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, msg_id, kind, content, at FROM wechat_messages WHERE fan_id = ?"
                      " ORDER BY id DESC LIMIT ?",
                      DBP(DBI(id), DBI(WX_RECENT_MESSAGES)));
    if (rc < 0) {
        json_decref(o);
        return reply_db_error(r, rc);
    }
    json_object_set_new(o, "messages", db_rows_json(&res));
    return reply_json(r, 200, o);
}

static int h_wechat_fans_history(req *r)
{
    int64_t id = req_id(r, 0), n = 0;
    if (id > 0)
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM wechat_fans WHERE id = ?", DBP(DBI(id)));
    if (!n) return reply_not_found(r);
    return audit_reply_history(r, "wechat_fan", id);
}

/* Manual transfer ----------------------------------------------------------- */

/* The customer fields a transfer may create a customer with (those of
 * POST /customers; the owner is the caller). */
/* clang-format off */
static const field create_spec[] = {
    {"name", F_STR, 0, 200, 1},          {"phone", F_STR, F_NULL, 40, 0},
    {"telephone", F_STR, F_NULL, 40, 0}, {"address", F_STR, F_NULL, 300, 0},
    {"wechat", F_STR, F_NULL, 64, 0},    {"email", F_STR, F_NULL, 200, 0},
    {"qualification_id", F_INT, F_NULL, 0, 1}, {"region_id", F_INT, F_NULL, 0, 1},
    {"industry_id", F_INT, F_NULL, 0, 1},      {"source_id", F_INT, F_NULL, 0, 1},
    {"level_id", F_INT, F_NULL, 0, 1},         {"followup_method_id", F_INT, F_NULL, 0, 1},
    {"notes", F_STR, F_NULL, 5000, 0},   {"custom", F_OBJ, 0, 0, 0},
    {"signed", F_BOOL, 0, 0, 0},         {"confirm_duplicates", F_BOOL, 0, 0, 0},
    FIELDS_END};
/* clang-format on */

/* 422 (invalid) or 409 (duplicates to confirm) for the customer to create;
 * steals errs and dups. Field names are prefixed "create.". */
static int reply_create_problem(req *r, json_t *errs, json_t *dups, bool warning)
{
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        if (f && strncmp(f, "create.", 7) != 0)
            json_object_set_new(e, "field", json_string(arena_printf(&r->a, "create.%s", f)));
    }
    return reply_problem_with(
        r, warning ? 409 : 422, warning ? "duplicate_warning" : "validation_failed",
        warning ? "similar customers exist; send create.confirm_duplicates to enter it anyway"
                : "the customer to create has invalid fields",
        json_pack("{s:o, s:o}", "errors", errs, "duplicates", dups ? dups : json_array()));
}

/* POST /wechat/fans/{id}/transfer {"customer_id": N} | {"create": {...}},
 * optional "version" — links the fan to a customer the caller may write
 * to, or creates one for the caller (permission customers.create, the entry
 * policy applies; name and WeChat default to the fan's). A fan linked to a
 * customer can be moved only by someone who may also write to that one. */
static int h_wechat_fans_transfer(req *r)
{
    static const field spec[] = {{"customer_id", F_INT, 0, 0, 1},
                                 {"create", F_OBJ, 0, 0, 0},
                                 {"version", F_INT, 0, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *create = json_object_get(r->in, "create");
    int64_t target = in_int(r, "customer_id", 0);
    if (!create == !target)
        return reply_invalid(
            r, json_pack("[o]", field_error("customer_id", create ? "invalid" : "required",
                                            "send customer_id or create, not both")));
    json_t *errs = json_array();
    if (create) input_check_obj(create, create_spec, "create.", errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    if (create && !policy_allows(&r->me, "customers.create"))
        return reply_problem(r, 403, "forbidden", "you may not enter customers");
    if (target) {
        tf_access acc = policy_customer_access(r->db, &r->me, target);
        if (acc == ACCESS_NONE)
            return reply_invalid(
                r, json_pack("[o]", field_error("customer_id", "not_found", "no such customer")));
        if (acc < ACCESS_WRITE)
            return reply_problem(r, 403, "forbidden", "you may not change this customer");
    }
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *fan = fan_state(r->db, &r->a, id);
    if (!fan) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    int64_t version = json_integer_value(json_object_get(fan, "version"));
    json_t *cur = json_object_get(fan, "customer_id");
    int64_t current = json_is_integer(cur) ? json_integer_value(cur) : 0;
    const char *openid = arena_strdup(&r->a, json_string_value(json_object_get(fan, "openid")));
    const char *nickname = arena_strdup(&r->a, json_string_value(json_object_get(fan, "nickname")));
    json_decref(fan);
    if (in_has(r, "version") && in_int(r, "version", 0) != version) {
        db_rollback(r->db);
        return reply_conflict_version(r, version);
    }
    if (current && current == target) { /* already there: nothing to do */
        db_rollback(r->db);
        return reply_json(r, 200, fan_view(r, id));
    }
    if (current && policy_customer_access(r->db, &r->me, current) < ACCESS_WRITE) {
        db_rollback(r->db);
        return reply_problem(r, 403, "forbidden",
                             "the fan is linked to a customer you may not change");
    }
    if (create) {
        json_t *f = json_deep_copy(create), *dups = NULL;
        if (!json_string_value(json_object_get(f, "name")))
            json_object_set_new(f, "name", json_string(fan_customer_name(&r->a, nickname, openid)));
        if (!json_object_get(f, "wechat")) json_object_set_new(f, "wechat", json_string(openid));
        errs = json_array();
        int chk = customer_check(r->db, &r->a, f, 0, true, errs, &dups);
        if (chk < 0 || json_array_size(errs) ||
            (chk == 1 && !json_is_true(json_object_get(f, "confirm_duplicates")))) {
            db_rollback(r->db);
            json_decref(f);
            return reply_create_problem(r, errs, dups, chk == 1 && !json_array_size(errs));
        }
        json_decref(errs);
        json_decref(dups);
        customer_input in = {.fields = f, .owner_id = r->me.id, .entry_method = "wechat"};
        rc = customer_insert(r->db, &r->a, &in, r->me.id, &target);
        json_decref(f);
    }
    if (rc >= 0) rc = fan_link(r->db, &r->a, id, target, version, r->me.id, "transfer");
    if (rc >= 0) rc = db_commit(r->db);
    if (rc == FAN_ESTALE) { /* someone changed the fan since we read its version */
        db_rollback(r->db);
        return reply_problem(r, 409, "version_conflict", "the fan was changed meanwhile; reload");
    }
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, fan_view(r, id));
}

/* GET /customers/{id}/wechat — the fans linked to a customer the user sees. */
static int h_customer_wechat(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, openid, nickname, subscribed, subscribed_at, unsubscribed_at,"
                      " last_message, last_message_at, version FROM wechat_fans"
                      " WHERE customer_id = ? ORDER BY id LIMIT ?",
                      DBP(DBI(id), DBI(PAGE_MAX)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res);
    json_t *first = json_object_get(json_array_get(items, 0), "openid");
    return reply_json(r, 200,
                      json_pack("{s:I, s:O, s:o}", "customer_id", (json_int_t)id, "wechat_openid",
                                first ? first : json_null(), "fans", items));
}

const route wechat_routes[] = {
    {"GET", "/api/v1/wechat/callback", h_wechat_verify, PERM_PUBLIC, 0,
     QUERY("signature! timestamp! nonce! echostr!") REPLIES("403")
     "WeChat server URL check: echoes echostr when signature = SHA-1 of the sorted token,"
     " timestamp and nonce",
     NULL},
    {"POST", "/api/v1/wechat/callback", h_wechat_callback, PERM_PUBLIC, WX_BODY_MAX,
     QUERY("signature! timestamp! nonce!") REPLIES("403")
     "WeChat message or event (XML, signed query): subscribe, unsubscribe, messages;"
     " answers \"success\"",
     "text/xml"},
    {"GET", "/api/v1/wechat/fans", h_wechat_fans_list, "wechat.read", 0,
     QUERY("page q subscribed=bool linked=bool")
     "Official-account fans (q on nickname, openid or customer; subscribed, linked)", NULL},
    {"GET", "/api/v1/wechat/fans/{id}", h_wechat_fans_get, "wechat.read", 0,
     "A fan with their latest messages", NULL},
    {"GET", "/api/v1/wechat/fans/{id}/history", h_wechat_fans_history, "wechat.read", 0,
     QUERY("page")
     "Every change to a fan: subscriptions and transfers", NULL},
    {"POST", "/api/v1/wechat/fans/{id}/transfer", h_wechat_fans_transfer, "wechat.read", 65536,
     "Turn a fan into a customer: link an existing one (customer_id) or create one (create)",
     "{\"type\":\"object\",\"properties\":{\"customer_id\":{\"type\":\"integer\"},\"create\":{"
     "\"type\":\"object\"},\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/customers/{id}/wechat", h_customer_wechat, PERM_SIGNED_IN, 0,
     "The WeChat fans linked to a customer (wechat_openid: the first one's openid)", NULL},
    ROUTES_END,
};

/* Demo data ------------------------------------------------------------------ */

/* A few fans of the demo company's account, some linked to demo customers
 * (by their WeChat), with messages. Runs inside the demo transaction. */
int wechat_demo(db_conn *c, arena *a)
{
    /* clang-format off */
    static const struct {
        const char *openid, *nickname, *customer_wechat;
        int days_ago;
        bool subscribed;
        const char *msgs[2];
    } fans[] = {
        {"oTf3q5YutongCgWx0a9kLmN3pQr7", "宇通采购-王", "yutong_motor", 40, true,
         {"请问 2.0×8.0 聚酰亚胺薄膜绕包扁铜线的交期多久？", "收到报价，谢谢。"}},
        {"oTf3q5NyFangbaoQ2sTuVwXy01z", "南阳防爆-李工", "ny_fangbao", 25, true,
         {"样品已收到，下周安排试绕。", NULL}},
        {"oTf3q5ShEdriveR8mK4nB6vC2xZ", "电驱动-孙主任", "sh_edrive", 12, true,
         {"有没有 150kg 木盘包装的玻璃丝包铝线？", NULL}},
        {"oTf3q5RaoxianA1b2C3d4E5f6G7h", "绕线小能手", NULL, 8, true,
         {"你们的薄膜绕包线能做到多薄的绝缘层？", NULL}},
        {"oTf3q5MotorFan9Zy8Xw7Vu6Ts5", "电机爱好者", NULL, 3, true, {NULL, NULL}},
        {"oTf3q5ZhouK0j9H8g7F6e5D4c3b", "Mr. Zhou", NULL, 60, false, {"报价单收到了", NULL}},
    };
    /* clang-format on */
    time_t now = time(NULL);
    for (size_t i = 0; i < sizeof(fans) / sizeof(fans[0]); i++) {
        char sub_at[TF_TS_LEN], unsub_at[TF_TS_LEN], msg_at[TF_TS_LEN];
        tf_ts(sub_at, now - (time_t)fans[i].days_ago * 86400);
        tf_ts(unsub_at, now - (time_t)fans[i].days_ago * 43200);
        tf_ts(msg_at, now - (time_t)fans[i].days_ago * 86400 + 3600);
        int64_t cid = 0;
        if (fans[i].customer_wechat)
            db_scalar_int(c, &cid, 0, "SELECT id FROM customers WHERE wechat = ?",
                          DBP(DBS(fans[i].customer_wechat)));
        const char *last = NULL;
        for (int k = 0; k < 2; k++)
            if (fans[i].msgs[k]) last = fans[i].msgs[k];
        db_res res;
        int rc = db_query(c, a, &res,
                          "INSERT INTO wechat_fans(openid, nickname, subscribed, subscribed_at,"
                          " unsubscribed_at, last_message, last_message_at, customer_id,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          DBP(DBS(fans[i].openid), DBS(fans[i].nickname), DBB(fans[i].subscribed),
                              DBS(sub_at), DBS(fans[i].subscribed ? NULL : unsub_at), DBS(last),
                              DBS(last ? msg_at : NULL), cid ? DBI(cid) : DBNULL, DBS(sub_at)));
        if (rc <= 0) return rc < 0 ? rc : DB_ERR;
        int64_t id = db_get_int(&res, 0, "id");
        for (int k = 0; k < 2; k++) {
            if (!fans[i].msgs[k]) continue;
            rc = db_exec(c,
                         "INSERT INTO wechat_messages(fan_id, msg_id, kind, content, at)"
                         " VALUES (?, ?, 'text', ?, ?)",
                         DBP(DBI(id), DBS(arena_printf(a, "2460100000000%02zu%d", i, k)),
                             DBS(fans[i].msgs[k]), DBS(msg_at)));
            if (rc < 0) return rc;
        }
        json_t *after = fan_state(c, a, id);
        rc = audit_record(c, 0, "wechat_fan", id, "create", NULL, after);
        json_decref(after);
        if (rc < 0) return rc;
    }
    return 0;
}
