/* fuzz_money.c — libFuzzer target for the money parser (core/money.c:
 * money_parse reads amounts typed into imports and forms). Asserts: an
 * accepted amount formats (money_format), and the formatted text parses back
 * to the same amount; it is written in Chinese capitals (money_chinese)
 * into a buffer of the documented size; a refusal leaves the output alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 200) return 0;
    char s[201];
    memcpy(s, data, size);
    s[size] = 0;
    int64_t fen = 4242;
    if (money_parse(s, &fen) != 0) {
        if (fen != 4242) abort();
        return 0;
    }
    char buf[64], cn[256];
    int64_t back = 0;
    if (money_format(buf, sizeof(buf), fen) != 0 || money_parse(buf, &back) != 0 || back != fen)
        abort();
    if (money_chinese(cn, sizeof(cn), fen) != 0 || !cn[0]) abort();
    return 0;
}
