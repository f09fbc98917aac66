/* http.h — what a handler sees: the request, the route table entry type and
 * the reply/input helpers. The server (server.c) owns the libmicrohttpd glue;
 * the dispatcher enforces the route table (method, authentication, CSRF,
 * permission, body limit, JSON well-formedness) before any handler runs, so a
 * handler never re-checks those.
 *
 * Handler shape (every handler follows it; say why in a comment if not):
 *     static int h_thing_verb(req *r)
 *     {
 *         // 1. record-level policy check (policy.h) if the route needs one
 *         // 2. input_check(r, spec) → struct / locals
 *         // 3. db_begin(r->db) ... db_commit(r->db)   (audit rows inside)
 *         // 4. return reply_json(r, 200, body);
 *     }
 * Handlers return the value of a reply_* call (0). */
#ifndef TF_HTTP_H
#define TF_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "base/arena.h"
#include "core/policy.h"
#include "db/db.h"

typedef struct req req;
typedef int (*handler_fn)(req *r);

/* Permission values for route.perm besides real permission names. */
#define PERM_PUBLIC    NULL /* no sign-in needed */
#define PERM_SIGNED_IN ""   /* any signed-in user; record checks in the handler */

typedef struct route {
    const char *method;  /* GET POST PATCH PUT DELETE */
    const char *pattern; /* "/api/v1/users/{id}" — {name} matches one segment */
    handler_fn fn;
    const char *perm;        /* PERM_PUBLIC, PERM_SIGNED_IN or a permission name */
    size_t body_limit;       /* bytes; 0 means the default (64 KiB) */
    const char *summary;     /* one line for the OpenAPI document */
    const char *body_schema; /* OpenAPI schema of the JSON body as JSON text, or NULL; or a
                              media type ("text/xml"): the handler reads r->body itself */
} route;

#define ROUTES_END                                                                                 \
    {                                                                                              \
        NULL, NULL, NULL, NULL, 0, NULL, NULL                                                      \
    }

/* What the OpenAPI document says of a route beyond its shape, written in
 * front of its summary (openapi.c reads them off; nothing else reads a
 * summary):
 *     QUERY("page q owner=me|pool|ID level_id=id protected=bool cf.*")
 *     REPLIES("429") "Sign in"
 * QUERY lists every query parameter the handler reads, space-separated:
 * `name` is text, `name=int|id|bool|date|time` (time: a date or a
 * timestamp), `name=a|b|ID` one of the words (ID: or an id), `name!` required,
 * `page` is limit (1..500) and cursor, `cf.*` any parameter whose name
 * starts with "cf.". A route without QUERY takes none. REPLIES names 4xx
 * statuses besides those every route of its shape can give (openapi.c). */
#define QUERY(spec)    "?" spec "\n"
#define REPLIES(codes) "!" codes "\n"
#define BODY_DEFAULT   (64 * 1024)
#define JSON_MAX_DEPTH 32
#define PAGE_DEFAULT   50
#define PAGE_MAX       500

struct req {
    arena a;    /* everything below that is allocated lives here */
    void *conn; /* struct MHD_Connection * */
    const route *rt;
    int route_index;
    const char *method, *path;
    const char *params[8]; /* {name} segments in pattern order */
    int nparams;
    char *body; /* NUL-terminated; the server owns it (grown by doubling) */
    size_t body_len, body_cap;
    json_t *in; /* parsed JSON body (object) or NULL; freed by the server */
    principal me;
    bool signed_in, via_token;
    char *session_hash; /* hash of the session token, when cookie auth */
    const char *csrf;   /* the session's CSRF token */
    db_conn *db;
    /* response */
    int status;
    char *resp;
    size_t resp_len;
    const char *resp_type;
    const char *set_cookie;
    const char *extra_header_name, *extra_header_value;
    bool resp_static; /* resp points at embedded data; do not copy */
    int resp_fd;      /* > 0: send this file (resp_len bytes) instead of resp;
                         the server closes it (see reply_file) */
    const char *cache_control;
    struct timespec started;
    bool too_big;
    bool body_refused; /* a large body from someone not signed in: dropped, 401 */
    /* the workers (workers.c): queued, then computed and waiting to be sent */
    struct req *queue_next;
    bool queued, computed;
    const char *send_data; /* the bytes to send (resp, or its gzip) */
    size_t send_len;
    bool send_gzip;
};

/* Replies ------------------------------------------------------------------ */
/* Steals the reference to body. */
int reply_json(req *r, int status, json_t *body);
/* reply_json for a reply with one large member already written as JSON text
 * (the 200 lines of a document, from db_rows_text): body's members, then
 * "member": raw. Steals body and raw (malloc'd; NULL answers 500). */
