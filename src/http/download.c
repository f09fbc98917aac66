/* download.c — a finished table file sent as a download (download.h). */
#include "http/download.h"
#include "base/arena.h"

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
