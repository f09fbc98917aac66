/* demo_steps.c — the modules' demo data, loaded in this order after the
 * company (departments, users, approval flows) inside the same transaction.
 * A module with demo data adds its function here. */
#include "cli/demo.h"

extern int customers_demo(db_conn *c, arena *a);
extern int followups_demo(db_conn *c, arena *a);
extern int pool_demo(db_conn *c, arena *a);
extern int wechat_demo(db_conn *c, arena *a);
extern int projects_demo(db_conn *c, arena *a);
extern int products_demo(db_conn *c, arena *a);
extern int quotations_demo(db_conn *c, arena *a);
extern int contracts_demo(db_conn *c, arena *a);
extern int goods_demo(db_conn *c, arena *a);
extern int finance_demo(db_conn *c, arena *a);
extern int contracts_demo_late(db_conn *c, arena *a);

int (*const tf_demo_steps[])(db_conn *c, arena *a) = {
    customers_demo,
    followups_demo,
    pool_demo,
    wechat_demo,
    projects_demo,
    products_demo,
    quotations_demo,
    contracts_demo,
    finance_demo,
    goods_demo,
    contracts_demo_late, /* keep last: effective contracts nothing was recorded on */
    NULL,
};
