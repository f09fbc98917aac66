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
/* Splits total into n parts proportional to weights (each >= 0, sum > 0) so
 * that the parts sum exactly to total: largest remainder, ties to the lower
 * index. A negative total is split as its magnitude, then negated
 * (INT64_MIN is refused). */
int money_allocate(int64_t total, const int64_t *weights, int n, int64_t *out);
#endif
