/* server.c — the libmicrohttpd glue: accepting a request, reading its body
 * within the route's limit, the dispatcher (route match, authentication,
 * CSRF, permission, JSON checks), sending the reply (gzip when worth it),
 * access log, metrics, and graceful shutdown on SIGTERM. */
#include "http/server.h"
#include "http/workers.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/static.h"
#include "core/auth.h"
#include "http/auth_req.h"
#include "base/log.h"
#include "base/util.h"
#include <microhttpd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct tf_app tf_app;

static const route **routes; /* flattened tf_route_tables */
static int nroutes;
static atomic_int inflight;
static atomic_int unserved; /* connections accepted whose first request has not begun */
static volatile sig_atomic_t stop_requested;

/* The routes by their key, a path's first three segments ("/api/v1/customers"):
 * a request is matched against the routes of its own key only, and those
 * whose key has a parameter. by_key holds route indexes sorted by key (then
 * index); wild the indexes of keys with a parameter. */
static int *by_key, *wild, nwild;
static size_t *keylen;

static size_t key_len(const char *path)
{
    int slashes = 0;
    size_t i = 0;
    for (; path[i]; i++)
        if (path[i] == '/' && ++slashes == 4) break;
    return i;
}

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : al < bl ? -1 : al > bl;
}

static int by_key_order(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y;
    int c = key_cmp(routes[i]->pattern, keylen[i], routes[j]->pattern, keylen[j]);
    return c ? c : i - j;
}

static void flatten_routes(void)
{
    int n = 0;
    for (const route *const *t = tf_route_tables; *t; t++)
        for (const route *rt = *t; rt->method; rt++) n++;
    routes = calloc((size_t)n + 1, sizeof(*routes));
    by_key = calloc((size_t)n + 1, sizeof(*by_key));
    wild = calloc((size_t)n + 1, sizeof(*wild));
    keylen = calloc((size_t)n + 1, sizeof(*keylen));
    if (!routes || !by_key || !wild || !keylen) abort();
    for (const route *const *t = tf_route_tables; *t; t++)
        for (const route *rt = *t; rt->method; rt++) routes[nroutes++] = rt;
    for (int i = 0; i < nroutes; i++) {
        keylen[i] = key_len(routes[i]->pattern);
        by_key[i] = i;
        if (memchr(routes[i]->pattern, '{', keylen[i])) wild[nwild++] = i;
    }
    qsort(by_key, (size_t)nroutes, sizeof(*by_key), by_key_order);
}

/* Matches path against pattern, filling params. */
static bool match(const char *pattern, const char *path, req *r)
{
    const char *p = pattern, *s = path;
    int np = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = strchr(s, '/');
            if (!pe) return false;
            if (!se) se = s + strlen(s);
            if (se == s || np >= 8) return false;
            if (r) r->params[np] = arena_strndup(&r->a, s, (size_t)(se - s));
            np++;
            p = pe + 1;
            s = se;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return false;
        }
    }
    if (*p || *s) return false;
    if (r) r->nparams = np;
    return true;
}

static int nparams_of(const char *pattern)
{
    int n = 0;
    for (; *pattern; pattern++) n += *pattern == '{';
    return n;
}

/* Route i, if it matches r, as the best so far: the method's route with
 * the fewest parameters, the first of those. */
static void consider(req *r, int i, bool *path_known, int *best)
{
    if (!match(routes[i]->pattern, r->path, NULL)) return;
    *path_known = true;
    if (strcmp(routes[i]->method, r->method) != 0) return;
    int np = nparams_of(routes[i]->pattern), bp = *best < 0 ? 0 : nparams_of(routes[*best]->pattern);
    if (*best < 0 || np < bp || (np == bp && i < *best)) *best = i;
}

/* Finds the route; *path_known tells a 405 from a 404. The most specific
 * pattern wins (fewest {params}), whatever the table order:
 * /customers/export is not /customers/{id}. */
