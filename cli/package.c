/*
 * package.c - `aslc build --zip FILE`: the AWS Lambda deployment package of
 * a workflow, for the provided.al2023 custom runtime.
 *
 * The zip holds
 *   bootstrap            the executable, built with --lambda (PCRE2 static,
 *                        RUNPATH $ORIGIN/lib); Lambda runs it with
 *                        AWS_LAMBDA_RUNTIME_API set, which makes it serve
 *                        invocations (runtime/lambda.c)
 *   lib/libcjson.so.1    cJSON, which Amazon Linux 2023 does not have (and
 *                        Debian ships no static archive of): the very file
 *                        aslc itself is linked with
 *   lib/libnettle.so.8   Nettle, the hashes (States.Hash, $hash), which
 *                        the runtime loads on first use: this machine's file
 *                        (it needs only glibc)
 * glibc and libcurl are the image's own. Lambda runs `bootstrap` without
 * arguments, so with --bindings F or --aws the program is `workflow` and
 * `bootstrap` a two-line sh script that runs it from LAMBDA_TASK_ROOT with
 * `--bindings bindings.json` (F, copied) and / or `--aws`.
 *
 * The package is staged in a temporary directory and written by the zip
 * program (Debian's zip; tools/deps.sh installs it), run without a shell.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "build.h"

extern char **environ;

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

/* Copies [from] (following symbolic links) to [to] with [mode]. */
static bool copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    bool ok = out >= 0;
    char buf[65536];
    ssize_t r;
    while (ok && (r = read(in, buf, sizeof buf)) != 0) {
        if (r < 0) {
            ok = errno == EINTR;
            continue;
        }
        for (ssize_t w, off = 0; ok && off < r; off += w) {
            w = write(out, buf + off, (size_t)(r - off));
            ok = w > 0;
        }
    }
    if (out >= 0 && close(out) != 0)
        ok = false;
    close(in);
    return ok;
}

/* The file of library [soname] as this machine's loader finds it, by a
 * symbol it defines; NULL when it has none. (The handle stays open: the
 * name dladdr gives lives as long as it.) */
static const char *library_file(const char *soname, const char *symbol)
{
    void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    void *sym = h ? dlsym(h, symbol) : NULL;
    Dl_info info;
    if (sym && dladdr(sym, &info) && info.dli_fname && strchr(info.dli_fname, '/'))
        return info.dli_fname;
    return NULL;
}

/* Runs `zip -q -X -r ZIP bootstrap lib [workflow] [bindings.json]` inside [dir]. */
static bool run_zip(const char *dir, const char *zip, bool script, bool bindings)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return false;
    bool ok = posix_spawn_file_actions_addchdir_np(&fa, dir) == 0;
    char *argv[10] = {(char *)"zip", (char *)"-q", (char *)"-X", (char *)"-r", (char *)zip,
                      (char *)"bootstrap", (char *)"lib"};
    int n = 7;
    if (script)
        argv[n++] = (char *)"workflow";
    if (bindings)
        argv[n++] = (char *)"bindings.json";
    argv[n] = NULL;
    pid_t pid;
    int err = ok ? posix_spawnp(&pid, "zip", &fa, NULL, argv, environ) : errno;
    posix_spawn_file_actions_destroy(&fa);
    if (!ok || err) {
        fprintf(stderr, "aslc: cannot run zip: %s (install Debian's zip package)\n",
                strerror(err ? err : errno));
        return false;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "aslc: zip failed writing %s\n", zip);
        return false;
    }
    return true;
}

/* [path] made absolute against the current directory (zip runs elsewhere). */
static char *absolute(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) ? path_join(cwd, path) : NULL;
}

/* The bootstrap script that runs `workflow` with the packaged options. */
static bool write_bootstrap_script(const char *path, const drv_build_opts *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "#!/bin/sh\n"
               "# written by aslc build --zip: Lambda passes no arguments, so these are the package's\n"
               "cd \"${LAMBDA_TASK_ROOT:-$(dirname \"$0\")}\" || exit 2\n"
               "exec ./workflow%s%s \"$@\"\n",
            o->zip_bindings ? " --bindings bindings.json" : "", o->zip_aws ? " --aws" : "");
    bool ok = !ferror(f);
    return fclose(f) == 0 && ok && chmod(path, 0755) == 0;
}

/* True when [path] holds a JSON object (the bindings file is checked in
 * full when the function starts: its handlers live in the package). */
static bool json_object_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    FILE *m = f ? open_memstream(&text, &len) : NULL;
    char buf[8192];
    size_t r;
    while (m && (r = fread(buf, 1, sizeof buf, f)) > 0 && len < (64u << 20))
        fwrite(buf, 1, r, m);
    if (m)
        fclose(m);
    if (f)
        fclose(f);
    cJSON *v = text ? cJSON_ParseWithLength(text, len) : NULL;
    bool ok = cJSON_IsObject(v);
    cJSON_Delete(v);
    free(text);
    return ok;
}

