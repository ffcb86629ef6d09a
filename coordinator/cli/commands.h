/* commands.h: the painters commands; each takes argv from its own name on and
 * returns the exit status. */
#ifndef PAINTERS_COMMANDS_H
#define PAINTERS_COMMANDS_H

int cmd_forward(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_similarity(int argc, char **argv);

#endif
