/* modules.c — start-up registration of the sales modules with the shared
 * engines (approval document types). Called once by main before any
 * command runs. */
#include "modules.h"
#include "customer_pool.h"
#include "projects.h"

void modules_register(void)
{
    customer_pool_register();
    projects_register();
}
