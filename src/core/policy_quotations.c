/* policy_quotations.c — record visibility of the documents that follow their
 * owner and their customer's owner (quotations, contracts): the one-record
 * answer and the list filter, which must agree (policy_quotations.h). */
#include "core/policy_quotations.h"
#include "db/sqlq.h"

/* One document's access from its owner and its customer's owner. sql
 * selects owner_id and customer_owner of the document whose id is bound. */
static tf_access owner_doc_access(db_conn *c, const principal *u, const char *sql, int64_t id,
                                  const char *read_perm, const char *write_perm)
{
    if (!u || !u->id || !policy_allows(u, read_perm)) return ACCESS_NONE;
    arena a;
    arena_init(&a);
    db_res r;
    tf_access acc = ACCESS_NONE;
    if (db_query(c, &a, &r, sql, DBP(DBI(id))) > 0) {
        int64_t owner = db_get_int(&r, 0, "owner_id");
        int64_t cowner = db_get_int(&r, 0, "customer_owner");
        bool writes = policy_allows(u, write_perm);
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

tf_access policy_quotation_access(db_conn *c, const principal *u, int64_t quotation_id)
{
    return owner_doc_access(c, u,
                            "SELECT qt.owner_id, cu.owner_id AS customer_owner FROM quotations qt"
                            " JOIN customers cu ON cu.id = qt.customer_id WHERE qt.id = ?",
                            quotation_id, "quotations.read", "quotations.write");
}

tf_access policy_contract_access(db_conn *c, const principal *u, int64_t contract_id)
{
    return owner_doc_access(c, u,
                            "SELECT ct.owner_id, cu.owner_id AS customer_owner FROM contracts ct"
                            " JOIN customers cu ON cu.id = ct.customer_id WHERE ct.id = ?",
                            contract_id, "contracts.read", "contracts.write");
}

void policy_quotation_filter(const principal *u, sqlq *q)
{
    sqlq_add(q, " AND (cu.owner_id = ? OR (1 = 1", 1, (db_val[]){DBI(u->id)});
    policy_user_filter(u, q, "qt.owner_id");
    sqlq_add(q, "))", 0, NULL);
}

void policy_contract_filter(const principal *u, sqlq *q)
{
    sqlq_add(q, " AND (cu.owner_id = ? OR (1 = 1", 1, (db_val[]){DBI(u->id)});
    policy_user_filter(u, q, "ct.owner_id");
    sqlq_add(q, "))", 0, NULL);
}
