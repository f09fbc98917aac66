/* money.h — exact money: integer minor units (fen / cents) and quantities in
 * thousandths (wire is sold by the kg). Parsing and formatting amounts, line
 * totals, percentages (discounts, tax) and splitting a total by weights are
 * defined here once, with one rounding rule: half away from zero, to the fen.
 * Never double. Every function returns 0, or -1 on invalid input or when a
 * result would not fit in int64_t (the output is then left unchanged). */
#ifndef TF_MONEY_H
#define TF_MONEY_H
#include <stddef.h>
#include <stdint.h>

/* "1234.5" → 123450, "¥1,234.56" → 123456, "-0.01" → -1. Optional surrounding
 * spaces, one leading '-' or '+', an optional ¥ / ￥ sign, digits with optional
 * thousands commas (groups of three), at most two decimals. */
int money_parse(const char *s, int64_t *fen);
/* "1,234.56", "-0.01", "0.00"; -1 if n is too small (buf then holds ""). */
int money_format(char *buf, size_t n, int64_t fen);
/* unit price × quantity in thousandths, rounded to the fen. qty_milli 1500
 * is 1.5 units (kg). */
int money_line_total(int64_t unit_price_fen, int64_t qty_milli, int64_t *out);
/* fen × basis_points / 10000, rounded to the fen (1250 bp = 12.5 %). */
int money_percent(int64_t fen, int64_t basis_points, int64_t *out);
/* v × num / den (den > 0), rounded to the fen: a tax carved out of a price
 * that includes it is money_ratio(gross, 1300, 11300). */
int money_ratio(int64_t v, int64_t num, int64_t den, int64_t *out);
/* Splits total into n parts proportional to weights (each >= 0, sum > 0) so
 * that the parts sum exactly to total: largest remainder, ties to the lower
 * index. A negative total is split as its magnitude, then negated
 * (INT64_MIN is refused). */
int money_allocate(int64_t total, const int64_t *weights, int n, int64_t *out);

/* A document with lines (quotations, contracts, deliveries, returns): the
 * one place where its figures are computed (money_doc.c). For each line,
 * amount = unit price × quantity; its own discount; its share of the
 * document's discount (allocated over the lines by what is left of each);
 * then tax per rate: the lines of one rate are summed and taxed once
 * (rounded once per rate, as an invoice does), and that tax is allocated
 * back over those lines, so lines, rates and the document always add up
 * exactly. Prices either include tax (the Chinese 含税单价: tax is carved
 * out of the price) or not (tax is added). */
enum { MONEY_MAX_RATES = 16, MONEY_MAX_LINES = 1000 };
typedef struct money_line {
    /* in */
    int64_t unit_price;  /* fen per unit of sale, >= 0 */
    int64_t qty_milli;   /* thousandths of a unit, > 0 */
    int32_t discount_bp; /* the line's discount, 0..10000 basis points */
    int32_t tax_bp;      /* the line's tax rate, 0..10000 (1300 = 13 %) */
    /* out */
    int64_t amount;          /* unit_price × quantity */
    int64_t discount;        /* the line's own discount */
    int64_t header_discount; /* its share of the document's discount */
    int64_t net;             /* without tax, after both discounts */
    int64_t tax;
    int64_t total; /* net + tax: what the customer pays for the line */
} money_line;
typedef struct money_rate_total {
    int32_t tax_bp;
    int64_t net, tax;
} money_rate_total;
typedef struct money_doc {
    /* in */
    int64_t header_discount; /* fen, 0 .. the lines' amounts after their discounts */
    int prices_include_tax;  /* nonzero: unit prices include tax */
    /* out */
    int64_t amount, discount, net, tax, total; /* discount: the lines' and the header's */
    int n_rates;                               /* rates in increasing order */
    money_rate_total rates[MONEY_MAX_RATES];
} money_doc;
/* Computes every line's figures and the document's totals; 0, or -1 on an
 * input out of range (then the figures are not to be used): no lines or
 * more than MONEY_MAX_LINES, a quantity <= 0, a negative price, a discount
 * or tax rate outside 0..10000, more than MONEY_MAX_RATES rates, a header
 * discount below 0 or above what the lines come to, or a figure that would
 * not fit in int64_t. */
int money_document(money_doc *d, money_line *lines, int n);
/* The amount in Chinese capital numerals as written on contracts and
 * invoices (大写): 123456789 fen → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分,
 * 100 → 壹元整, 105 → 壹元零伍分, 0 → 零元整, negative amounts with 负. 0,
 * or -1 when buf (n bytes) is too small. */
int money_chinese(char *buf, size_t n, int64_t fen);
#endif
