/* zip_pack.h — packs a few named parts into a zip in memory, so the XLSX and
 * DOCX targets can fuzz the XML inside a package as well as the package. */
#ifndef TF_ZIP_PACK_H
#define TF_ZIP_PACK_H
#include <stddef.h>

typedef struct zip_part {
    const char *name;
    const char *data;
    size_t len;
} zip_part;

/* The zip of the n parts (malloc'd, *len bytes), or NULL. */
char *fuzz_zip(const zip_part *parts, int n, size_t *len);
#endif
