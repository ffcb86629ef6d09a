/* main.c: the painters command line; dispatches to the commands. */
#include <stdio.h>
#include <string.h>

#include "util.h"

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: painters COMMAND [options]\n");
        return argc < 2 ? PAINTERS_EXIT_INPUT : 0;
    }
    die_input("unknown command '%s' (see painters --help)", argv[1]);
}
