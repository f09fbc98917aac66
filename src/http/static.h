/* static.h — serving the embedded web front end (web/dist). */
#ifndef TF_STATIC_H
#define TF_STATIC_H
#include "http/http.h"
int static_serve(req *r);
/* The gzip form of the asset r->resp points at (made once, then cached), or
 * NULL. *len receives its length. */
const char *static_gzip(req *r, size_t *len);
#endif
