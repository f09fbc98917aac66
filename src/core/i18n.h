/* i18n.h — the server's message catalogue and local time: everything the
 * server writes for a person (problem titles, field error messages, import
 * reports, export headers and values, reminder mails) in that person's
 * language, English or Simplified Chinese, and dates and times in the
 * company's time zone.
 *
 * Messages are written in English in the code; the catalogue (i18n.c) maps
 * each English text, or a pattern of it with holes ("must be at most {}
 * characters"), to its Chinese text. A text the catalogue does not know
 * stays English. Stable codes never pass through here. */
#ifndef TF_CORE_I18N_H
#define TF_CORE_I18N_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "base/arena.h"
#include "db/db.h"

typedef enum { LANG_EN = 0, LANG_ZH = 1 } tf_lang;

/* "zh", "zh-CN", "zh-Hans"... → LANG_ZH; anything else (NULL too) → LANG_EN. */
tf_lang i18n_lang(const char *tag);
/* The stored form of a language: "en" or "zh-CN". */
const char *i18n_lang_tag(tf_lang l);
/* True if s is a language a user may choose ("en" or "zh-CN"). */
bool i18n_lang_valid(const char *s);
/* The first language of an Accept-Language header that is English or
 * Chinese (by its q order); false when the header names neither ("*",
 * absent, "fr"). */
bool i18n_accept_language(const char *header, tf_lang *out);

/* The message in language l: the catalogue's text for en, or en itself
 * (English, or not in the catalogue). The result lives in a (or is static,
 * or is en). */
const char *i18n_text(arena *a, tf_lang l, const char *en);
/* The title of a problem reply for an HTTP status. */
const char *i18n_status_title(tf_lang l, int status);
/* A short label of the catalogue by key (yes / no / pool ...); the key
 * itself when unknown. */
const char *i18n_label(tf_lang l, const char *key);

/* Local time ------------------------------------------------------------------
 * The company's time zone is the setting "company" {"time_zone": "Area/City"}
 * (an IANA name from /usr/share/zoneinfo); zones are read from their TZif
 * files once and kept, so a conversion takes no lock on the process's TZ. */
#define I18N_DEFAULT_ZONE "Asia/Shanghai"
/* The company's time zone (the setting, or I18N_DEFAULT_ZONE), in a. */
const char *i18n_company_zone(db_conn *c, arena *a);
/* True if the name is a time zone this machine knows. */
bool i18n_zone_valid(const char *name);
/* The offset from UTC in seconds of zone at t (0 for an unknown zone). */
long i18n_zone_offset(const char *zone, time_t t);
/* An ISO-8601 UTC timestamp ("2026-12-07T09:30:00Z") as local text in the
 * zone: "2026-12-07 17:30" (a date alone "2026-12-07" stays as it is).
 * NULL for NULL; a text that is not a timestamp is returned as it is. */
const char *i18n_local_time(arena *a, const char *iso_utc, const char *zone);

/* The language of a request (defined by the reply layer, http/reply.c):
 * the signed-in user's choice, else the request's Accept-Language, else the
 * user's locale (set by an administrator), else English. */
struct req;
tf_lang i18n_req_lang(struct req *r);
#endif
