/*
 * store.c - the --state-dir store of `aslc serve`: state machines,
 * activities, executions and their histories kept in SQLite (DIR/state.sqlite), so
 * that a restarted server lists and describes everything it had.
 *
 * The in-memory store (srv_internal.h) stays the one the actions read;
 * this file writes it through to SQLite and reads it back at start-up:
 * machines are recompiled, executions that were RUNNING when the last
 * server died become ABORTED with a cause saying so (and an
 * ExecutionAborted event), never lost silently. One connection, WAL
 * journal, prepared statements, one transaction per change; a flusher
 * thread writes the new history events of running executions once a
 * second, so a server killed mid-run keeps their histories up to then.
 * Without --state-dir every function here is a no-op.
 *
 * Lock order: srv_store.mu, then db_mu (D.mu), then an execution's
 * event log. D.db is read under db_mu: the store may close while the
 * last executions end.
 * A write that fails after start-up (disk full) is reported once on
 * stderr; the server goes on from memory.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "srv_internal.h"
#include "timestamp.h"

#define S srv_store

/* Bumped when the tables change; a store of another version is refused. */
enum { SCHEMA_VERSION = 1 };

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS machines(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " definition TEXT NOT NULL, role_arn TEXT NOT NULL, type TEXT NOT NULL,"
    " created REAL NOT NULL, updated REAL NOT NULL);"
    /* each definition an execution ran, once however many ran it */
    "CREATE TABLE IF NOT EXISTS definitions(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS executions(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " sm_arn TEXT NOT NULL, sm_name TEXT NOT NULL,"
    " definition INTEGER NOT NULL REFERENCES definitions(id),"
    " role_arn TEXT NOT NULL, type TEXT NOT NULL, sm_updated REAL NOT NULL,"
    " input TEXT, output TEXT, error TEXT, cause TEXT, status TEXT NOT NULL,"
    " start REAL NOT NULL, stop REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS activities(arn TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " created REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(exec TEXT NOT NULL, seq INTEGER NOT NULL,"
    " line TEXT NOT NULL, PRIMARY KEY(exec, seq)) WITHOUT ROWID;";

/* The prepared statements, one per kind of write (and the loads). */
enum {
    Q_PUT_MACHINE,
    Q_DROP_MACHINE,
    Q_PUT_ACTIVITY,
    Q_DROP_ACTIVITY,
    Q_PUT_DEF,
    Q_DEF_ID,
    Q_PUT_EXEC,
    Q_EVENTS_STORED,
    Q_PUT_EVENT,
    Q_LOAD_EVENTS,
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_COUNT
};
static const char *const query_text[Q_COUNT] = {
    [Q_PUT_MACHINE] = "INSERT INTO machines(arn,name,definition,role_arn,type,created,updated)"
                      " VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(arn) DO UPDATE SET"
                      " definition=?3, role_arn=?4, updated=?7",
    [Q_DROP_MACHINE] = "DELETE FROM machines WHERE arn=?1",
    [Q_PUT_ACTIVITY] = "INSERT OR IGNORE INTO activities(arn,name,created) VALUES(?1,?2,?3)",
    [Q_DROP_ACTIVITY] = "DELETE FROM activities WHERE arn=?1",
    [Q_PUT_DEF] = "INSERT OR IGNORE INTO definitions(text) VALUES(?1)",
    [Q_DEF_ID] = "SELECT id FROM definitions WHERE text=?1",
    [Q_PUT_EXEC] = "INSERT INTO executions(arn,name,sm_arn,sm_name,definition,role_arn,type,"
                   "sm_updated,input,output,error,cause,status,start,stop)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"
                   " ON CONFLICT(arn) DO UPDATE SET output=?10, error=?11, cause=?12,"
                   " status=?13, stop=?15",
    [Q_EVENTS_STORED] = "SELECT count(*) FROM events WHERE exec=?1",
    [Q_PUT_EVENT] = "INSERT OR IGNORE INTO events(exec,seq,line) VALUES(?1,?2,?3)",
    [Q_LOAD_EVENTS] = "SELECT line FROM events WHERE exec=?1 ORDER BY seq",
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
};

static struct {
    pthread_mutex_t mu; /* db_mu: the connection and its statements */
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    int lock_fd;
    bool write_failed; /* reported once */
    /* the flusher */
    pthread_t flusher;
    bool flusher_on, stopping;
    pthread_cond_t wake;
} D = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .lock_fd = -1};

static void put_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* A failed write after start-up: said once, then the server carries on
 * from memory (the actions never fail because the disk did). */
static void write_failed(const char *what)
{
    if (!D.write_failed)
        fprintf(stderr, "aslc serve: --state-dir: cannot save %s: %s (further state is kept in "
                        "memory only)\n", what, sqlite3_errmsg(D.db));
    D.write_failed = true;
}

/* ==== writes (db_mu held) ================================================= */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Runs [st] (bound) to its end and resets it; true on success. */
static bool run(sqlite3_stmt *st)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE;
}

