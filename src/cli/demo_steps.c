/* demo_steps.c — the modules' demo data, loaded in this order after the
 * company (departments, users, approval flows) inside the same transaction.
 * A module with demo data adds its function here. */
#include "demo.h"

extern int customers_demo(db_conn *c, arena *a);

int (*const tf_demo_steps[])(db_conn *c, arena *a) = {
    customers_demo,
    NULL,
};
