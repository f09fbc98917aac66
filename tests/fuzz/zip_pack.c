/* zip_pack.c — zip_pack.h: a zip written by libzip into a memory buffer. */
#include "zip_pack.h"
#include <stdlib.h>
#include <string.h>
#include <zip.h>

char *fuzz_zip(const zip_part *parts, int n, size_t *len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    for (int i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, parts[i].data, parts[i].len, 0);
        if (!s || zip_file_add(z, parts[i].name, s, ZIP_FL_OVERWRITE) < 0) zip_source_free(s);
    }
    char *out = NULL;
    if (zip_close(z) < 0) {
        zip_discard(z);
    } else if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t size = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        out = size >= 0 ? malloc((size_t)size + 1) : NULL;
        if (out && zip_source_read(src, out, (zip_uint64_t)size) != size) {
            free(out);
            out = NULL;
        }
        *len = (size_t)size;
        zip_source_close(src);
    }
    zip_source_free(src);
    return out;
}
