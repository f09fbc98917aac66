/* import_file.c — an uploaded file kept in the database (import_chunks,
 * base64 in chunks of IMPORT_CHUNK bytes) and read back into an unlinked
 * temporary file: with several servers on one PostgreSQL, the upload and
 * the run may each reach a different server (see import_run.c). */
#include "imports/import_jobs.h"
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

FILE *import_tmpfile(void)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/tf-import-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) close(fd);
    return f;
}

int import_store_file(db_conn *c, int64_t job_id, FILE *f)
{
    unsigned char *bin = malloc(IMPORT_CHUNK);
    size_t b64cap = sodium_base64_ENCODED_LEN(IMPORT_CHUNK, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64cap);
    if (!bin || !b64) abort();
    int rc = 0;
    fseek(f, 0, SEEK_SET);
    for (int64_t seq = 0; rc >= 0; seq++) {
        size_t n = fread(bin, 1, IMPORT_CHUNK, f);
        if (n == 0) break;
        sodium_bin2base64(b64, b64cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
        rc = db_exec(c, "INSERT INTO import_chunks(job_id, seq, data_b64) VALUES (?, ?, ?)",
                     DBP(DBI(job_id), DBI(seq), DBS(b64)));
    }
    if (rc >= 0 && ferror(f)) rc = DB_ERR;
    free(bin);
    free(b64);
    return rc < 0 ? rc : 0;
}

FILE *import_load_file(db_conn *c, arena *a, int64_t job_id)
{
    FILE *f = import_tmpfile();
    if (!f) return NULL;
    /* + 3: the decoder writes whole groups of three, padding included */
    unsigned char *bin = malloc(IMPORT_CHUNK + 3);
    if (!bin) abort();
    bool ok = true;
    for (int64_t seq = 0; ok; seq++) {
        arena ca; /* one chunk at a time, not the whole file */
        arena_init(&ca);
        db_res r;
        int rc =
            db_query(c, &ca, &r, "SELECT data_b64 FROM import_chunks WHERE job_id = ? AND seq = ?",
                     DBP(DBI(job_id), DBI(seq)));
        if (rc == 0) {
            arena_free(&ca);
            ok = seq > 0;
            break;
        }
        const char *b64 = rc > 0 ? db_get_text(&r, 0, "data_b64") : NULL;
        size_t n = b64 ? strlen(b64) : 0;
        /* OpenSSL's decoder: libsodium's constant-time one took 100
         * instructions a byte, a few % of a whole run; nothing here is secret */
        int got = b64 && n % 4 == 0 && n / 4 * 3 <= IMPORT_CHUNK + 3
                      ? EVP_DecodeBlock(bin, (const unsigned char *)b64, (int)n)
                      : -1;
        if (got >= 0 && n > 0 && b64[n - 1] == '=') got -= 1 + (b64[n - 2] == '=');
        ok = got >= 0 && fwrite(bin, 1, (size_t)got, f) == (size_t)got;
        arena_free(&ca);
    }
    (void)a;
    free(bin);
    if (!ok || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}
