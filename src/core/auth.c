/* auth.c — passwords (argon2id via libsodium) and well-formed logins.
 * Sessions and tokens live in the database, stored as SHA-256 hashes only,
 * so several servers can share them and a leaked database reveals no usable
 * token; resolving a request's caller from them is http/auth_req.c's. */
#include "core/auth.h"
#include "base/util.h"
#include <sodium.h>
#include <string.h>

int auth_hash_password(char *out, size_t outlen, const char *password)
{
    if (outlen < crypto_pwhash_STRBYTES) return -1;
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool auth_verify_password(const char *hash, const char *password)
{
    return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool auth_login_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return false;
    return true;
}
