/*
 * Calls the job seccomp filter must refuse, each made once, and prints one line per call: `NAME ERRNO_NAME`
 * (or `NAME OK` if the call succeeded). Under the filter every line reads EPERM, except clone3 and a number above
 * every call the filter knows (syscall 1000), which read ENOSYS.
 *
 * Each call runs in a child process of its own, so that one that succeeds (an unshare, a clone) changes nothing
 * for the calls after it; the child reports errno as its exit status. Every call is made with arguments the kernel
 * rejects or that leave nothing behind, and the two that could still touch the machine (kexec_load, init_module)
 * are made only when a seccomp filter is in force (PR_GET_SECCOMP says 2); without one they are left out, so run
 * unfiltered as root the program prints only harmless calls, for comparison.
 *
 *     cc -O2 -Wall -Wextra -std=gnu11 -o probe-denied probe-denied.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
/* Numbers the same on every architecture, for headers older than the calls. */
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_set_mempolicy_home_node
#define __NR_set_mempolicy_home_node 450
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#endif

/* The raw clone() with only flags: a fork() that may ask for new namespaces. The child exits at once. */
static long raw_clone(unsigned long flags) {
    long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    return pid;
}

static long probe_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long probe_socket_vsock(void) {
    long fd = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd >= 0) close((int)fd);
    return fd;
}
static long probe_unshare(void) { return unshare(CLONE_NEWUSER); }
static long probe_mount(void) { return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL); }
static long probe_umount2(void) { return syscall(SYS_umount2, "/nonexistent-probe-denied", 0); }
static long probe_pivot_root(void) { return syscall(SYS_pivot_root, NULL, NULL); }
static long probe_chroot(void) { return syscall(SYS_chroot, "/nonexistent-probe-denied"); }
static long probe_setns(void) { return syscall(SYS_setns, -1, 0); }
static long probe_fsopen(void) { return syscall(SYS_fsopen, NULL, 0); }
static long probe_open_tree(void) { return syscall(SYS_open_tree, -1, NULL, 0); }
static long probe_keyctl(void) { return syscall(SYS_keyctl, 0x7fffffff /* no such command */, 0, 0, 0, 0); }
static long probe_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long probe_request_key(void) { return syscall(SYS_request_key, NULL, NULL, NULL, 0); }
static long probe_bpf(void) { return syscall(SYS_bpf, -1 /* no such command */, NULL, 0); }
static long probe_perf_event_open(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long probe_userfaultfd(void) { return syscall(SYS_userfaultfd, ~0 /* no such flags */); }
static long probe_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, ~0UL /* no such flags */); }
static long probe_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long probe_open_by_handle_at(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long probe_name_to_handle_at(void) { return syscall(SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0); }
static long probe_clock_settime(void) { return syscall(SYS_clock_settime, -1 /* no such clock */, NULL); }
static long probe_clone_newns(void) { return raw_clone(CLONE_NEWNS); }
static long probe_clone3(void) {
    struct clone_args args = {.flags = CLONE_NEWNS, .exit_signal = SIGCHLD};
    long pid = syscall(__NR_clone3, &args, sizeof args);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    return pid;
}
static long probe_personality(void) { return personality(ADDR_NO_RANDOMIZE); }
static long probe_syscall_1000(void) { return syscall(1000); }
#if defined(__x86_64__)
static long probe_x32_getpid(void) { return syscall(0x40000000 /* __X32_SYSCALL_BIT */ | SYS_getpid); }
#endif
/* Real calls, recent, that Docker allows only with a capability and so are not on the list. */
static long probe_set_mempolicy_home_node(void) { return syscall(__NR_set_mempolicy_home_node, 0, 0, 0, 0); }
static long probe_lsm_get_self_attr(void) { return syscall(__NR_lsm_get_self_attr, 0, NULL, NULL, 0); }

static const struct probe {
    const char *name;
    long (*call)(void);
    int only_filtered; /* could act on the machine if nothing refused it */
} probes[] = {
    {"io_uring_setup", probe_io_uring_setup, 0},
    {"socket(AF_VSOCK)", probe_socket_vsock, 0},
    {"unshare(CLONE_NEWUSER)", probe_unshare, 0},
    {"mount", probe_mount, 0},
    {"umount2", probe_umount2, 0},
    {"pivot_root", probe_pivot_root, 0},
    {"chroot", probe_chroot, 0},
    {"setns", probe_setns, 0},
    {"fsopen", probe_fsopen, 0},
    {"open_tree", probe_open_tree, 0},
    {"keyctl", probe_keyctl, 0},
    {"add_key", probe_add_key, 0},
    {"request_key", probe_request_key, 0},
    {"bpf", probe_bpf, 0},
    {"perf_event_open", probe_perf_event_open, 0},
    {"userfaultfd", probe_userfaultfd, 0},
    {"kexec_load", probe_kexec_load, 1},
    {"init_module", probe_init_module, 1},
    {"open_by_handle_at", probe_open_by_handle_at, 0},
    {"name_to_handle_at", probe_name_to_handle_at, 0},
    {"clock_settime", probe_clock_settime, 0},
    {"clone(CLONE_NEWNS)", probe_clone_newns, 0},
    {"clone3", probe_clone3, 0},
    {"personality(ADDR_NO_RANDOMIZE)", probe_personality, 0},
    {"syscall(1000)", probe_syscall_1000, 0},
#if defined(__x86_64__)
    {"x32_getpid", probe_x32_getpid, 0},
#endif
    {"set_mempolicy_home_node", probe_set_mempolicy_home_node, 0},
    {"lsm_get_self_attr", probe_lsm_get_self_attr, 0},
};

static const char *errno_name(int e) {
    static const struct { int value; const char *name; } names[] = {
        {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},   {EBADF, "EBADF"},   {ENOMEM, "ENOMEM"},
        {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},   {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"},
        {ENOTDIR, "ENOTDIR"}, {EINVAL, "EINVAL"}, {ENOSPC, "ENOSPC"}, {ENOSYS, "ENOSYS"}, {ENOEXEC, "ENOEXEC"},
        {E2BIG, "E2BIG"},   {ENOKEY, "ENOKEY"}, {EOPNOTSUPP, "EOPNOTSUPP"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    };
    static char unknown[16];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value == e) return names[i].name;
    snprintf(unknown, sizeof unknown, "E%d", e);
    return unknown;
}

int main(void) {
    int filtered = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        const struct probe *p = &probes[i];
        if (p->only_filtered && !filtered) {
            fprintf(stderr, "%s left out: no seccomp filter in force\n", p->name);
            continue;
        }
        fflush(stdout);
        pid_t child = fork();
        if (child < 0) {
            printf("%s fork:%s\n", p->name, errno_name(errno));
            continue;
        }
        if (child == 0) {
            errno = 0;
            long result = p->call();
            _exit(result >= 0 ? 0 : errno > 0 && errno < 256 ? errno : 255);
        }
        int status;
        if (waitpid(child, &status, 0) != child)
            printf("%s waitpid:%s\n", p->name, errno_name(errno));
        else if (WIFSIGNALED(status))
            printf("%s KILLED:%s\n", p->name, strsignal(WTERMSIG(status)));
        else if (WEXITSTATUS(status) == 0)
            printf("%s OK\n", p->name);
        else
            printf("%s %s\n", p->name, errno_name(WEXITSTATUS(status)));
    }
    return 0;
}