static int find_route(req *r, bool *path_known)
{
    *path_known = false;
    int best = -1;
    /* the first route of the request's key (binary search), then the rest */
    size_t kl = key_len(r->path);
    int lo = 0, hi = nroutes;
    while (lo < hi) {
        int mid = (lo + hi) / 2, i = by_key[mid];
        if (key_cmp(routes[i]->pattern, keylen[i], r->path, kl) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < nroutes; lo++) {
        int i = by_key[lo];
        if (key_cmp(routes[i]->pattern, keylen[i], r->path, kl) != 0) break;
        consider(r, i, path_known, &best);
    }
    for (int w = 0; w < nwild; w++) consider(r, wild[w], path_known, &best);
    if (best >= 0) match(routes[best]->pattern, r->path, r);
    return best;
}

/* The requests that hold a CPU for long, computed by workers of their own
 * (workers.c): argon2id password hashing, and whole uploaded or exported
 * files. */
static const struct {
    const char *method, *pattern;
} slow_routes[] = {
    {"POST", "/api/v1/session"},      {"POST", "/api/v1/users"},
    {"PATCH", "/api/v1/users/{id}"},  {"POST", "/api/v1/imports"},
    {"POST", "/api/v1/imports/{id}/dry-run"}, {"GET", "/api/v1/customers/export"},
};

static bool slow_request(const req *r)
{
    for (size_t i = 0; i < sizeof(slow_routes) / sizeof(slow_routes[0]); i++)
        if (strcmp(r->method, slow_routes[i].method) == 0 &&
            match(slow_routes[i].pattern, r->path, NULL))
            return true;
    return false;
}

/* The methods the path allows, for the Allow header of a 405 ("GET, POST"). */
static const char *allowed_methods(req *r)
{
    char *out = arena_alloc(&r->a, 64);
    size_t len = 0;
    for (int i = 0; i < nroutes; i++) {
        if (!match(routes[i]->pattern, r->path, NULL)) continue;
        const char *m = routes[i]->method;
        if (strstr(out, m) || len + strlen(m) + 3 > 64) continue;
        len += (size_t)snprintf(out + len, 64 - len, "%s%s", len ? ", " : "", m);
    }
    return out;
}

static bool unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Depth of the deepest array/object nesting, strings skipped. */
static int json_depth(const char *s, size_t n)
{
    int d = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++d > max) max = d;
        } else if (c == ']' || c == '}') {
            d--;
        }
    }
    return max;
}

static int parse_body(req *r)
{
    if (!unsafe_method(r->method) || r->body_len == 0) return 0;
    const char *ct = req_header(r, "Content-Type");
    const char *raw = r->rt->body_schema; /* a media type, not a schema: the handler parses */
    if (raw && raw[0] != '{') /* any type when the route says star-slash-star (uploads) */
        return ct && (strcmp(raw, "*/*") == 0 || strncasecmp(ct, raw, strlen(raw)) == 0)
                   ? 0
                   : (reply_problem(r, 415, "unsupported_media_type", "send the body as %s", raw),
                      -1);
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' '))
        return reply_problem(r, 415, "unsupported_media_type",
                             "send the body as application/json"),
               -1;
    if (json_depth(r->body, r->body_len) > JSON_MAX_DEPTH)
        return reply_problem(r, 400, "too_deep", "JSON nested deeper than %d levels",
                             JSON_MAX_DEPTH),
               -1;
    json_error_t err;
    r->in = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!r->in)
        return reply_problem(r, 400, "invalid_json", "the body is not valid JSON: %s (at %d)",
                             err.text, err.position),
               -1;
    if (!json_is_object(r->in))
        return reply_problem(r, 400, "invalid_json", "the body must be a JSON object"), -1;
    return 0;
}

static enum MHD_Result arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    bool *ok = cls;
    if (!tf_utf8_valid(key, strlen(key)) || (value && !tf_utf8_valid(value, strlen(value))))
        *ok = false;
    return *ok ? MHD_YES : MHD_NO;
}

/* Path and query arguments (decoded) must be UTF-8 before they go anywhere:
 * PostgreSQL refuses other bytes as a parameter, and JSON cannot carry them. */
static bool url_utf8(req *r)
{
    bool ok = tf_utf8_valid(r->path, strlen(r->path));
    if (ok)
        MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND,
                                  arg_utf8, &ok);
    return ok;
}

