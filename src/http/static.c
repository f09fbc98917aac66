/* static.c — the embedded front end: exact-path lookup in the table built by
 * tools/embed.c (so no path can reach the file system), content types,
 * caching headers, and a once-made gzip copy of each compressible asset. */
#include "http/static.h"
#include "base/embed.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static pthread_mutex_t gz_mu = PTHREAD_MUTEX_INITIALIZER;
static struct gz_entry {
    char *data;
    size_t len;
    int state; /* 0 not tried, 1 made, -1 does not pay */
} *gz_cache;   /* one per asset, allocated on first use, lives as long as the process */

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return "application/octet-stream";
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "application/javascript; charset=utf-8"},
                 {".mjs", "application/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".json", "application/json"},
                 {".woff2", "font/woff2"},
                 {".woff", "font/woff"},
                 {".ttf", "font/ttf"},
                 {".txt", "text/plain; charset=utf-8"}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

static int find_asset(const char *path)
{
    size_t lo = 0, hi = tf_assets_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(tf_assets[mid].path, path);
        if (c == 0) return (int)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

int static_serve(req *r)
{
    const char *path = r->path;
    if (strstr(path, "..") || strchr(path, '\\'))
        return reply_problem(r, 400, "bad_request", "invalid path");
    int i = find_asset(strcmp(path, "/") == 0 ? "/index.html" : path);
    if (i < 0 && !strchr(strrchr(path, '/') ? strrchr(path, '/') : path, '.'))
        i = find_asset("/index.html"); /* client-side routes get the app shell */
    if (i < 0) return reply_problem(r, 404, "not_found", "no such file");
    const struct embedded_file *f = &tf_assets[i];
    r->resp_static = true;
    r->cache_control = strncmp(f->path, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                           : "no-cache";
    return reply_raw(r, 200, mime_of(f->path), (const char *)f->data, f->len);
}

const char *static_gzip(req *r, size_t *len)
{
    int i = -1;
    for (size_t k = 0; k < tf_assets_count; k++)
        if ((const char *)tf_assets[k].data == r->resp) i = (int)k;
    if (i < 0) return NULL;
    pthread_mutex_lock(&gz_mu);
    if (!gz_cache) gz_cache = calloc(tf_assets_count, sizeof(*gz_cache));
    struct gz_entry *e = gz_cache ? &gz_cache[i] : NULL;
    if (e && e->state == 0) {
        const struct embedded_file *f = &tf_assets[i];
        uLongf cap = compressBound(f->len) + 32;
        z_stream z = {0};
        e->state = -1;
        if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
            char *out = malloc(cap);
            z.next_in = (Bytef *)f->data;
            z.avail_in = (uInt)f->len;
            z.next_out = (Bytef *)out;
            z.avail_out = (uInt)cap;
            if (out && deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < f->len) {
                e->data = out;
                e->len = z.total_out;
                e->state = 1;
            } else {
                free(out);
            }
            deflateEnd(&z);
        }
    }
    const char *out = e && e->state == 1 ? e->data : NULL;
    if (out) *len = e->len;
    pthread_mutex_unlock(&gz_mu);
    return out;
}