int drv_package_zip(const char *c_text, const char *source_name, const drv_build_opts *o)
{
    bool script = o->zip_bindings || o->zip_aws;
    if (o->zip_bindings && !json_object_file(o->zip_bindings)) {
        fprintf(stderr, "aslc: --bindings %s: cannot read it as a JSON object (see README, "
                        "\"The bindings file\")\n",
                o->zip_bindings);
        return DRV_EXIT_BUILD_FAILED;
    }
    const char *tmp = getenv("TMPDIR");
    char *tmpl = path_join(tmp && *tmp ? tmp : "/tmp", "aslc-zip-XXXXXX");
    char *dir = tmpl ? mkdtemp(tmpl) : NULL;
    if (!dir) {
        fprintf(stderr, "aslc: cannot create a temporary directory: %s\n", strerror(errno));
        free(tmpl);
        return DRV_EXIT_BUILD_FAILED;
    }
    char *boot = path_join(dir, "bootstrap"), *libdir = path_join(dir, "lib");
    char *prog = path_join(dir, "workflow"), *bind = path_join(dir, "bindings.json");
    static const struct {
        const char *soname, *symbol, *what;
    } libs[] = {
        {"libcjson.so.1", "cJSON_Version", "cJSON (Debian package libcjson1)"},
        {"libnettle.so.8", "nettle_md5", "Nettle (Debian package libnettle8)"},
    };
    enum { NLIBS = sizeof libs / sizeof libs[0] };
    char *libfile[NLIBS] = {0};
    const char *from[NLIBS] = {0};
    bool names_ok = libdir != NULL;
    for (int i = 0; i < NLIBS && names_ok; i++) {
        libfile[i] = path_join(libdir, libs[i].soname);
        names_ok = libfile[i] != NULL;
    }
    char *zip = absolute(o->zip);
    int rc = DRV_EXIT_BUILD_FAILED;
    if (!boot || !prog || !bind || !names_ok || !zip) {
        fputs("aslc: out of memory\n", stderr);
        goto out;
    }
    for (int i = 0; i < NLIBS; i++) {
        from[i] = library_file(libs[i].soname, libs[i].symbol);
        if (!from[i]) {
            fprintf(stderr, "aslc: cannot find %s (%s) to put in the package\n", libs[i].soname,
                    libs[i].what);
            goto out;
        }
    }
    drv_build_opts b = *o;
    b.lambda = true;
    char *exe = script ? prog : boot; /* where the program goes in the package */
    if (!b.output)
        b.output = exe;
    if (drv_build(c_text, source_name, &b) != 0)
        goto out;
    if (b.output != exe && !copy_file(b.output, exe, 0755)) {
        fprintf(stderr, "aslc: cannot copy %s into the package: %s\n", b.output,
                strerror(errno));
        goto out;
    }
    chmod(exe, 0755);
    if (script && !write_bootstrap_script(boot, o)) {
        fprintf(stderr, "aslc: cannot write the package's bootstrap: %s\n", strerror(errno));
        goto out;
    }
    if (o->zip_bindings && !copy_file(o->zip_bindings, bind, 0644)) {
        fprintf(stderr, "aslc: cannot copy the bindings file %s into the package: %s\n",
                o->zip_bindings, strerror(errno));
        goto out;
    }
    if (mkdir(libdir, 0755) != 0) {
        fprintf(stderr, "aslc: cannot create %s: %s\n", libdir, strerror(errno));
        goto out;
    }
    for (int i = 0; i < NLIBS; i++)
        if (!copy_file(from[i], libfile[i], 0644)) {
            fprintf(stderr, "aslc: cannot copy %s into the package: %s\n", from[i],
                    strerror(errno));
            goto out;
        }
    /* zip adds to an existing archive: start from nothing. */
    if (unlink(zip) != 0 && errno != ENOENT) {
        fprintf(stderr, "aslc: cannot replace %s: %s\n", o->zip, strerror(errno));
        goto out;
    }
    if (run_zip(dir, zip, script, o->zip_bindings != NULL))
        rc = 0;
out:
    for (int i = 0; i < NLIBS; i++)
        if (libfile[i])
            unlink(libfile[i]);
    if (libdir)
        rmdir(libdir);
    if (boot)
        unlink(boot);
    if (prog)
        unlink(prog);
    if (bind)
        unlink(bind);
    rmdir(dir);
    free(boot);
    free(prog);
    free(bind);
    free(libdir);
    for (int i = 0; i < NLIBS; i++)
        free(libfile[i]);
    free(zip);
    free(tmpl);
    return rc;
}
