/* download.c — a finished table file sent as a download (download.h). */
#include "http/download.h"
#include "base/arena.h"
#include "base/util.h"
#include "core/audit.h"

/* Sends a finished table file as a download. */
int reply_table(req *r, xt_writer *w, xt_format fmt, const char *basename)
{
    int fd;
    size_t size;
    if (xt_finish(w, &fd, &size) < 0)
        return reply_problem(r, 503, "unavailable", "no room to build the file; try again later");
    r->extra_header_name = "Content-Disposition";
    r->extra_header_value =
        arena_printf(&r->a, "attachment; filename=\"%s.%s\"", basename, xt_extension(fmt));
    return reply_file(r, 200, xt_media_type(fmt), fd, size);
}

int reply_export(req *r, xt_writer *w, xt_format fmt, const char *entity, json_t *after,
                 const char *basename)
{
    int rc = db_begin(r->db);
    if (rc >= 0) rc = audit_record(r->db, r->me.id, entity, 0, "export", NULL, after);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(after);
    if (rc < 0) {
        db_rollback(r->db);
        xt_abort(w);
        return reply_db_error(r, rc);
    }
    char now[TF_TS_LEN];
    tf_now(now);
    now[10] = 0;
    return reply_table(r, w, fmt, arena_printf(&r->a, "%s-%s", basename, now));
}
