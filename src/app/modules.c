/* modules.c — start-up registration of the sales modules with the shared
 * engines (approval document types, importable records). Called once by main before any
 * command runs. */
#include "app/modules.h"
#include "pool/customer_pool.h"
#include "projects/projects.h"
#include "products/products.h"
#include "quotations/quotations.h"
#include "contracts/contracts.h"
#include "goods/goods.h"

void modules_register(void)
{
    customer_pool_register();
    projects_register();
    products_register();
    quotations_register();
    contracts_register();
    goods_register();
}
