/* serve_cmd.h - `aslc serve`'s command line (serve_cmd.c), for main.c. */
#ifndef ASLC_COMPILER_SERVE_CMD_H
#define ASLC_COMPILER_SERVE_CMD_H
/* [argv] holds the options after "serve". Returns the exit code. */
int serve_cmd(int argc, char **argv);
#endif
