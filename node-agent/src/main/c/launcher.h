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

/* Everything the child needs between clone() and execve(). Filled by the parent before clone(). */
struct child_plan {
    char *argv[MAX_ARGS + 1];
    char *envp[MAX_ENV + 1];
    struct mount_step mounts[MAX_MOUNTS];
    int mount_count;
    const char *workdir;
    const char *hostname;
    const char *new_root;    /* empty directory on the host where the job's root is assembled */
    const char *scratch_dir; /* empty directory on the host for overlay upper and work dirs */
    const char *dev_template;/* the launcher's prepared /dev, bound recursively into the job */
    int writable;
    uid_t uid;
    gid_t gid;
    int sync_fd;   /* read end: the parent writes one byte once uid maps and cgroups are in place */
    int error_fd;  /* write end: a failure before execve() is described here, then the child exits 127 */
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
};

/* Runs in the cloned child. Never returns. Only async-signal-safe calls (see child.c). */
int child_main(void *plan);

/* Installs the job's seccomp filter. Returns 0, or -1 with errno set. */
int install_seccomp_filter(void);

#endif