int reply_json_plus(req *r, int status, json_t *body, const char *member, char *raw, size_t len);
int reply_empty(req *r, int status);
/* data is sent as it is, not copied: it must live until the request ends
 * (static, or in r's arena). */
int reply_raw(req *r, int status, const char *content_type, const char *data, size_t len);
/* Sends `size` bytes of the open file fd (a finished export): the server
 * streams it from the file and closes fd, and gives the request's database
 * connection back before sending, so a slow download holds none. */
int reply_file(req *r, int status, const char *content_type, int fd, size_t size);
/* RFC 9457 problem+json with a stable machine code from the list in reply.c. */
int reply_problem(req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with more members (errors, duplicates, winner...) merged in from
 * extra (stolen; NULL for none). */
int reply_problem_with(req *r, int status, const char *code, const char *detail, json_t *extra);
/* 422 with per-field errors: errors is an array of {field, code, message} (stolen). */
int reply_invalid(req *r, json_t *errors);
/* Maps a DB_E* code to 409 (unique), 409 (fk), 503 (busy/conn) or 500 and logs. */
int reply_db_error(req *r, int rc);
int reply_not_found(req *r);
int reply_forbidden(req *r);
/* 409 for an update against a stale version; tells the current version. */
int reply_conflict_version(req *r, int64_t current_version);

/* Input --------------------------------------------------------------------- */
typedef enum { F_STR, F_INT, F_BOOL, F_OBJ, F_ARR, F_ANY } ftype;
enum { F_REQ = 1, F_NULL = 2 /* null accepted */ };
typedef struct field {
    const char *name;
    ftype type;
    unsigned flags;
    int64_t max; /* F_STR: max code points (0: 200); F_INT: max value (0: none); F_ARR: max items */
    int64_t min; /* F_STR: min code points; F_INT: min value */
} field;
#define FIELDS_END                                                                                 \
    {                                                                                              \
        NULL, F_ANY, 0, 0, 0                                                                       \
    }

/* Checks r->in against spec: body present and an object, no unknown fields,
 * types, lengths, required. On failure it has already replied 400/422 and
 * returns -1; the handler returns 0 then. */
int input_check(req *r, const field *spec);
/* Same check for a nested object (e.g. one approval step); errors are
 * appended to errs with the field prefixed by `prefix`. */
void input_check_obj(json_t *obj, const field *spec, const char *prefix, json_t *errs);
bool in_has(const req *r, const char *name);
const char *in_str(const req *r, const char *name); /* NULL if absent or null */
int64_t in_int(const req *r, const char *name, int64_t dflt);
bool in_bool(const req *r, const char *name, bool dflt);
/* A field error for reply_invalid. */
json_t *field_error(const char *name, const char *code, const char *message);

/* Path and query ----------------------------------------------------------------- */
/* The {id} parameter as a positive integer, or -1 (caller replies 404). */
int64_t req_id(const req *r, int idx);
const char *req_query(const req *r, const char *name);
const char *req_header(const req *r, const char *name);
const char *req_cookie(const req *r, const char *name);
/* limit parameter clamped to [1, PAGE_MAX]; cursor as an id (0 = start).
 * Return -1 after replying 400 when malformed. */
int req_page(req *r, int *limit, int64_t *cursor);
/* {"items": items, "next_cursor": "<last id>" | null}; steals items. */
int reply_page(req *r, json_t *items, int limit, const char *id_field);
/* The same reply straight from a result of up to limit + 1 rows (the extra
 * row tells there is a next page), written as text without building JSON
 * values: what a list handler should end with. */
int reply_page_rows(req *r, const db_res *res, int limit, const char *id_field);
/* The members of such a page as text, `"items":[...],"next_cursor":...`
 * (res's first n rows; more: a cursor from row n - 1's id_field), in r's
 * arena; NULL if it cannot be encoded. */
char *page_members_text(req *r, const db_res *res, int n, bool more, const char *id_field,
                        size_t *len);

/* Routes --------------------------------------------------------------------- */
/* Every route table, in the order of the OpenAPI document (routes.c). */
extern const route *const tf_route_tables[];
json_t *openapi_document(void);
/* The kind of record a pattern's first parameter names ("customer" for
 * /api/v1/customers/{id}/contacts), by the segment in front of it; NULL
 * when the pattern has no parameter, "?" when the segment is not known. */
const char *route_record_kind(const char *pattern);

#endif
