/*
 * flotilla-init: pid 1 of every container, the way tini, `docker --init` and Bazel's linux-sandbox-pid1 are.
 *
 * The kernel treats a pid namespace's first process specially: a signal it sends itself, or that another process
 * of its namespace sends it, is dropped unless it has a handler. A job that ran as pid 1 could therefore not
 * abort() (it died of the SIGSEGV that follows), `kill -TERM $$` did nothing, and orphans it never waited for
 * stayed zombies. So the launcher's child executes this program as pid 1, and the job runs as its child, pid 2,
 * where every signal means what it means on the developer's machine.
 *
 * Usage: flotilla-init PROGRAM [ARGS...]   (started by the launcher's child with descriptor 4 open: STATUS_FD)
 *
 * It is linked statically, so it needs nothing from the container's root filesystem.
 *
 * Guarantees:
 *   - The job runs with init's argv (less argv[0]), environment, working directory and descriptors 0 to 3, in a
 *     session and process group of its own, with every signal unblocked. Its program is looked up on the PATH of
 *     its own environment, as execvp() does.
 *   - Every signal that reaches pid 1 and can be caught (a timeout's SIGTERM, SIGINT, SIGHUP, SIGUSR1...) is passed
 *     on to the job. SIGKILL cannot be caught: it ends pid 1, and with it the whole namespace.
 *   - HOME, when the environment names one that does not exist (the node's default is in the job's own /tmp), is
 *     created, private to the job's user, before the job starts.
 *   - Every process that the job leaves behind is reaped when it exits, so none stays a zombie.
 *   - When the job ends, init writes "0, then the job's wait status" (two native ints) on STATUS_FD and exits; the
 *     kernel then kills whatever else is left in the namespace. The launcher reports the job's own status, so a
 *     job that died of SIGABRT is reported as signal 6, as it is outside any container.
 *   - A job that cannot be executed writes "errno, then a description" on STATUS_FD (the format of child.c's
 *     failures) and exits 127; the launcher reports a launch error.
 *   - STATUS_FD is close-on-exec in the job, and this process is not dumpable, so jobs (which run as the same
 *     user) can neither inherit it nor reach it through /proc/1/fd or ptrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { STATUS_FD = 4, PATH_BUF = 4096, REPORT_MAX = 1024 };

/* Written in one write() of at most PIPE_BUF bytes, so that it is never interleaved with init's own report. */
static void report_failure(const char *what, const char *program, int err) {
    char buf[REPORT_MAX];
    memcpy(buf, &err, sizeof err);
    size_t n = sizeof err;
    for (const char *s = what; *s && n < sizeof buf - 2; s++) buf[n++] = *s;
    buf[n++] = ' ';
    for (const char *s = program; *s && n < sizeof buf; s++) buf[n++] = *s;
    (void)!write(STATUS_FD, buf, n);
    _exit(127);
}

/* Searches PATH like execvp(). ENOENT is reported only if no candidate failed for a better reason. */
static void exec_job(char **argv) {
    const char *program = argv[0];
    if (strchr(program, '/')) {
        execv(program, argv);
        report_failure("cannot execute", program, errno);
    }
    const char *path = getenv("PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    int saved = ENOENT;
    char candidate[PATH_BUF];
    while (*path) {
        size_t n = 0;
        for (; *path && *path != ':' && n < PATH_BUF - 2; path++) candidate[n++] = *path;
        if (*path == ':') path++;
        if (n == 0) candidate[n++] = '.';
        candidate[n++] = '/';
        candidate[n] = '\0';
        strncat(candidate, program, PATH_BUF - n - 1);
        execv(candidate, argv);
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    }
    report_failure(saved == ENOENT ? "program not found:" : "cannot execute", program, saved);
}

int main(int argc, char **argv) {
    if (argc < 2) return 127;
    prctl(PR_SET_NAME, "flotilla-init");
    prctl(PR_SET_DUMPABLE, 0);
    fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    /* Blocked signals are never dropped, not even for pid 1, so each one waits for sigwaitinfo() below. */
    sigprocmask(SIG_SETMASK, &all, NULL);

    const char *home = getenv("HOME");
    if (home) mkdir(home, 0700); /* best effort: a HOME that exists, or cannot be made, is the job's own business */
    pid_t job = fork();
    if (job < 0) report_failure("cannot fork the job from", "flotilla-init", errno);
    if (job == 0) {
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        exec_job(argv + 1);
    }

    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig < 0) continue;
        if (sig != SIGCHLD) {
            kill(job, sig);
            continue;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != job) continue;
            int report[2] = {0, status};
            (void)!write(STATUS_FD, report, sizeof report);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
}
