/* checkpointer.h — a background WAL checkpointer for one long bulk writer
 * on SQLite (see checkpointer.c). */
#pragma once

typedef struct checkpointer checkpointer;

/* Starts checkpointing the SQLite database `url` (sqlite:PATH) from a
 * thread of its own; NULL if it cannot (the writer then checkpoints). */
checkpointer *checkpointer_start(const char *url);
/* A last checkpoint, then the thread ends. NULL does nothing. */
void checkpointer_stop(checkpointer *k);
