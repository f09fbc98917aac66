/* fuzz_wechat_xml.c — libFuzzer target for the WeChat callback parser
 * (wechat/wechat_xml.c): any bytes in, no crash, no leak, no read past the
 * input, and every result within the parser's limits. `make fuzz` builds
 * and runs it (tests/fuzz/fuzz.mk); by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_wechat_xml.c \
 *     src/wechat/wechat_xml.c src/base/arena.c -lexpat -lcrypto -o build/fuzz_wechat_xml
 *   build/fuzz_wechat_xml -max_len=70000 -dict=tests/fuzz/wechat_xml.dict tests/fuzz/wechat_xml/
 * Inputs that ever broke it belong in tests/fuzz/wechat_xml/ (the seed corpus). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wechat/wechat_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    wx_msg m;
    char err[160];
    int rc = wx_parse(&a, (const char *)data, size, &m, err, sizeof(err));
    if (rc == WX_OK) {
        const char *const f[] = {m.to_user, m.from_user, m.create_time, m.msg_type, m.event,
                                 m.event_key, m.content, m.msg_id, m.pic_url, m.media_id,
                                 m.title, m.url, m.label, m.recognition};
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
            if (f[i] && strlen(f[i]) > WX_FIELD_MAX) abort();
    } else if (!err[0] || rc < WX_EDUP) {
        abort(); /* every refusal names a known reason */
    }
    /* the signature never fails on bounded parts */
    char sig[41];
    if (size <= WX_SIG_PART_MAX) {
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = 0;
        if (wx_signature(s, "1700000000", "nonce", sig) != 0) abort();
        free(s);
    }
    arena_free(&a);
    return 0;
}
