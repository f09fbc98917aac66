/* fake_http.h — what the HTTP-side fuzz targets link instead of the server:
 * a stand-in for libmicrohttpd's query-string lookup (the query string is
 * split and unescaped here the way libmicrohttpd does it), the reply_*
 * functions (they record the status and the problem code), and the few
 * database calls the customer filter makes (a fixed list of custom fields).
 * So input.c and customer_filter.c are fuzzed as they are, without a server
 * or a database. */
#ifndef TF_FAKE_HTTP_H
#define TF_FAKE_HTTP_H
#include <stddef.h>
#include "http/http.h"

/* The last reply a handler helper made: status 0 when none. */
extern int fake_status;
extern char fake_code[64];
extern char fake_detail[512];
extern json_t *fake_errors; /* reply_invalid's errors (owned here) */

/* Sets the query string of the fake connection (bytes, not NUL-terminated)
 * and forgets the last reply. fake_end frees what fake_start made. */
void fake_start(const char *query, size_t len);
void fake_end(void);
#endif
