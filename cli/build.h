/*
 * build.h - `aslc build`: generated C to a native executable, with the
 * system C compiler or, when there is none, with libtcc in process.
 */
#ifndef ASLC_CLI_BUILD_H
#define ASLC_CLI_BUILD_H

#include <stdbool.h>

typedef struct drv_build_opts {
    const char *output; /* -o NAME: the executable to write */
    const char *cc;     /* --cc CC; NULL: $CC, else cc/gcc/clang on PATH, else libtcc */
    int opt_level;      /* -O0..-O3 */
    bool lambda;        /* --lambda: for AWS Lambda's provided.al2023 (PCRE2
                         * linked statically, RUNPATH $ORIGIN/lib for the
                         * shared libraries the zip ships) */
    const char *zip;    /* --zip FILE: also write the deployment package
                         * (package.c); implies lambda */
    const char *zip_bindings; /* with --zip, --bindings F: F goes into the
                         * package and its bootstrap passes it */
    bool zip_aws;       /* with --zip, --aws: the bootstrap passes --aws */
} drv_build_opts;

/* Exit code of `aslc build` when the C compiler, the linker or the
 * runtime library is what failed (the definition was fine). */
enum { DRV_EXIT_BUILD_FAILED = 3 };

/* Compile [c_text] (cg_emit_program's output for [source_name]) and link
 * it with libaslrt.a into o->output. Returns 0, or DRV_EXIT_BUILD_FAILED
 * with the reason on stderr. Temporary files are removed either way. */
int drv_build(const char *c_text, const char *source_name, const drv_build_opts *o);

/* `aslc build --zip FILE`: build the executable (to o->output when given,
 * else only into the package) and write the Lambda deployment package
 * o->zip: `bootstrap` at its root and lib/ with the shared libraries
 * provided.al2023 lacks (package.c). With o->zip_bindings or o->zip_aws
 * the program is `workflow` and `bootstrap` a script that runs it with
 * --bindings bindings.json / --aws. Returns 0 or DRV_EXIT_BUILD_FAILED. */
int drv_package_zip(const char *c_text, const char *source_name, const drv_build_opts *o);

#endif
