/* money_doc.c — the figures of a document with lines (money_document) and
 * an amount in Chinese capital numerals (money_chinese), see money.h. Every
 * rounding goes through money.c's functions (money_line_total, money_percent,
 * money_allocate); sums are kept in 128 bits and checked before they are
 * stored. */
#include "core/money.h"
#include <stdbool.h>
#include <string.h>

typedef __int128 i128;

static bool fits(i128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

/* index of rate bp in d->rates, added in increasing order; -1 when full */
static int rate_slot(money_doc *d, int32_t bp)
{
    int i = 0;
    while (i < d->n_rates && d->rates[i].tax_bp < bp)
        i++;
    if (i < d->n_rates && d->rates[i].tax_bp == bp) return i;
    if (d->n_rates == MONEY_MAX_RATES) return -1;
    memmove(&d->rates[i + 1], &d->rates[i], (size_t)(d->n_rates - i) * sizeof(d->rates[0]));
    d->rates[i] = (money_rate_total){.tax_bp = bp};
    d->n_rates++;
    return i;
}

/* the tax of a rate's lines, on what they come to after discounts (gross):
 * added to it, or carved out of it when prices include tax */
static int rate_tax(const money_doc *d, int64_t gross, int32_t bp, int64_t *tax)
{
    if (!d->prices_include_tax) return money_percent(gross, bp, tax);
    return money_ratio(gross, bp, 10000 + (int64_t)bp, tax);
}

int money_document(money_doc *d, money_line *lines, int n)
{
    if (!d || !lines || n <= 0 || n > MONEY_MAX_LINES || d->header_discount < 0) return -1;
    d->amount = d->discount = d->net = d->tax = d->total = 0;
    d->n_rates = 0;
    i128 after_sum = 0;
    for (int i = 0; i < n; i++) {
        money_line *l = &lines[i];
        if (l->qty_milli <= 0 || l->unit_price < 0 || l->discount_bp < 0 ||
            l->discount_bp > 10000 || l->tax_bp < 0 || l->tax_bp > 10000)
            return -1;
        if (money_line_total(l->unit_price, l->qty_milli, &l->amount) != 0 ||
            money_percent(l->amount, l->discount_bp, &l->discount) != 0)
            return -1;
        if (rate_slot(d, l->tax_bp) < 0) return -1;
        after_sum += l->amount - l->discount;
    }
    if (d->header_discount > after_sum) return -1;
    /* the header discount, over what is left of each line */
    int64_t weights[MONEY_MAX_LINES], shares[MONEY_MAX_LINES];
    for (int i = 0; i < n; i++)
        weights[i] = lines[i].amount - lines[i].discount;
    if (d->header_discount > 0) {
        if (money_allocate(d->header_discount, weights, n, shares) != 0) return -1;
    } else {
        memset(shares, 0, (size_t)n * sizeof(shares[0]));
    }
    for (int i = 0; i < n; i++)
        lines[i].header_discount = shares[i];
    /* tax once per rate, then back over the rate's lines by their gross */
    for (int r = 0; r < d->n_rates; r++) {
        int32_t bp = d->rates[r].tax_bp;
        i128 gross = 0;
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (lines[i].tax_bp != bp) continue;
            weights[k] = lines[i].amount - lines[i].discount - lines[i].header_discount;
            gross += weights[k++];
        }
        if (!fits(gross)) return -1;
        int64_t tax = 0;
        if (rate_tax(d, (int64_t)gross, bp, &tax) != 0) return -1;
        if (gross > 0) {
            if (money_allocate(tax, weights, k, shares) != 0) return -1;
        } else {
            memset(shares, 0, (size_t)k * sizeof(shares[0]));
        }
        int64_t net_r = d->prices_include_tax ? (int64_t)gross - tax : (int64_t)gross;
        d->rates[r].net = net_r;
        d->rates[r].tax = tax;
        k = 0;
        for (int i = 0; i < n; i++) {
            money_line *l = &lines[i];
            if (l->tax_bp != bp) continue;
            int64_t g = weights[k];
            l->tax = shares[k++];
            l->net = d->prices_include_tax ? g - l->tax : g;
            if (!fits((i128)l->net + l->tax)) return -1;
            l->total = l->net + l->tax;
        }
    }
    i128 amount = 0, discount = 0, net = 0, tax = 0;
    for (int i = 0; i < n; i++) {
        amount += lines[i].amount;
        discount += (i128)lines[i].discount + lines[i].header_discount;
        net += lines[i].net;
        tax += lines[i].tax;
    }
    if (!fits(amount) || !fits(discount) || !fits(net) || !fits(tax) || !fits(net + tax)) return -1;
    d->amount = (int64_t)amount;
    d->discount = (int64_t)discount;
    d->net = (int64_t)net;
    d->tax = (int64_t)tax;
    d->total = (int64_t)(net + tax);
    return 0;
}

/* Chinese capital numerals --------------------------------------------------- */

static const char *const DIGIT[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
static const char *const PLACE[] = {"仟", "佰", "拾", ""};

typedef struct out {
    char *buf;
    size_t n, len;
    bool overflow;
} out;

static void put(out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->len + k + 1 > o->n) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, k + 1);
    o->len += k;
}

/* one section of four digits (1..9999); a zero inside becomes one 零 */
static void section(out *o, int v)
{
    int d[4] = {v / 1000, v / 100 % 10, v / 10 % 10, v % 10};
    bool zero = false, started = false;
    for (int i = 0; i < 4; i++) {
        if (d[i] == 0) {
            zero = started;
            continue;
        }
        if (zero) put(o, "零");
        put(o, DIGIT[d[i]]);
        put(o, PLACE[i]);
        zero = false;
        started = true;
    }
}

int money_chinese(char *buf, size_t n, int64_t fen)
{
    if (!buf || n == 0) return -1;
    out o = {buf, n, 0, false};
    buf[0] = 0;
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    if (fen < 0) put(&o, "负");
    uint64_t yuan = mag / 100;
    int jiao = (int)(mag / 10 % 10), cents = (int)(mag % 10);
    /* sections of four digits from the top: 万亿, 亿, 万, 元 */
    int sec[4];
    uint64_t y = yuan;
    for (int i = 3; i >= 0; i--) {
        sec[i] = (int)(y % 10000);
        y /= 10000;
    }
    static const char *const UNIT[] = {"万", "亿", "万", ""};
    bool started = false, gap = false;
    for (int i = 0; i < 4; i++) {
        if (sec[i] == 0) {
            if (started) gap = true;
            if (i == 1 && started) put(&o, "亿"); /* 壹万亿: the 亿 group ends here */
            continue;
        }
        if (started && (gap || sec[i] < 1000)) put(&o, "零");
        section(&o, sec[i]);
        put(&o, UNIT[i]);
        started = true;
        gap = false;
    }
    if (yuan > 0) put(&o, "元");
    if (jiao == 0 && cents == 0) {
        if (yuan == 0) put(&o, "零元");
        put(&o, "整");
    } else {
        if (jiao > 0) {
            put(&o, DIGIT[jiao]);
            put(&o, "角");
        } else if (yuan > 0) {
            put(&o, "零");
        }
        if (cents > 0) {
            put(&o, DIGIT[cents]);
            put(&o, "分");
        }
    }
    if (o.overflow) {
        buf[0] = 0;
        return -1;
    }
    return 0;
}
