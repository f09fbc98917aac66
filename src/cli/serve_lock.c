/* serve_lock.c — a SQLite database is served by one process: its jobs,
 * its import worker and its write queue assume they are alone on the file,
 * and two servers would each believe it. `tradeflow serve` takes an
 * exclusive flock(2) on the database file (kept open, never closed, so the
 * kernel lets it go when the process ends, however it ends) and a second
 * server on the same file stops with a message saying so. flock locks do
 * not meet SQLite's own fcntl locks, so the other commands (backup, jobs
 * run, user add) still work beside a running server. PostgreSQL takes
 * several servers: nothing to claim. */
#include "cli/serve_lock.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int serve_lock(const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0) return 0;
    const char *path = url + 7;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tradeflow: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0; /* fd stays open: the claim */
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
        fprintf(stderr,
                "tradeflow: another server is already serving %s; a SQLite database takes one"
                " server (several servers share a PostgreSQL database)\n",
                path);
    else
        fprintf(stderr, "tradeflow: cannot lock %s: %s\n", path, strerror(e));
    return -1;
}
