/* embed.h — files compiled into the binary by tools/embed.c: the SQL
 * migrations and the built web front end (web/dist). Sorted by path. */
#ifndef TF_EMBED_H
#define TF_EMBED_H
#include <stddef.h>

struct embedded_file {
    const char *path;
    const unsigned char *data;
    size_t len;
};

extern const struct embedded_file tf_migrations[];
extern const size_t tf_migrations_count;
extern const struct embedded_file tf_assets[];
extern const size_t tf_assets_count;

#endif
