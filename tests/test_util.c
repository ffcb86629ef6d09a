/* test_util.c: how die_runtime() and die_input() end the process, each case
 * in a child whose stdout and stderr are read back: from ordinary code by
 * exit() (the atexit handlers run); inside an atexit handler that called
 * util_set_exiting() (as rank 0's release of the stations does) by _exit(),
 * never exit() again: the message printed, every stream flushed, the status
 * kept, the handlers still pending not run, an armed error jump ignored. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testhelp.h"

static jmp_buf g_jump;

/* Registered first, so run last: it must not run once a handler has died. */
static void pending_handler(void) {
    printf("pending handler ran\n");
}

static void dying_handler_runtime(void) {
    util_set_exiting();
    printf("written before the failure"); /* left in stdout's buffer */
    die_runtime("a failure while exiting");
}

static void dying_handler_input(void) {
    util_set_exiting();
    die_input("bad input while exiting");
}

/* The child's part of each case; it ends the child. */
typedef enum { CASE_ORDINARY, CASE_HANDLER, CASE_HANDLER_INPUT, CASE_HANDLER_JUMP } Case;

static _Noreturn void child(Case c) {
    atexit(pending_handler);
    if (c == CASE_ORDINARY) die_runtime("an ordinary failure");
    atexit(c == CASE_HANDLER_INPUT ? dying_handler_input : dying_handler_runtime);
    if (c == CASE_HANDLER_JUMP) {
        /* This frame lives on while exit() runs the handlers: a jump would land here. */
        if (setjmp(g_jump)) {
            printf("jumped\n");
            fflush(stdout);
            _exit(5);
        }
        util_set_error_jump(&g_jump);
    }
    exit(0);
}

static void run_child_case(const void *c) {
    child(*(const Case *)c);
}

/* Runs case c in a child; out gets its stdout and stderr. Returns its exit
 * status, or -1 when it did not exit normally. */
static int run_case(Case c, char *out, size_t cap) {
    return test_run_child(run_child_case, &c, 1, out, cap);
}

int main(void) {
    char out[4096];
    int rc = run_case(CASE_ORDINARY, out, sizeof out);
    TEST_CHECK("ordinary die_runtime: status 1", rc == PAINTERS_EXIT_RUNTIME);
    TEST_CHECK("ordinary die_runtime: message",
               strstr(out, "painters: fatal: an ordinary failure") != NULL);
    TEST_CHECK("ordinary die_runtime: by exit(), the handlers run",
               strstr(out, "pending handler ran") != NULL);
    printf("ordinary die_runtime: status %d, output: %s", rc, out);

    rc = run_case(CASE_HANDLER, out, sizeof out);
    TEST_CHECK("die_runtime while exiting: status 1", rc == PAINTERS_EXIT_RUNTIME);
    TEST_CHECK("die_runtime while exiting: message",
               strstr(out, "painters: fatal: a failure while exiting") != NULL);
    TEST_CHECK("die_runtime while exiting: stdout flushed",
               strstr(out, "written before the failure") != NULL);
    TEST_CHECK("die_runtime while exiting: no exit() again (pending handler not run)",
               strstr(out, "pending handler ran") == NULL);
    printf("die_runtime while exiting: status %d, output: %s\n", rc, out);

    rc = run_case(CASE_HANDLER_INPUT, out, sizeof out);
    TEST_CHECK("die_input while exiting: status 2", rc == PAINTERS_EXIT_INPUT);
    TEST_CHECK("die_input while exiting: message",
               strstr(out, "painters: error: bad input while exiting") != NULL);
    TEST_CHECK("die_input while exiting: pending handler not run",
               strstr(out, "pending handler ran") == NULL);

    rc = run_case(CASE_HANDLER_JUMP, out, sizeof out);
    TEST_CHECK("error jump armed while exiting: ignored, status 1", rc == PAINTERS_EXIT_RUNTIME);
    TEST_CHECK("error jump armed while exiting: no jump", strstr(out, "jumped") == NULL);
    return test_report("util");
}
