/*
 * Calls that a normal job (a test suite, a runtime) makes and the job seccomp filter must allow. Prints
 * `NAME OK` or `NAME ERRNO_NAME` per call, one per line, and exits 1 if any failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/rseq.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void report(const char *name, int ok) {
    if (ok) {
        printf("%s OK\n", name);
    } else {
        const char *e = strerrorname_np(errno);
        printf("%s %s\n", name, e ? e : "?");
        failures++;
    }
}

static void *thread_main(void *arg) { return arg; }

int main(void) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    report("epoll_create1", ep >= 0);
    int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    report("eventfd2", ev >= 0);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = ev}, got;
    report("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, ev, &event) == 0);
    uint64_t one = 1;
    report("eventfd_write", write(ev, &one, sizeof one) == sizeof one);
    report("epoll_wait", epoll_wait(ep, &got, 1, 1000) == 1);
    report("epoll_pwait2", syscall(SYS_epoll_pwait2, ep, &got, 1, &(struct timespec){0, 0}, NULL, 0) == 1);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    report("timerfd_create", tfd >= 0);
    struct itimerspec its = {.it_value = {0, 1000000}};
    report("timerfd_settime", timerfd_settime(tfd, 0, &its, NULL) == 0);
    uint64_t ticks;
    report("timerfd_read", read(tfd, &ticks, sizeof ticks) == sizeof ticks);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    report("rt_sigprocmask", sigprocmask(SIG_BLOCK, &set, NULL) == 0);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    report("signalfd4", sfd >= 0);
    report("tgkill", raise(SIGUSR1) == 0);
    struct signalfd_siginfo si;
    report("signalfd_read", read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1);

    int p[2];
    report("pipe2", pipe2(p, O_CLOEXEC) == 0);
    int mfd = memfd_create("probe", MFD_CLOEXEC);
    report("memfd_create", mfd >= 0);
    report("ftruncate", ftruncate(mfd, 4096) == 0);
    void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    report("mmap", map != MAP_FAILED);
    report("munmap", munmap(map, 4096) == 0);

    char buf[16];
    report("getrandom", getrandom(buf, sizeof buf, 0) == sizeof buf);
    report("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000000}, NULL) == 0);
    struct statx stx;
    report("statx", statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx) == 0);
    report("faccessat2", syscall(SYS_faccessat2, AT_FDCWD, "/", R_OK, AT_EACCESS) == 0);
    /* glibc registers rseq for every thread at start; if refused, the area's cpu_id stays negative. */
    const struct rseq *rs = (const struct rseq *)((const char *)__builtin_thread_pointer() + __rseq_offset);
    report("rseq", __rseq_size > 0 && (int)rs->cpu_id >= 0);

    pthread_t thread;
    report("pthread_create", (errno = pthread_create(&thread, NULL, thread_main, NULL)) == 0);
    report("pthread_join", (errno = pthread_join(thread, NULL)) == 0);

    pid_t child = fork();
    if (child == 0) _exit(7);
    int status;
    report("fork_wait4", child > 0 && waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 7);

    /* ptrace of one's own child, as debuggers and sanitizers do. */
    child = fork();
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP);
        _exit(0);
    }
    int traced = child > 0 && waitpid(child, &status, 0) == child && WIFSTOPPED(status);
    traced = traced && ptrace(PTRACE_CONT, child, NULL, NULL) == 0 && waitpid(child, &status, 0) == child;
    report("ptrace", traced);
    char here[8] = "abc", there[8] = "";
    struct iovec local = {there, sizeof there}, remote = {here, sizeof here};
    report("process_vm_readv", process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == sizeof here);

    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    report("socket_inet", s >= 0);
    int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    report("socket_unix", u >= 0);
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    report("socket_netlink", nl >= 0);
    report("personality_query", personality(0xffffffff) != -1);

    /* Calls newer than the build machine's headers, allowed by their generic numbers. */
    char path[] = "/tmp/probe-allowed-XXXXXX";
    int tmp = mkstemp(path);
    report("fchmodat2", tmp >= 0 && syscall(452 /* fchmodat2 */, AT_FDCWD, path, 0600, 0) == 0);
    unlink(path);
    void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("mseal", syscall(462 /* mseal */, page, 4096, 0) == 0);

    report("close_range", close_range(3, ~0U, 0) == 0);
    return failures ? 1 : 0;
}