static void dispatch(req *r)
{
    bool known = false;
    char err[256];
    if (!url_utf8(r)) {
        reply_problem(r, 400, "bad_request", "the URL is not valid UTF-8");
        return;
    }
    if (strncmp(r->path, "/api/", 5) != 0 && strcmp(r->path, "/healthz") != 0 &&
        strcmp(r->path, "/metrics") != 0) {
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            r->extra_header_name = "Allow";
            r->extra_header_value = "GET, HEAD";
            reply_problem(r, 405, "method_not_allowed", "only GET is allowed here");
            return;
        }
        static_serve(r);
        return;
    }
    int i = find_route(r, &known);
    if (i < 0) {
        if (known) {
            r->extra_header_name = "Allow"; /* RFC 9110: a 405 says what is allowed */
            r->extra_header_value = allowed_methods(r);
            reply_problem(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
        } else {
            reply_problem(r, 404, "not_found", "no such endpoint");
        }
        return;
    }
    r->rt = routes[i];
    r->route_index = i;
    if (r->too_big) {
        reply_problem(r, 413, "payload_too_large", "the body is larger than %zu bytes",
                      r->rt->body_limit ? r->rt->body_limit : (size_t)BODY_DEFAULT);
        return;
    }
    if (r->body_refused) {
        reply_problem(r, 401, "unauthorized", "sign in first");
        return;
    }
    if (!r->db) r->db = db_acquire(tf_app.db, err, sizeof(err));
    if (!r->db) {
        tf_log("error", "no database connection: %s", err);
        reply_problem(r, 503, "unavailable", "the database cannot be reached");
        return;
    }
    if (r->rt->perm != PERM_PUBLIC) {
        int rc = auth_resolve(r);
        if (rc < 0) {
            reply_db_error(r, rc);
            return;
        }
        if (!rc) {
            reply_problem(r, 401, "unauthorized", "sign in first");
            return;
        }
        if (unsafe_method(r->method) && !r->via_token && !auth_csrf_ok(r)) {
            reply_problem(r, 403, "csrf_missing",
                          "the X-CSRF-Token header is missing or does not match the session");
            return;
        }
        if (r->rt->perm[0] && !policy_allows(&r->me, r->rt->perm)) {
            reply_forbidden(r);
            return;
        }
    }
    if (parse_body(r) < 0) return;
    r->rt->fn(r);
    if (r->db->tx_where) {
        tf_log("error", "handler %s %s left a transaction open at %s", r->method, r->rt->pattern,
               r->db->tx_where);
        db_rollback(r->db);
    }
    if (!r->status) reply_problem(r, 500, "internal", "the handler gave no reply");
}

static bool compressible(const char *type)
{
    return type && (strncmp(type, "application/json", 16) == 0 ||
                    strncmp(type, "application/problem+json", 24) == 0 ||
                    strncmp(type, "text/", 5) == 0 || strncmp(type, "application/javascript", 22) == 0 ||
                    strncmp(type, "image/svg", 9) == 0);
}

/* gzip of data into the arena; NULL if it does not pay. */
static char *gzip_buf(arena *a, const char *data, size_t len, size_t *outlen)
{
    z_stream z = {0};
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, len) + 32;
    char *out = arena_alloc(a, cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END && *outlen < len ? out : NULL;
}

/* reply_file: the request's database connection goes back to the pool before
 * the file is sent, so a slow download holds no connection. */
