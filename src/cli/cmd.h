#ifndef NETRIG_CMD_H
#define NETRIG_CMD_H
/* Subcommands. Each takes the arguments after its own name (argv[0] is the
 * subcommand name) and returns the process exit status: 0 success, 1 a
 * result out of tolerance or a failed step, 2 a usage or input error. */
#include <stdio.h>

struct cmd_def {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
    const char *summary;
};

/* The table, terminated by name NULL. */
extern const struct cmd_def cmd_table[];

const struct cmd_def *cmd_find(const char *name);

int cmd_server(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);

void cmd_server_help(FILE *out);
void cmd_client_help(FILE *out);
void cmd_run_help(FILE *out);
void cmd_model_help(FILE *out);
void cmd_plot_help(FILE *out);
void cmd_hist_help(FILE *out);
void cmd_merge_help(FILE *out);
void cmd_compare_help(FILE *out);

/* Shared by the subcommands: true if argv holds -h or --help. */
int cmd_wants_help(int argc, char **argv);

#endif
