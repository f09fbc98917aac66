/* customer_similar.c — the entry checks that forgive how people write: a
 * phone number's format (a Chinese mobile is 11 digits starting 13-19; a
 * landline keeps its area code; 400 / 800 service numbers and numbers with
 * a foreign country code pass), and near duplicates of a name (the same
 * company without its legal form or place name, by customers.name_core:
 * dicts/regions.c says what a core is). customer_check_with (customers.c)
 * calls both. */
#include "customers/customers.h"
#include "dicts/dicts.h"
#include "db/sqlq.h"
#include <string.h>

const char *phone_problem(arena *a, const char *phone)
{
    if (!phone || !*phone) return NULL;
    const char *d = ts_phone(a, phone);
    if (!d || !*d) return "must contain digits";
    for (const char *p = phone; *p; p++)
        if (!strchr("0123456789+-(). ", *p))
            return "may hold only digits, spaces, + - ( )";
    size_t n = strlen(d);
    const char *lead = phone;
    while (*lead == ' ')
        lead++;
    bool foreign = (lead[0] == '+' && strncmp(lead, "+86", 3) != 0) ||
                   (strncmp(lead, "00", 2) == 0 && strncmp(lead, "0086", 4) != 0);
    if (foreign) return n >= 7 && n <= 17 ? NULL : "is not a phone number";
    if (d[0] == '1')
        return n == 11 && d[1] >= '3' && d[1] <= '9'
                   ? NULL
                   : "is not a mobile number: a mobile has 11 digits and starts with 13 to 19";
    if (d[0] == '0')
        return n >= 10 && n <= 16 ? NULL
                                  : "is not a phone number: a landline has its area code"
                                    " (0371-6688 1234)";
    if ((d[0] == '4' || d[0] == '8') && strncmp(d + 1, "00", 2) == 0 && n == 10) return NULL;
    return "is not a phone number: a mobile has 11 digits starting with 13 to 19, a landline"
           " its area code (0371-6688 1234)";
}

int customer_similar(db_conn *c, arena *a, const char *name, int64_t exclude_id, json_t *dups)
{
    const char *place = NULL;
    bool is_city = false;
    const char *core = name_core(a, name, &place, &is_city);
    if (!core || !*core) return 0;
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT c.id, c.number, c.name, u.name AS owner_name FROM customers c"
                      " LEFT JOIN users u ON u.id = c.owner_id WHERE c.name_core = ? AND c.id <> ?"
                      " ORDER BY c.id LIMIT 10",
                      DBP(DBS(core), DBI(exclude_id)));
    int found = 0;
    for (int i = 0; rc > 0 && i < r.nrows && found < 5; i++) {
        if (!customer_similar_place_ok(a, place, is_city, db_get_text(&r, i, "name"))) continue;
        json_t *o = db_row_json(&r, i);
        json_object_set_new(o, "matched", json_string("name_similar"));
        json_array_append_new(dups, o);
        found++;
    }
    return rc < 0 ? rc : found;
}

bool customer_similar_place_ok(arena *a, const char *place, bool place_is_city,
                               const char *other_name)
{
    if (!place_is_city || !place) return true; /* nothing to tell apart by */
    const char *other = NULL;
    bool other_city = false;
    name_core(a, other_name, &other, &other_city);
    return !(place_is_city && other_city && place && other && strcmp(place, other) != 0);
}
