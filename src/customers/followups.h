/* followups.h — what the follow-up, contact, sharing and reminder files
 * (customer_followups.c, followup_edit.c, contacts.c, customer_shares.c,
 * reminders.c) share:
 * reading the date and time inputs they all take, and creating a reminder
 * (a follow-up's next contact becomes one). */
#ifndef TF_FOLLOWUPS_H
#define TF_FOLLOWUPS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "db/db.h"

/* Parses an input moment: a date "2026-05-01" (its start, UTC, with
 * *date_only set) or an RFC 3339 date-time with a zone, "2026-05-01T09:30Z",
 * "2026-05-01T09:30:00.123+08:00". Years 2000-2999. False if malformed. */
bool when_parse(const char *s, time_t *out, bool *date_only);
/* The message for a field that when_parse refused. */
#define WHEN_FORMAT_MSG                                                                            \
    "must be a date (2026-05-01) or a date-time with a zone (2026-05-01T09:30:00Z, "               \
    "2026-05-01T17:30:00+08:00)"

/* Creates an open reminder for user_id (customer_id 0: none) inside the
 * caller's transaction, with its audit row; due_at is a tf_ts time stamp.
 * *id out (may be NULL). Returns 0 or a DB_E* code. */
int reminder_insert(db_conn *c, arena *a, int64_t user_id, int64_t customer_id, const char *kind,
                    const char *title, const char *notes, const char *due_at, int64_t *id);

/* A follow-up's author may correct or delete it this long after writing it. */
#define FOLLOWUP_EDIT_S 86400

/* One follow-up as the API shows it, with its contact's name and
 * "editable_until" (caller owns), or NULL. No policy check. */
json_t *followup_json(db_conn *c, arena *a, int64_t id);
/* Appends a field error to errs unless contact_id (0: none) is a contact
 * of the customer; 0 or a DB_E* code. */
int followup_contact_check(db_conn *c, int64_t contact_id, int64_t customer_id, json_t *errs);

struct req;
/* The ?version=N of a DELETE; replies 400 and returns -1 when missing. */
int query_version(struct req *r, int64_t *out);
#endif