static bool begin(void)
{
    return run(D.q[Q_BEGIN]);
}

static bool commit(bool ok)
{
    if (ok && run(D.q[Q_COMMIT]))
        return true;
    run(D.q[Q_ROLLBACK]);
    return false;
}

/* How many events of execution [arn] are stored; -1 on failure. */
static sqlite3_int64 events_stored(const char *arn)
{
    sqlite3_stmt *st = D.q[Q_EVENTS_STORED];
    bind_text(st, 1, arn);
    sqlite3_int64 have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return have;
}

/* Appends the events of [e] not yet stored; inside a transaction. */
static bool put_events(srv_exec *e)
{
    sqlite3_int64 have = events_stored(e->arn);
    if (have < 0)
        return false;
    sqlite3_stmt *st;
    bool ok = true;
    pthread_mutex_lock(&e->events.mu);
    for (size_t i = (size_t)have; ok && i < e->events.n; i++) {
        st = D.q[Q_PUT_EVENT];
        bind_text(st, 1, e->arn);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_text(st, 3, e->events.lines[i]);
        ok = run(st);
    }
    pthread_mutex_unlock(&e->events.mu);
    return ok;
}

/* The stored names of srv_status: part of the store's format. */
static const char *const status_names[] = {
    [EX_RUNNING] = "RUNNING", [EX_SUCCEEDED] = "SUCCEEDED", [EX_FAILED] = "FAILED",
    [EX_TIMED_OUT] = "TIMED_OUT", [EX_ABORTED] = "ABORTED",
};

/* The row of [e], with [st], [error], [cause] and [stop] in place of its
 * own (the close writes running executions as aborted). */
/* The id of definition [text] in the definitions table, added when new;
 * -1 on failure. */
