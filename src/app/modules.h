/* modules.h — registering the sales modules at start-up (modules.c). */
#ifndef TF_MODULES_H
#define TF_MODULES_H
void modules_register(void);
#endif