static enum MHD_Result send_file(struct MHD_Connection *conn, req *r)
{
    if (r->db) {
        db_release(r->db);
        r->db = NULL;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd(r->resp_len, r->resp_fd);
    if (!resp) return MHD_NO;
    r->resp_fd = 0; /* MHD owns it now */
    if (r->resp_type) MHD_add_response_header(resp, "Content-Type", r->resp_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->extra_header_name)
        MHD_add_response_header(resp, r->extra_header_name, r->extra_header_value);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Picks the bytes to send (the reply, or its gzip when the client takes it
 * and it pays): in the worker, since compressing is work. */
static void prepare_reply(req *r)
{
    r->send_data = r->resp;
    r->send_len = r->resp_len;
    r->send_gzip = false;
    if (r->resp_fd > 0) return; /* a file: sent from disk as it is */
    const char *ae = req_header(r, "Accept-Encoding");
    if (r->resp_len >= 1024 && ae && strstr(ae, "gzip") && compressible(r->resp_type)) {
        size_t len = r->resp_len;
        const char *z = r->resp_static ? static_gzip(r, &len) : NULL;
        if (!z) z = gzip_buf(&r->a, r->resp, r->resp_len, &len);
        if (z) {
            r->send_data = z;
            r->send_len = len;
            r->send_gzip = true;
        }
    }
}

/* Queues the prepared reply (libmicrohttpd's thread). */
static enum MHD_Result send_reply(struct MHD_Connection *conn, req *r)
{
    if (r->resp_fd > 0) /* a file: sent from disk as it is, MHD closes fd */
        return send_file(conn, r);
    bool gz = r->send_gzip;
    /* not copied: the bytes are static or in the request's arena, which
     * lives until on_completed, after the last byte is sent or the
     * connection is gone */
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->send_len, (void *)r->send_data, MHD_RESPMEM_PERSISTENT);
    if (r->resp_type) MHD_add_response_header(resp, "Content-Type", r->resp_type);
    if (gz) MHD_add_response_header(resp, "Content-Encoding", "gzip");
    MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (!r->resp_static)
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
    if (r->set_cookie) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->extra_header_name)
        MHD_add_response_header(resp, r->extra_header_name, r->extra_header_value);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Did the client close its connection while the request waited in line?
 * (Under overload the line holds requests whose clients gave up; computing
 * them would only delay the living. A client may not half-close and still
 * wait for the reply.) */
static bool client_gone(req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* A worker's part of a request: the reply computed and prepared, the
 * database connection given back, the connection handed back to
 * libmicrohttpd's thread to send it. r is not touched after the resume. */
static void compute(req *r)
{
    if (client_gone(r)) { /* nobody to answer: the 499 of the access log */
        r->status = 499;
        r->resp = "";
        r->resp_len = 0;
        r->computed = true;
        MHD_resume_connection(r->conn);
        return;
    }
    dispatch(r);
    if (r->too_big && !r->rt) {
        r->status = 0;
        reply_problem(r, 413, "payload_too_large", "the body is too large");
    }
    prepare_reply(r);
    if (r->db) {
        db_release(r->db);
        r->db = NULL;
    }
    r->computed = true;
    MHD_resume_connection(r->conn);
}

/* Counts connections that were accepted but whose first request has not been
 * read yet (their worker is busy with another one): a stop waits for those
 * too, since the client has most likely sent its request already. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)conn;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        bool *fresh = malloc(sizeof(*fresh)); /* freed when the connection closes */
        if (!fresh) return;
        *fresh = true;
        *socket_context = fresh;
        atomic_fetch_add(&unserved, 1);
    } else if (*socket_context) {
        bool *fresh = *socket_context;
        if (*fresh) atomic_fetch_sub(&unserved, 1);
        free(fresh);
        *socket_context = NULL;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r) return MHD_NO;
        arena_init(&r->a);
        clock_gettime(CLOCK_MONOTONIC, &r->started);
        r->conn = conn;
        r->method = arena_strdup(&r->a, method);
        r->path = arena_strdup(&r->a, url);
        r->route_index = -1;
        atomic_fetch_add(&inflight, 1);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        bool *fresh = ci ? ci->socket_context : NULL;
        if (fresh && *fresh) {
            *fresh = false;
            atomic_fetch_sub(&unserved, 1);
        }
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t limit = BODY_DEFAULT;
        bool dummy;
        if (!r->rt) {
            int i = find_route(r, &dummy);
            if (i >= 0 && routes[i]->body_limit) limit = routes[i]->body_limit;
        } else if (r->rt->body_limit) {
            limit = r->rt->body_limit;
        }
        /* Past the default size, a body is only kept for someone signed in:
         * nobody anonymous can make the server hold a large upload. */
        if (!r->body_refused && limit > BODY_DEFAULT &&
            r->body_len + *upload_size > BODY_DEFAULT && !r->signed_in) {
            int i = find_route(r, &dummy);
            char err[256];
            if (i >= 0 && routes[i]->perm != PERM_PUBLIC) {
                if (!r->db) r->db = db_acquire(tf_app.db, err, sizeof(err));
                if (r->db && auth_resolve(r) == 0) r->body_refused = true;
                /* a slow upload must not hold a pooled connection; dispatch
                 * takes one again */
                db_release(r->db);
                r->db = NULL;
            }
        }
        if (r->body_refused) {
            /* dropped; dispatch answers 401 */
        } else if (r->body_len + *upload_size > limit) {
            r->too_big = true; /* keep reading and dropping; reply 413 at the end */
        } else {
            /* grow by doubling: a 64 MiB upload arrives in thousands of pieces */
            size_t need = r->body_len + *upload_size + 1;
            if (need > r->body_cap) {
                size_t cap = r->body_cap ? r->body_cap : 4096;
                while (cap < need) cap *= 2;
                if (cap > limit + 1) cap = limit + 1; /* never more than the route takes */
                char *nb = realloc(r->body, cap);
                if (!nb) return MHD_NO;
                r->body = nb;
                r->body_cap = cap;
            }
            memcpy(r->body + r->body_len, upload, *upload_size);
            r->body_len += *upload_size;
            r->body[r->body_len] = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->computed) return send_reply(conn, r); /* back from a worker */
    if (r->status || r->queued) return MHD_YES;  /* already replied, or in line */
    r->queued = true;
    MHD_suspend_connection(conn);
    workers_push(r, slow_request(r));
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    req *r = *con_cls;
    if (!r) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t us = (int64_t)(now.tv_sec - r->started.tv_sec) * 1000000 +
                 (now.tv_nsec - r->started.tv_nsec) / 1000;
    metrics_observe(r->route_index, r->status, us);
    if (tf_app.access_log) {
        /* the decoded path may hold quotes and line breaks (%22, %0A): they
         * must not end the value or forge a log line */
        char *path = arena_strdup(&r->a, r->path);
        for (char *p = path; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\') *p = '?';
        tf_log("info", "msg=access method=%s path=\"%s\" route=\"%s\" status=%d dur_us=%lld user=%lld bytes=%zu",
               r->method, path, r->rt ? r->rt->pattern : "", r->status, (long long)us,
               (long long)(r->signed_in ? r->me.id : 0), r->resp_len);
    }
    if (r->db) db_release(r->db);
    json_decref(r->in);
    free(r->body);
    if (r->resp_fd > 0) close(r->resp_fd);
    arena_free(&r->a);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int parse_listen(const char *listen, char *host, size_t hostlen, uint16_t *port)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen) return -1;
    size_t hl = (size_t)(colon - listen);
    if (hl >= hostlen) return -1;
    memcpy(host, listen, hl);
    host[hl] = 0;
    int64_t p;
    char *end;
    p = strtoll(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535) return -1;
    *port = (uint16_t)p;
    return 0;
}