static sqlite3_int64 definition_id(const char *text)
{
    sqlite3_stmt *st = D.q[Q_PUT_DEF];
    bind_text(st, 1, text);
    if (!run(st))
        return -1;
    st = D.q[Q_DEF_ID];
    bind_text(st, 1, text);
    sqlite3_int64 id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

static bool put_exec_row_as(const srv_exec *e, srv_status st_, const char *error,
                            const char *cause, double stop)
{
    sqlite3_int64 def = definition_id(e->definition ? e->definition : "");
    if (def < 0)
        return false;
    sqlite3_stmt *st = D.q[Q_PUT_EXEC];
    bind_text(st, 1, e->arn);
    bind_text(st, 2, e->name);
    bind_text(st, 3, e->sm_arn);
    bind_text(st, 4, e->sm_name);
    sqlite3_bind_int64(st, 5, def);
    bind_text(st, 6, e->role_arn ? e->role_arn : "");
    bind_text(st, 7, e->type ? e->type : "STANDARD");
    sqlite3_bind_double(st, 8, e->sm_updated);
    bind_text(st, 9, e->input);
    bind_text(st, 10, e->output);
    bind_text(st, 11, error);
    bind_text(st, 12, cause);
    bind_text(st, 13, status_names[st_]);
    sqlite3_bind_double(st, 14, e->start);
    sqlite3_bind_double(st, 15, stop);
    return run(st);
}

static bool put_exec_row(const srv_exec *e)
{
    return put_exec_row_as(e, e->status, e->error, e->cause, e->stop);
}

static const char aborted_cause[] =
    "The aslc serve process stopped while this execution was running";

/* The ExecutionAborted event that ends the history of an execution the
 * server stopped under, after its [n] events (cJSON_malloc'd, or NULL). */
static char *aborted_event(size_t n, double when)
{
    cJSON *ev = cJSON_CreateObject();
    char ts[40];
    rt_format_timestamp((int64_t)(when * 1e9), ts, sizeof ts);
    cJSON *d = NULL;
    bool ok = ev && cJSON_AddNumberToObject(ev, "id", (double)n + 1) &&
              cJSON_AddNumberToObject(ev, "previousEventId", (double)n) &&
              cJSON_AddStringToObject(ev, "timestamp", ts) &&
              cJSON_AddStringToObject(ev, "type", "ExecutionAborted") &&
              (d = cJSON_AddObjectToObject(ev, "executionAbortedEventDetails")) &&
              cJSON_AddStringToObject(d, "cause", aborted_cause);
    char *line = ok ? cJSON_PrintUnformatted(ev) : NULL;
    cJSON_Delete(ev);
    return line;
}

/* A running execution at the server's stop: stored ABORTED, its events
 * and the ExecutionAborted event after them; memory is left alone (its
 * thread is still being stopped). Inside a transaction. */
static bool put_stopped(srv_exec *e)
{
    if (!put_events(e))
        return false;
    double now = srv_now_s();
    pthread_mutex_lock(&e->events.mu);
    size_t n = e->events.n;
    pthread_mutex_unlock(&e->events.mu);
    char *line = aborted_event(n, now);
    sqlite3_stmt *st = D.q[Q_PUT_EVENT];
    bind_text(st, 1, e->arn);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    bind_text(st, 3, line);
    bool ok = line && run(st);
    cJSON_free(line);
    return ok && put_exec_row_as(e, EX_ABORTED, NULL, aborted_cause, now);
}

/* ==== the hooks =========================================================== */

void srv_store_put_machine(const srv_machine *m)
{
    pthread_mutex_lock(&D.mu);
    if (!D.db) {
        pthread_mutex_unlock(&D.mu);
        return;
    }
    sqlite3_stmt *st = D.q[Q_PUT_MACHINE];
    bind_text(st, 1, m->arn);
    bind_text(st, 2, m->name);
    bind_text(st, 3, m->definition);
    bind_text(st, 4, m->role_arn);
    bind_text(st, 5, m->type);
    sqlite3_bind_double(st, 6, m->created);
    sqlite3_bind_double(st, 7, m->updated);
    if (!run(st))
        write_failed("a state machine");
    pthread_mutex_unlock(&D.mu);
}

void srv_store_drop_machine(const char *arn)
{
    pthread_mutex_lock(&D.mu);
    if (!D.db) {
        pthread_mutex_unlock(&D.mu);
        return;
    }
    sqlite3_stmt *st = D.q[Q_DROP_MACHINE];
    bind_text(st, 1, arn);
    if (!run(st))
        write_failed("a deletion");
    pthread_mutex_unlock(&D.mu);
}

void srv_store_put_activity(const char *arn, const char *name, double created)
{
    pthread_mutex_lock(&D.mu);
    if (D.db) {
        sqlite3_stmt *st = D.q[Q_PUT_ACTIVITY];
        bind_text(st, 1, arn);
        bind_text(st, 2, name);
        sqlite3_bind_double(st, 3, created);
        if (!run(st))
            write_failed("an activity");
    }
    pthread_mutex_unlock(&D.mu);
}

void srv_store_drop_activity(const char *arn)
{
    pthread_mutex_lock(&D.mu);
    if (D.db) {
        sqlite3_stmt *st = D.q[Q_DROP_ACTIVITY];
        bind_text(st, 1, arn);
        if (!run(st))
            write_failed("an activity's deletion");
    }
    pthread_mutex_unlock(&D.mu);
}

void srv_store_put_exec(srv_exec *e)
{
    pthread_mutex_lock(&D.mu);
    if (!D.db) {
        pthread_mutex_unlock(&D.mu);
        return;
    }
    bool ok = begin();
    ok = ok && put_exec_row(e) && put_events(e);
    if (!commit(ok))
        write_failed("an execution");
    pthread_mutex_unlock(&D.mu);
}

/* ==== the flusher ========================================================= */

/* The new events of every running execution, in one transaction. */
static void flush_running(void)
{
    pthread_mutex_lock(&S.mu);
    pthread_mutex_lock(&D.mu);
    bool ok = D.db && begin();
    for (srv_exec *e = S.execs; ok && e; e = e->next)
        if (e->status == EX_RUNNING)
            ok = put_events(e);
    if (D.db && !commit(ok))
        write_failed("a history");
    pthread_mutex_unlock(&D.mu);
    pthread_mutex_unlock(&S.mu);
}

static void *flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&D.mu);
    while (!D.stopping) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += 1;
        pthread_cond_timedwait(&D.wake, &D.mu, &t);
        if (D.stopping)
            break;
        pthread_mutex_unlock(&D.mu); /* lock order: S.mu first */
        flush_running();
        pthread_mutex_lock(&D.mu);
        /* Checkpoints (which sync the files) here, not in the commits the
         * actions make while holding srv_store.mu. */
        if (D.db)
            sqlite3_wal_checkpoint_v2(D.db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    pthread_mutex_unlock(&D.mu);
    return NULL;
}

