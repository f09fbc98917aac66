/* fuzz_doc_layout.c — libFuzzer target for the printable document templates
 * an administrator uploads for XLSX and PDF: the layout JSON
 * (export/doc_layout.c: doc_layout_load) and the {{placeholder}} text inside
 * it (export/doc_model.c: doc_text_check, doc_expand against the sample
 * quotation). Asserts: a refused layout or text always says why; an
 * accepted text expands (as text and as XML) with no placeholder left, and
 * a text without braces is kept as it is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export/document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 70000) return 0;
    static json_t *model;
    if (!model) model = doc_sample_model("quotation", "zh-CN", 3);
    char err[256] = "";
    json_t *l = doc_layout_load((const char *)data, size, err, sizeof(err));
    if (!l && !err[0]) abort();
    if (l && !json_is_object(l)) abort();
    json_decref(l);

    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    arena a;
    arena_init(&a);
    doc_ctx x = {.model = model, .line = json_array_get(json_object_get(model, "lines"), 0),
                 .lang = "zh-CN"};
    err[0] = 0;
    if (doc_text_check(s, true, true, err, sizeof(err)) == 0) {
        char *out = doc_expand(&a, &x, s, false);
        if (!out || (strlen(s) == strcspn(s, "{") && strcmp(out, s) != 0)) abort();
        /* the sample's values hold no braces: nothing is left to fill */
        if (strstr(out, "{{") && !strstr(s, "{{{")) abort();
        char *xml = doc_expand(&a, &x, s, true);
        if (!xml) abort();
    } else if (!err[0]) {
        abort();
    }
    arena_free(&a);
    free(s);
    return 0;
}
