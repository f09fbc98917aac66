/* contract_progress.c — a contract's progress from effective through being
 * fulfilled to completed, driven by what finance and the warehouse record
 * on it (contract_progress.h). The state names are those of the contract
 * state table (contracts module); only these two automatic moves live
 * here. */
#include "contracts/contract_progress.h"
#include "core/audit.h"
#include "base/util.h"
#include <string.h>

bool contract_state_open(const char *state)
{
    return state && (strcmp(state, "effective") == 0 || strcmp(state, "fulfilling") == 0);
}

/* The contract's state, what it still owes us and whether every product of
 * the lines in force was delivered in full. */
static int facts(db_conn *c, arena *a, int64_t id, const char **state, int64_t *due,
                 bool *delivered)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT state, grand_total - returned_value - received AS due,"
                      " (SELECT COUNT(*) FROM (SELECT l.product_id, SUM(l.qty_milli) AS q FROM"
                      " doc_lines l WHERE l.doc_type = 'contract' AND l.doc_id = ct.id AND"
                      " l.revision = ct.revision GROUP BY l.product_id) w LEFT JOIN"
                      " contract_goods g ON g.contract_id = ct.id AND g.product_id ="
                      " w.product_id WHERE COALESCE(g.delivered_milli, 0) < w.q) AS short"
                      " FROM contracts ct WHERE ct.id = ?",
                      DBP(DBI(id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *state = db_get_text(&r, 0, "state");
    *due = db_get_int(&r, 0, "due");
    *delivered = db_get_int(&r, 0, "short") == 0;
    return 0;
}

static int move(db_conn *c, int64_t id, const char *from, const char *to, int64_t actor)
{
    json_t *before = json_pack("{s:s}", "state", from), *after = json_pack("{s:s}", "state", to);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "UPDATE contracts SET state = ?, version = version + 1, updated_at = ?,"
                     " closed_at = CASE WHEN ? = 'completed' THEN ? ELSE closed_at END"
                     " WHERE id = ? AND state = ?",
                     DBP(DBS(to), DBS(now), DBS(to), DBS(now), DBI(id), DBS(from)));
    if (rc > 0) rc = audit_record(c, actor, "contract", id, to, before, after);
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

int contract_progress(db_conn *c, arena *a, int64_t id, int64_t actor)
{
    const char *state;
    int64_t due;
    bool delivered;
    int rc = facts(c, a, id, &state, &due, &delivered);
    if (rc < 0) return rc;
    if (strcmp(state, "effective") == 0) {
        rc = move(c, id, "effective", "fulfilling", actor);
        if (rc < 0) return rc;
        state = "fulfilling";
    }
    if (strcmp(state, "fulfilling") == 0 && delivered && due <= 0)
        rc = move(c, id, "fulfilling", "completed", actor);
    return rc;
}