/* ==== loading ============================================================= */

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static bool parse_status(const char *s, srv_status *out)
{
    static const srv_status all[] = {EX_RUNNING, EX_SUCCEEDED, EX_FAILED, EX_TIMED_OUT,
                                     EX_ABORTED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (s && strcmp(status_names[all[i]], s) == 0) {
            *out = all[i];
            return true;
        }
    return false;
}

/* Machines, oldest first, each pushed on the front of the list so that it
 * ends newest first as CreateStateMachine leaves it. */
static bool load_machines(char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(D.db, "SELECT arn,name,definition,role_arn,type,created,updated"
                                 " FROM machines ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        return false;
    }
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        srv_machine *m = calloc(1, sizeof *m);
        if (!m) {
            put_err(err, cap, "out of memory");
            ok = false;
            break;
        }
        m->arn = col_dup(st, 0);
        m->name = col_dup(st, 1);
        m->definition = col_dup(st, 2);
        m->role_arn = col_dup(st, 3);
        m->type = col_dup(st, 4);
        m->created = sqlite3_column_double(st, 5);
        m->updated = sqlite3_column_double(st, 6);
        char msg[2048];
        if (!m->definition || !m->name ||
            !srv_compile_typed(m->name, m->definition, m->type, &m->prog, msg, sizeof msg)) {
            m->prog = calloc(1, sizeof *m->prog); /* jit NULL: its executions fail */
            if (m->prog)
                m->prog->refs = 1;
        }
        if (!m->prog || !m->prog->jit) /* accepted once: only a changed aslc refuses it now */
            fprintf(stderr, "aslc serve: --state-dir: state machine '%s' no longer compiles; "
                            "its executions will fail\n", m->name ? m->name : "?");
        m->next = S.machines;
        S.machines = m;
        if (!m->arn || !m->name || !m->definition || !m->role_arn || !m->type) {
            put_err(err, cap, "out of memory");
            ok = false;
        }
    }
    if (ok && rc != SQLITE_DONE) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        ok = false;
    }
    sqlite3_finalize(st);
    return ok;
}

