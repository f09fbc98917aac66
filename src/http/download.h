/* download.h — sending a finished table file (CSV or XLSX, export/table.h)
 * as an attachment named <basename>.<extension>. */
#ifndef TF_DOWNLOAD_H
#define TF_DOWNLOAD_H
#include "export/table.h"
#include "http/http.h"

int reply_table(req *r, xt_writer *w, xt_format fmt, const char *basename);
/* An export's end: records it in the audit log (entity, action "export",
 * after: what was exported; after is consumed) in a transaction of its own,
 * then sends the file as <basename>-<today>.<extension> (today in UTC).
 * A failed record drops the file and replies with the database error. */
int reply_export(req *r, xt_writer *w, xt_format fmt, const char *entity, json_t *after,
                 const char *basename);
#endif
