/* serve_lock.h — one server per SQLite file (see serve_lock.c). */
#ifndef TF_SERVE_LOCK_H
#define TF_SERVE_LOCK_H

/* For a sqlite: URL, claims the database file for this process until it
 * exits; 0 when it is ours (or the URL is PostgreSQL, which takes several
 * servers), -1 after printing why not. */
int serve_lock(const char *url);

#endif
