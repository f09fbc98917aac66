/* policy_quotations.c — record visibility of quotations: the one-record
 * answer and the list filter, which must agree (policy_quotations.h). */
#include "core/policy_quotations.h"
#include "db/sqlq.h"

tf_access policy_quotation_access(db_conn *c, const principal *u, int64_t quotation_id)
{
    if (!u || !u->id || !policy_allows(u, "quotations.read")) return ACCESS_NONE;
    arena a;
    arena_init(&a);
    db_res r;
    tf_access acc = ACCESS_NONE;
    if (db_query(c, &a, &r,
                 "SELECT qt.owner_id, cu.owner_id AS customer_owner FROM quotations qt JOIN"
                 " customers cu ON cu.id = qt.customer_id WHERE qt.id = ?",
                 DBP(DBI(quotation_id))) > 0) {
        int64_t owner = db_get_int(&r, 0, "owner_id");
        int64_t cowner = db_get_int(&r, 0, "customer_owner");
        bool writes = policy_allows(u, "quotations.write");
        if (writes && (u->role == ROLE_ADMIN || policy_is_manager_of(c, u->id, owner)))
            acc = ACCESS_MANAGE;
        else if (writes && owner == u->id)
            acc = ACCESS_WRITE;
        else if (owner == u->id || cowner == u->id || policy_sees_owner(c, u, owner) ||
                 policy_is_manager_of(c, u->id, owner))
            acc = ACCESS_READ;
    }
    arena_free(&a);
    return acc;
}

void policy_quotation_filter(const principal *u, sqlq *q)
{
    sqlq_add(q, " AND (cu.owner_id = ? OR (1 = 1", 1, (db_val[]){DBI(u->id)});
    policy_user_filter(u, q, "qt.owner_id");
    sqlq_add(q, "))", 0, NULL);
}
