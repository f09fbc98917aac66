/* products.h — what the products module publishes for the others: the one
 * pricing function quotations call (pricing.c), and the helpers its own
 * files share (a product's JSON, reference checks, company dates). */
#ifndef TF_PRODUCTS_H
#define TF_PRODUCTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/arena.h"
#include "db/db.h"

/* Bounds of the catalogue's figures: a price or cost per unit up to
 * 100 million yuan, a quantity up to a million tonnes in thousandths. */
#define PRODUCT_PRICE_MAX 10000000000LL /* fen */
#define PRODUCT_QTY_MAX 1000000000000LL /* thousandths of a unit */

/* Pricing ------------------------------------------------------------------
 * The price of qty_milli of a product for a customer on a date (the
 * company's date "YYYY-MM-DD"). The rules that apply: active, valid on the
 * date (from / to inclusive), of the customer's tier or of none, for the
 * product, a category above it (the product's own or an ancestor) or every
 * product, with a minimum quantity the quantity reaches. The most specific
 * wins: a product rule over a category rule (the nearer category first)
 * over one for all products; a tier rule over a general one; the larger
 * quantity break; then the newest. No rule: the list price. */
typedef struct price_quote {
    int64_t list_price;  /* fen per unit */
    int64_t discount_bp; /* 0..10000 */
    int64_t unit_price;  /* list price less the discount, rounded to the fen */
    int64_t line_total;  /* unit price × quantity, rounded to the fen */
    int64_t tax_bp;
    int64_t rule_id;       /* 0: no rule */
    const char *rule_name; /* NULL: no rule */
    int64_t tier_id;       /* the customer's tier, 0 when none */
    const char *tier_name;
} price_quote;
enum {
    PRICING_OK = 0,
    PRICING_NO_PRODUCT = 1,  /* no such product */
    PRICING_RETIRED = 2,     /* the product is retired: it cannot be newly priced */
    PRICING_NO_CUSTOMER = 3, /* no such customer */
    PRICING_BAD_QTY = 4,     /* quantity <= 0 or above PRODUCT_QTY_MAX */
    PRICING_BAD_DATE = 5,
    PRICING_OVERFLOW = 6,    /* the line total does not fit */
};
/* Returns PRICING_* (>= 0) or a negative DB_E* code. customer_id 0: no
 * customer (general rules only). Strings live in a. */
int pricing_quote(db_conn *c, arena *a, int64_t customer_id, int64_t product_id, int64_t qty_milli,
                  const char *date, price_quote *out);
/* The largest discount (basis points) the role may give by hand. */
int64_t pricing_role_limit(db_conn *c, const char *role);

/* Stock ----------------------------------------------------------------------
 * Inside the caller's transaction: records a movement (cause: opening,
 * adjustment, delivery, return; qty_milli signed, unit cost in fen) and adds
 * it to the stock on hand. Returns the movement's id, 0 when the warehouse
 * allows no negative stock and this would take it below zero (nothing
 * written), or a negative DB_E* code. */
int64_t stock_move(db_conn *c, arena *a, int64_t product, int64_t warehouse, int64_t qty,
                   int64_t unit_cost, const char *cause, const char *reference, const char *reason,
                   int64_t user);

/* Start-up: declares the products import (product_files.c). */
void products_register(void);

/* Shared within the module ------------------------------------------------- */
struct req;
struct sqlq;
/* The product list's query for the request's filters (q, category_id,
 * active; the standard cost for those who see it) in sq, without order or
 * page: 0, or -1 after a 400. GET /products and its export share it. */
int products_query(struct req *r, struct sqlq *sq);
/* A product's JSON as GET /products/{id} shows it (cost: with its standard
 * cost), or NULL. Caller owns. */
json_t *product_load(db_conn *c, arena *a, int64_t id, bool cost);
/* The canonical word of a conductor, insulation or unit (what) written in
 * English or Chinese ("铜" → "copper", "千克" → "kg"), or NULL. */
const char *products_word(const char *what, const char *s);
/* Checks a new product's fields (the body of POST /products, already of the
 * right types and lengths): required fields, words, category, packages,
 * a code no other product has. Appends field errors to errs. */
void products_check_new(db_conn *c, arena *a, json_t *in, json_t *errs);
/* Inserts a checked new product inside the caller's transaction (res: its
 * id, RETURNING id) and writes its spec and search text. 1 or < 0. */
int products_insert(db_conn *c, arena *a, json_t *in, int64_t user_id, db_res *res);
/* The company's date today ("YYYY-MM-DD", in a). */
const char *products_today(db_conn *c, arena *a);
/* True for a real date written "YYYY-MM-DD". */
bool products_date_ok(const char *s);
/* Writes a product's spec text and search text from its fields. */
int products_reindex(db_conn *c, arena *a, int64_t id);
/* True if the id names a row of the table (a constant name written in the code). */
bool products_ref_ok(db_conn *c, const char *table, int64_t id);
#endif
