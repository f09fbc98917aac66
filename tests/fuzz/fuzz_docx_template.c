/* fuzz_docx_template.c — libFuzzer target for the Word templates an
 * administrator uploads (export/doc_docx.c: doc_docx_check, then
 * doc_docx_render as a preview does, with the sample quotation). The first
 * byte picks the mode: even, the rest is the uploaded file (the zip); odd,
 * the rest is word/document.xml, packed here (so the fuzzer reaches the run
 * normalising and the placeholders). Asserts: a refusal says why; a template
 * that passes the check renders, to a non-empty DOCX. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/document.h"
#include "zip_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 100000) return 0;
    static json_t *model;
    if (!model) model = doc_sample_model("quotation", "en", 3);
    char *file = NULL;
    size_t len = size - 1;
    if (data[0] & 1) {
        zip_part part = {"word/document.xml", (const char *)data + 1, size - 1};
        file = fuzz_zip(&part, 1, &len);
        if (!file) return 0;
    }
    const char *tpl = file ? file : (const char *)data + 1;
    arena a;
    arena_init(&a);
    char err[256] = "";
    if (doc_docx_check(&a, tpl, len, err, sizeof(err)) == 0) {
        doc_ctx x = {.model = model, .lang = "en"};
        char *out = NULL;
        size_t out_len = 0;
        if (doc_docx_render(&a, &x, tpl, len, NULL, 0, &out, &out_len, err, sizeof(err)) != 0 ||
            !out || out_len == 0) {
            fprintf(stderr, "a checked template did not render: %s\n", err);
            abort();
        }
    } else if (!err[0]) {
        abort();
    }
    arena_free(&a);
    free(file);
    return 0;
}
