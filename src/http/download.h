/* download.h — sending a finished table file (CSV or XLSX, export/table.h)
 * as an attachment named <basename>.<extension>. */
#ifndef TF_DOWNLOAD_H
#define TF_DOWNLOAD_H
#include "export/table.h"
#include "http/http.h"

int reply_table(req *r, xt_writer *w, xt_format fmt, const char *basename);
#endif