/* How many connections wait in the listen socket's accept queue (Linux
 * gives it as tcpi_unacked of a listening socket); 0 if unknown. */
static int listen_queue(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return 0;
    return (int)ti.tcpi_unacked;
}

int server_run(const server_config *cfg)
{
    char host[256];
    uint16_t port;
    if (parse_listen(cfg->listen, host, sizeof(host), &port) != 0) {
        fprintf(stderr, "tradeflow: --listen must be HOST:PORT, got \"%s\"\n", cfg->listen);
        return -1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (strcmp(host, "localhost") == 0) snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "tradeflow: --listen host must be an IPv4 address, got \"%s\"\n", host);
        return -1;
    }
    tf_app.db = cfg->db;
    tf_app.secure_cookie = cfg->secure_cookie;
    tf_app.access_log = cfg->access_log;
    if (!tf_app.session_hours) tf_app.session_hours = 12;
    flatten_routes();
    metrics_init(nroutes);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int workers = cfg->threads > 0 ? cfg->threads
                                   : workers_default(db_engine_of(cfg->db) == DB_ENGINE_PG);
    if (workers_start(workers, compute) != 0) {
        fprintf(stderr, "tradeflow: cannot start the request workers\n");
        return -1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tradeflow: cannot listen on %s (in use?)\n", cfg->listen);
        workers_stop();
        return -1;
    }
    tf_log("info", "msg=listening url=http://%s:%u workers=%d db=%s", host, port, workers,
           db_engine_of(cfg->db) == DB_ENGINE_PG ? "postgresql" : "sqlite");
    while (!stop_requested) pause();
    tf_log("info", "msg=stopping inflight=%d unserved=%d", atomic_load(&inflight),
           atomic_load(&unserved));
    if (cfg->on_stop) cfg->on_stop();
    /* Connections the kernel completed but libmicrohttpd has not accepted
     * yet (the listen queue) are requests in flight too: closing the socket
     * would reset them (seen under load, a sign-in sent just before the
     * SIGTERM). They are taken first, for at most 2 s. */
    const union MHD_DaemonInfo *li = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    for (int i = 0; li && i < 200 && listen_queue(li->listen_fd) > 0; i++)
        usleep(10 * 1000);
    MHD_quiesce_daemon(d); /* stop accepting; requests in flight carry on */
    /* Wait (at most 10 s) for requests in flight and for accepted connections
     * whose request is still to be read; a connection that stays silent while
     * nothing else runs gets one second. */
    for (int i = 0, idle = 0; i < 100; i++) {
        if (atomic_load(&inflight) > 0) idle = 0;
        else if (atomic_load(&unserved) == 0 || ++idle > 10) break;
        usleep(100 * 1000);
    }
    workers_stop(); /* what is still in line is computed and resumed first */
    MHD_stop_daemon(d);
    tf_log("info", "msg=stopped");
    return 0;
}
