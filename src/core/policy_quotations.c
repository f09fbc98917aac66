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

/* The list filter of a document table aliased `alias`. A salesperson (own
 * scope) sees few documents among many: their ids come from the owner and
 * customer indexes (a short list, walked in id order), instead of testing
 * every row from the newest down. A role that sees every owner adds no
 * condition. A manager: terms on the document's own columns (its customer
 * through a subquery), no join per row. */
static void owner_doc_filter(const principal *u, sqlq *q, const char *table, const char *alias)
{
    db_val me = DBI(u->id);
    if (policy_scope(u) == SCOPE_ALL) return; /* every owner's documents: no condition per row */
    if (policy_scope(u) == SCOPE_OWN) {
        sqlq_add(q,
                 arena_printf(q->a,
                              " AND %s.id IN (SELECT id FROM %s WHERE owner_id = ? UNION SELECT id"
                              " FROM %s WHERE owner_id IN (%s) UNION SELECT id FROM %s WHERE"
                              " customer_id IN (SELECT id FROM customers WHERE owner_id = ?))",
                              alias, table, table, POLICY_MANAGED_OWNERS_SQL, table),
                 3, (db_val[]){me, DBI(policy_manager_id(u)), me});
        return;
    }
    sqlq_add(q,
             arena_printf(q->a,
                          " AND (%s.customer_id IN (SELECT id FROM customers WHERE owner_id = ?)"
                          " OR (1 = 1",
                          alias),
             1, &me);
    policy_user_filter(u, q, arena_printf(q->a, "%s.owner_id", alias));
    sqlq_add(q, "))", 0, NULL);
}

void policy_quotation_filter(const principal *u, sqlq *q)
{
    owner_doc_filter(u, q, "quotations", "qt");
}

void policy_contract_filter(const principal *u, sqlq *q)
{
    owner_doc_filter(u, q, "contracts", "ct");
}
