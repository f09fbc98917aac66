/* auth_req.h — who sent a request: the session cookie (with its CSRF token)
 * or a Bearer API token, looked up in the database (core/auth.h keeps the
 * passwords). */
#ifndef TF_AUTH_REQ_H
#define TF_AUTH_REQ_H
#include <stdbool.h>

struct req;
/* Fills r->me from the session cookie or the Bearer token. 1 = signed in,
 * 0 = not, <0 = database error. Sets r->session_hash for cookie sessions. */
int auth_resolve(struct req *r);
/* True if the request carries the CSRF token of its cookie session. */
bool auth_csrf_ok(struct req *r);
#endif
