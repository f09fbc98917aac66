/* demo.h — the demo company (a wire manufacturer) and the users CLI. */
#ifndef TF_DEMO_H
#define TF_DEMO_H
#include <stdio.h>
#include "db/db.h"
/* Loads the demo company unless it is already there; prints the logins to
 * out. Returns 0, or -1 with a message on stderr. */
int demo_load(db *d, const char *password, FILE *out);
/* Adds a user with the given role; department may be 0. */
int cli_user_add(db *d, const char *login, const char *name, const char *role,
                 const char *password, long long department_id);
int cli_user_passwd(db *d, const char *login, const char *password);
int cli_user_disable(db *d, const char *login);
int cli_user_list(db *d, FILE *out);
/* Module demo loaders (demo_steps.c), NULL-terminated; each runs inside the
 * demo transaction and returns 0 or a negative db code. */
extern int (*const tf_demo_steps[])(db_conn *c, arena *a);
#endif