/* Appends [line] (copied) to [l]. */
static bool log_push(rt_event_log *l, const char *line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->lines, cap * sizeof *p);
        if (!p)
            return false;
        l->lines = p;
        l->cap = cap;
    }
    size_t n = strlen(line) + 1;
    char *t = cJSON_malloc(n); /* rt_event_log_free frees with cJSON_free */
    if (!t)
        return false;
    memcpy(t, line, n);
    l->lines[l->n++] = t;
    return true;
}

void srv_store_load_history(srv_exec *e)
{
    if (!e->history_in_store)
        return;
    pthread_mutex_lock(&D.mu);
    if (!D.db) {
        pthread_mutex_unlock(&D.mu);
        return;
    }
    sqlite3_stmt *st = D.q[Q_LOAD_EVENTS];
    bind_text(st, 1, e->arn);
    pthread_mutex_lock(&e->events.mu);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ok = log_push(&e->events, (const char *)sqlite3_column_text(st, 0));
    if (!ok || rc != SQLITE_DONE) {
        fprintf(stderr, "aslc serve: --state-dir: cannot read the history of %s: %s\n", e->arn,
                ok ? sqlite3_errmsg(D.db) : "out of memory");
        e->events.oom = true; /* GetExecutionHistory answers InternalFailure */
    }
    pthread_mutex_unlock(&e->events.mu);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    e->history_in_store = false;
    pthread_mutex_unlock(&D.mu);
}

/* An execution the last server left RUNNING (killed): ABORTED now, its
 * stored history ended by an ExecutionAborted event, as a stopped one's. */
static bool abort_orphan(srv_exec *e)
{
    e->status = EX_ABORTED;
    e->stop = srv_now_s();
    free(e->error);
    e->error = NULL;
    free(e->cause);
    e->cause = strdup(aborted_cause);
    if (!e->cause || !begin())
        return false;
    sqlite3_int64 n = events_stored(e->arn);
    char *line = n >= 0 ? aborted_event((size_t)n, e->stop) : NULL;
    sqlite3_stmt *st = D.q[Q_PUT_EVENT];
    bind_text(st, 1, e->arn);
    sqlite3_bind_int64(st, 2, n);
    bind_text(st, 3, line);
    bool ok = line && run(st) && put_exec_row(e);
    cJSON_free(line);
    return commit(ok);
}

/* Activities, oldest first (each restored at the front: newest first). */
static bool load_activities(char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(D.db, "SELECT arn,name,created FROM activities ORDER BY rowid", -1,
                           &st, NULL) != SQLITE_OK) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        return false;
    }
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *arn = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        ok = arn && name && srv_activity_restore(arn, name, sqlite3_column_double(st, 2));
        if (!ok)
            put_err(err, cap, "cannot restore activity '%s'", arn ? arn : "?");
    }
    if (ok && rc != SQLITE_DONE) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        ok = false;
    }
    sqlite3_finalize(st);
    return ok;
}

