/* routes.c — the list of every resource's route table, and the record kind a
 * route's {id} names. A new resource adds its table here; the dispatcher, the
 * metrics, the OpenAPI document and `tradeflow routes` all read this one
 * list. */
#include "http/http.h"
#include <string.h>

extern const route system_routes[];
extern const route session_routes[];
extern const route users_routes[];
extern const route departments_routes[];
extern const route approvals_routes[];
extern const route approval_requests_routes[];
extern const route dicts_routes[];
extern const route customers_routes[];
extern const route settings_routes[];
extern const route customer_pool_routes[];
extern const route pool_batch_routes[];
extern const route pool_status_routes[];
extern const route customer_followups_routes[];
extern const route followup_edit_routes[];
extern const route reminders_routes[];
extern const route contacts_routes[];
extern const route customer_shares_routes[];
extern const route imports_routes[];
extern const route customer_export_routes[];
extern const route wechat_routes[];
extern const route document_templates_routes[];
extern const route project_pipeline_routes[]; /* before projects_routes: /projects/board */
extern const route project_list_routes[];
extern const route projects_routes[];
extern const route project_members_routes[];
extern const route project_assign_routes[];
extern const route project_followups_routes[];
extern const route project_process_routes[];
extern const route process_templates_routes[];
extern const route saved_views_routes[];
extern const route dashboard_routes[];
extern const route catalogue_routes[];
extern const route product_files_routes[];
extern const route stock_routes[];
extern const route pricing_routes[];
extern const route price_rules_routes[];
extern const route quotations_routes[];
extern const route quotation_flow_routes[];
extern const route quotation_rates_routes[];
extern const route quotation_document_routes[];
extern const route contracts_routes[];
extern const route contract_flow_routes[];
extern const route contract_amend_routes[];
extern const route contract_document_routes[];
extern const route deliveries_routes[];
extern const route returns_routes[];
extern const route return_flow_routes[];
extern const route gross_profit_routes[];

extern const route payment_plan_routes[];
extern const route invoices_routes[];
extern const route receipts_routes[];
extern const route invoice_receipt_routes[];
extern const route receivables_routes[];

const route *const tf_route_tables[] = {
    system_routes,  session_routes, users_routes,     departments_routes,
    approvals_routes, approval_requests_routes, settings_routes, dicts_routes, customers_routes, customer_pool_routes,
    pool_batch_routes, pool_status_routes,
    contacts_routes, customer_shares_routes, customer_followups_routes, followup_edit_routes, reminders_routes,
    imports_routes, customer_export_routes, wechat_routes,
    project_pipeline_routes, project_list_routes, projects_routes, project_assign_routes,
    project_members_routes, project_followups_routes, project_process_routes,
    process_templates_routes, saved_views_routes, dashboard_routes,
    document_templates_routes,
    product_files_routes, catalogue_routes, stock_routes, pricing_routes, price_rules_routes,
    quotations_routes, quotation_flow_routes, quotation_rates_routes, quotation_document_routes,
    contracts_routes, contract_flow_routes, contract_amend_routes, contract_document_routes,
    deliveries_routes, returns_routes, return_flow_routes, gross_profit_routes,
    payment_plan_routes, invoices_routes, receipts_routes, invoice_receipt_routes, receivables_routes,
    NULL,
};

/* The record kind each collection's {id} names, by the path segment in front
 * of the parameter. `tradeflow routes` prints it and the route matrix test
 * (tests/api/route_matrix.test.mjs) walks every route with a parameter by it,
 * so a new collection must be named here to be tested: its routes print "?"
 * until then, and the test fails. */
static const struct {
    const char *segment, *kind;
} record_kinds[] = {
    {"tokens", "token"},
    {"users", "user"},
    {"departments", "department"},
    {"approval-flows", "approval_flow"},
    {"approvals", "approval"},
    {"settings", "setting"},
    {"dictionaries", "dictionary"},
    {"custom-fields", "custom_field"},
    {"customers", "customer"},
    {"customer-applications", "customer_application"},
    {"contacts", "contact"},
    {"followups", "followup"},
    {"attachments", "attachment"},
    {"followup-templates", "followup_template"},
    {"reminders", "reminder"},
    {"calendar", "calendar_feed"},
    {"imports", "import"},
    {"fans", "wechat_fan"},
    {"projects", "project"},
    {"project-applications", "project_application"},
    {"process-templates", "process_template"},
    {"views", "view"},
    {"document-templates", "document_template"},
    {"product-categories", "product_category"},
    {"products", "product"},
    {"warehouses", "warehouse"},
    {"customer-tiers", "customer_tier"},
    {"price-rules", "price_rule"},
    {"currency-rates", "currency"},
    {"quotations", "quotation"},
    {"contracts", "contract"},
    {"deliveries", "delivery"},
    {"returns", "return"},
};

const char *route_record_kind(const char *pattern)
{
    const char *brace = strchr(pattern, '{');
    if (!brace) return NULL;
    /* the segment before the first parameter: ".../customers/{id}" */
    const char *end = brace - 1, *start = end;
    while (start > pattern && start[-1] != '/') start--;
    size_t len = (size_t)(end - start);
    for (size_t i = 0; i < sizeof(record_kinds) / sizeof(record_kinds[0]); i++)
        if (strlen(record_kinds[i].segment) == len && !strncmp(start, record_kinds[i].segment, len))
            return record_kinds[i].kind;
    return "?";
}
