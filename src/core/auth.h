/* auth.h — who is asking: password hashing (argon2id), sessions in the
 * database (cookie + CSRF token), API tokens (Bearer), login throttling. */
#ifndef TF_AUTH_H
#define TF_AUTH_H
#include <stdbool.h>
#include "db/db.h"

#define SESSION_COOKIE "tf_session"
#define LOGIN_MAX_FAILURES 5

/* argon2id hash string of password into out (crypto_pwhash_STRBYTES). */
int auth_hash_password(char *out, size_t outlen, const char *password);
bool auth_verify_password(const char *hash, const char *password);
/* True if s is a well-formed login: 2-64 lower-case ASCII letters, digits,
 * '.', '_' or '-' (sign-in lower-cases what is typed, so nothing else could
 * ever sign in). */
bool auth_login_ok(const char *s);
#endif
