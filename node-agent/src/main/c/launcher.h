/*
 * Shared declarations of the Flotilla sandbox launcher. See launcher.c for the guarantees and the protocol.
 */
#ifndef FLOTILLA_LAUNCHER_H
#define FLOTILLA_LAUNCHER_H

#include <stdint.h>
#include <sys/types.h>

/* One step of the plan that builds a job's root filesystem, executed in order by the child. */
enum mount_kind {
    MOUNT_BIND_RO = 0, /* read-only bind of a host path (an overlay on it when the job is writable) */
    MOUNT_SYMLINK = 1, /* src is the link's target, dest the link */
    MOUNT_TMPFS = 2,   /* a fresh, empty, writable tmpfs */
    MOUNT_PROC = 3,    /* a proc for the job's own pid namespace */
    MOUNT_DEV = 4,     /* a minimal /dev: null zero full random urandom tty, std streams, shm */
};

struct mount_step {
    enum mount_kind kind;
    const char *src;
    const char *dest;
};

enum { MAX_ARGS = 4096, MAX_ENV = 4096, MAX_MOUNTS = 256, MAX_CGROUPS = 8 };

/* Where a job's program finds the directory it was given (a shared container's exchange directory), if any. The
 * launcher holds this descriptor number itself, so that no descriptor the child needs can ever have it. */
enum { SHARED_DIR_FD = 3 };

/* The lowest part of each job's clone stack, used by the job's own process between its clone() by pid 1 (the
 * container's init, which keeps the rest) and its execve(). */
enum { JOB_STACK = 64 * 1024 };

/* Everything the child needs between clone() and execve(). Filled by the parent before clone(). */
struct child_plan {
    char *argv[MAX_ARGS + 1];
    char *envp[MAX_ENV + 1];
    struct mount_step mounts[MAX_MOUNTS];
    int mount_count;
    const char *workdir;
    const char *hostname;
    const char *hosts;       /* the container's own /etc/hosts, with a new /etc/machine-id; NULL: the base's /etc */
    size_t hosts_len;
    const char *new_root;    /* empty directory on the host where the job's root is assembled */
    const char *scratch_dir; /* empty directory on the host for overlay upper and work dirs */
    const char *dev_template;/* the launcher's prepared /dev, bound recursively into the job */
    const char *empty_dir;   /* an empty read-only directory, bound over what /proc must hide */
    const char *tmpfs_size;  /* decimal bytes: the cap of each tmpfs the job can write (/tmp, /dev/shm, scratch) */
    const char *tmpfs_inodes;/* decimal: the most files in each of them */
    int writable;
    uid_t uid;
    gid_t gid;
    int sync_fd;   /* read end: the parent writes one byte once uid maps and cgroups are in place */
    int launcher_pidfd; /* readable once the launcher has exited */
    int shared_dir_fd;  /* a directory the program gets as SHARED_DIR_FD, or -1 */
    char *job_stack;    /* top of the stack for the job's process until it executes (JOB_STACK) */
    int error_fd;  /* write end: a failure before execve() is described here, then the child exits 127; init
                    * writes the job's wait status here when it ends */
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
};

/* Runs in the cloned child. Never returns. Only raw system calls (see child.c). */
int child_main(void *plan);

/* Builds the jobs' seccomp filter, once, before any job starts. */
void prepare_seccomp_filter(void);

/* Installs the prepared filter in the calling child. Returns 0, or -errno. */
long install_seccomp_filter(void);

/*
 * A system call that returns -errno instead of setting errno. The child shares the launcher's memory (CLONE_VM),
 * and so its thread-local errno, until it executes the job; glibc's wrappers would race with the launcher on it,
 * and some (setresuid) would even signal the launcher's own thread. So the child uses only these.
 */
static inline long sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
#if defined(__x86_64__)
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a1;
    register long x1 __asm__("x1") = a2;
    register long x2 __asm__("x2") = a3;
    register long x3 __asm__("x3") = a4;
    register long x4 __asm__("x4") = a5;
    register long x5 __asm__("x5") = a6;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
#else
#error "raw system calls are written for x86_64 and aarch64 only"
#endif
}

#define SYS0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define SYS1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#endif
