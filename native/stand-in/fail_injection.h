/*
 * Failure injection shared by the CPU stand-ins (cuda_stand_in.c, cublas_stand_in.c): a test names a
 * function, a status and how many calls to let through; the next call after those returns the status,
 * once. Each stand-in is its own library, so each gets its own copy of this state.
 */
#ifndef JNMF_FAIL_INJECTION_H
#define JNMF_FAIL_INJECTION_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char fail_name[64];
static int fail_status;
static int fail_skip;

/* Arms one failure: the (skip+1)-th following call of `function` returns `status`. */
static void fail_arm(const char *function, int status, int skip) {
    pthread_mutex_lock(&fail_lock);
    snprintf(fail_name, sizeof fail_name, "%s", function);
    fail_status = status;
    fail_skip = skip;
    pthread_mutex_unlock(&fail_lock);
}

/* The status to return from a call of `name`: the armed one when it is due, else 0. */
static int injected(const char *name) {
    int status = 0;
    pthread_mutex_lock(&fail_lock);
    if (fail_status != 0 && strcmp(fail_name, name) == 0) {
        if (fail_skip > 0) {
            fail_skip--;
        } else {
            status = fail_status;
            fail_status = 0;
        }
    }
    pthread_mutex_unlock(&fail_lock);
    return status;
}

#endif