static bool load_executions(int *aborted, char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(D.db, "SELECT e.arn,e.name,e.sm_arn,e.sm_name,d.text,e.role_arn,e.type,"
                                 "e.sm_updated,e.input,e.output,e.error,e.cause,e.status,e.start,"
                                 "e.stop FROM executions e LEFT JOIN definitions d"
                                 " ON d.id = e.definition ORDER BY e.rowid", -1, &st,
                           NULL) != SQLITE_OK) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        return false;
    }
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        srv_exec *e = calloc(1, sizeof *e);
        if (!e) {
            put_err(err, cap, "out of memory");
            ok = false;
            break;
        }
        pthread_mutex_init(&e->events.mu, NULL);
        e->history_in_store = true; /* read when asked for: srv_store_load_history */
        e->arn = col_dup(st, 0);
        e->name = col_dup(st, 1);
        e->sm_arn = col_dup(st, 2);
        e->sm_name = col_dup(st, 3);
        e->definition = col_dup(st, 4);
        e->role_arn = col_dup(st, 5);
        e->type = col_dup(st, 6);
        e->sm_updated = sqlite3_column_double(st, 7);
        e->input = col_dup(st, 8);
        e->output = col_dup(st, 9);
        e->error = col_dup(st, 10);
        e->cause = col_dup(st, 11);
        const char *status = (const char *)sqlite3_column_text(st, 12);
        e->start = sqlite3_column_double(st, 13);
        e->stop = sqlite3_column_double(st, 14);
        e->seq = ++S.last_seq; /* rows are in the order the executions started */
        e->next = S.execs;
        S.execs = e;
        if (!parse_status(status, &e->status)) {
            put_err(err, cap, "execution '%s' has an unknown status '%s'",
                    e->arn ? e->arn : "?", status ? status : "");
            ok = false;
        } else if (!e->definition && e->arn && sqlite3_column_type(st, 4) == SQLITE_NULL) {
            put_err(err, cap, "execution '%s' names a definition the store does not have",
                    e->arn);
            ok = false;
        } else if (!e->arn || !e->name || !e->sm_arn || !e->sm_name || !e->definition ||
                   !e->role_arn || !e->type) {
            put_err(err, cap, "out of memory");
            ok = false;
        } else if (e->status == EX_RUNNING) {
            if (!abort_orphan(e)) {
                put_err(err, cap, "cannot mark '%s' aborted: %s", e->arn, sqlite3_errmsg(D.db));
                ok = false;
            }
            ++*aborted;
        }
    }
    if (ok && rc != SQLITE_DONE) {
        put_err(err, cap, "%s", sqlite3_errmsg(D.db));
        ok = false;
    }
    sqlite3_finalize(st);
    return ok;
}

/* ==== open / close ======================================================== */

/* sqlite3_exec's callback: keeps the first column of the first row. */
static int first_row(void *out, int ncol, char **val, char **names)
{
    (void)names;
    char *o = out;
    if (!o[0] && ncol > 0 && val[0])
        snprintf(o, 256, "%s", val[0]);
    return 0;
}

