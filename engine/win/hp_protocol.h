/*
 * The request block the injector (hpinject.exe) writes into the target process and the engine (hpengine.dll)
 * answers in place: the injector allocates it with VirtualAllocEx, starts hp_engine_request on it with
 * CreateRemoteThread, waits, and reads it back.
 */
#ifndef HP_PROTOCOL_H
#define HP_PROTOCOL_H

#include <stdint.h>

#define HP_REQUEST_MAGIC 0x51455048u /* "HPEQ" */
#define HP_PATH_CHARS 1024
#define HP_OUT_BYTES 32768

enum { HP_OP_APPLY = 1, HP_OP_ROLLBACK = 2, HP_OP_STATUS = 3 };

/* Results, which are also hpinject's and `hotpatch live`'s exit codes. */
enum {
    HP_RESULT_OK = 0,        /* applied (or rolled back) and checked */
    HP_RESULT_FAILED = 1,    /* any other failure; nothing written */
    HP_RESULT_USAGE = 2,
    HP_RESULT_REFUSED = 5,   /* verification failed (signature, tables, base identity, sequence); nothing written */
    HP_RESULT_NOT_NOW = 6    /* not safe now: a thread stays inside a site or in the patch; nothing written */
};

typedef struct hp_request {
    uint32_t magic, op, result, reserved;
    uint64_t engine_us;       /* time the engine spent on the request */
    uint64_t suspended_us;    /* how long the other threads were suspended (the successful attempt) */
    uint32_t attempts;        /* suspension attempts */
    uint32_t threads;         /* threads suspended */
    uint16_t patch[HP_PATH_CHARS];  /* UTF-16 paths, NUL-terminated */
    uint16_t trust[HP_PATH_CHARS];
    char out[HP_OUT_BYTES];   /* the answer: sentences for people, lines starting with '@' for machines */
} hp_request;

#endif
