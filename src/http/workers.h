/* workers.h — the request workers: fixed sets of threads that compute
 * replies, taking requests in the order they arrived (see workers.c). */
#pragma once
#include "http/http.h"

/* The default number of workers for an engine: the CPUs for SQLite (it
 * computes in our threads), 8 for PostgreSQL (ours mostly wait for it). */
int workers_default(bool postgres);
/* Starts n workers for ordinary requests and n for slow ones, each calling
 * run(r) for the requests pushed to their line; 0 on success. */
int workers_start(int n, void (*run)(req *r));
/* Queues r at the end of its line: slow (argon2id, whole files) or not. */
void workers_push(req *r, bool slow);
/* Lets the workers finish what is queued, then joins them. */
void workers_stop(void);