/* The schema, created or checked; every statement prepared. */
static bool prepare(char *err, size_t cap)
{
    char *msg = NULL;
    char check[256] = "";
    if (sqlite3_exec(D.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                           "PRAGMA foreign_keys=OFF;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(D.db, "PRAGMA quick_check", first_row, check, &msg) != SQLITE_OK ||
        sqlite3_exec(D.db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        put_err(err, cap, "%s", msg ? msg : sqlite3_errmsg(D.db));
        sqlite3_free(msg);
        return false;
    }
    if (strcmp(check, "ok") != 0) {
        put_err(err, cap, "the database is damaged: %s", check[0] ? check : "quick_check failed");
        return false;
    }
    sqlite3_stmt *st;
    int version = -1;
    if (sqlite3_prepare_v2(D.db, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = atoi((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    if (version == -1) {
        char q[100];
        snprintf(q, sizeof q, "INSERT INTO meta VALUES('schema','%d')", SCHEMA_VERSION);
        if (sqlite3_exec(D.db, q, NULL, NULL, &msg) != SQLITE_OK) {
            put_err(err, cap, "%s", msg ? msg : sqlite3_errmsg(D.db));
            sqlite3_free(msg);
            return false;
        }
    } else if (version != SCHEMA_VERSION) {
        put_err(err, cap, "the store has schema version %d; this aslc reads version %d", version,
                SCHEMA_VERSION);
        return false;
    }
    for (int i = 0; i < Q_COUNT; i++)
        if (sqlite3_prepare_v3(D.db, query_text[i], -1, SQLITE_PREPARE_PERSISTENT, &D.q[i],
                               NULL) != SQLITE_OK) {
            put_err(err, cap, "%s", sqlite3_errmsg(D.db));
            return false;
        }
    /* A damaged page quick_check missed still fails the load (every row
     * is read) or a later read cleanly. */
    return true;
}

/* One server per store: a second one would overwrite the first's rows. */
static bool lock_dir(const char *dir, char *err, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/state.lock", dir);
    D.lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (D.lock_fd < 0) {
        put_err(err, cap, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    if (flock(D.lock_fd, LOCK_EX | LOCK_NB) != 0) {
        put_err(err, cap, "%s is in use by another aslc serve", dir);
        close(D.lock_fd);
        D.lock_fd = -1;
        return false;
    }
    return true;
}

static void close_db(void)
{
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(D.q[i]);
        D.q[i] = NULL;
    }
    if (D.db)
        sqlite3_close(D.db);
    D.db = NULL;
    if (D.lock_fd >= 0)
        close(D.lock_fd);
    D.lock_fd = -1;
}

bool srv_store_open(const char *dir, char *err, size_t cap)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || mkdir(dir, 0755) != 0) {
            put_err(err, cap, "cannot create the directory %s: %s", dir, strerror(errno));
            return false;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        put_err(err, cap, "%s is not a directory", dir);
        return false;
    }
    if (!lock_dir(dir, err, cap))
        return false;
    char path[4096];
    snprintf(path, sizeof path, "%s/state.sqlite", dir);
    int rc = sqlite3_open_v2(path, &D.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                              SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        put_err(err, cap, "cannot open %s: %s", path, D.db ? sqlite3_errmsg(D.db)
                                                           : sqlite3_errstr(rc));
        close_db();
        return false;
    }
    if (sqlite3_db_readonly(D.db, "main") == 1) { /* SQLite opens a read-only file so */
        put_err(err, cap, "%s is read-only", path);
        close_db();
        return false;
    }
    sqlite3_busy_timeout(D.db, 2000);
    sqlite3_wal_autocheckpoint(D.db, 0); /* the flusher checkpoints */
    char why[1024];
    int aborted = 0;
    pthread_mutex_lock(&S.mu);
    bool ok = prepare(why, sizeof why) && load_machines(why, sizeof why) &&
              load_activities(why, sizeof why) &&
              load_executions(&aborted, why, sizeof why);
    pthread_mutex_unlock(&S.mu);
    if (!ok) {
        put_err(err, cap, "%s: %s", path, why);
        close_db();
        return false;
    }
    if (aborted)
        fprintf(stderr, "aslc serve: %d execution%s left running by the last server marked "
                        "ABORTED\n", aborted, aborted == 1 ? "" : "s");
    D.stopping = false;
    D.flusher_on = pthread_create(&D.flusher, NULL, flusher_main, NULL) == 0;
    return true;
}

void srv_store_close(void)
{
    pthread_mutex_lock(&D.mu);
    bool open = D.db != NULL;
    pthread_mutex_unlock(&D.mu);
    if (!open)
        return;
    if (D.flusher_on) {
        pthread_mutex_lock(&D.mu);
        D.stopping = true;
        pthread_cond_signal(&D.wake);
        pthread_mutex_unlock(&D.mu);
        pthread_join(D.flusher, NULL);
        D.flusher_on = false;
    }
    /* Ended executions were saved as they ended; a last pass saves the
     * running ones as aborted (their threads are stopped after this). */
    pthread_mutex_lock(&S.mu);
    pthread_mutex_lock(&D.mu);
    bool ok = begin();
    for (srv_exec *e = S.execs; ok && e; e = e->next)
        ok = e->status == EX_RUNNING ? put_stopped(e) : put_events(e);
    if (!commit(ok))
        write_failed("the final state");
    sqlite3_exec(D.db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    close_db();
    pthread_mutex_unlock(&D.mu);
    pthread_mutex_unlock(&S.mu);
}
