/*
 * The seccomp filter every job runs under.
 *
 * It is a deny list of the system calls that break out of a container or reach the kernel's less-trodden
 * paths, in the spirit of Docker's default profile: module loading, kexec, reboot, swap, the clock, mounting,
 * new namespaces (including clone() with a CLONE_NEW* flag), keyrings, bpf, perf, userfaultfd and
 * handle-based opens. They fail with EPERM, so a job that probes for them gets an error, not a kill.
 * clone3() fails with ENOSYS, because its flags sit behind a pointer a filter cannot read; libc then falls back
 * to clone(), which the filter can check. System calls of another ABI (x32, or a foreign architecture) are
 * refused outright.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows x86_64 and aarch64 only"
#endif

#define NAMESPACE_FLAGS \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static const int denied[] = {
#ifdef __NR_kexec_load
    __NR_kexec_load,
#endif
    __NR_kexec_file_load, __NR_init_module, __NR_finit_module, __NR_delete_module, __NR_reboot,
    __NR_swapon, __NR_swapoff, __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot, __NR_unshare,
    __NR_setns, __NR_open_by_handle_at, __NR_name_to_handle_at, __NR_bpf, __NR_perf_event_open,
    __NR_userfaultfd, __NR_keyctl, __NR_add_key, __NR_request_key, __NR_acct, __NR_quotactl,
    __NR_settimeofday, __NR_clock_settime, __NR_clock_adjtime, __NR_adjtimex, __NR_fsopen, __NR_fsmount,
    __NR_fsconfig, __NR_fspick, __NR_move_mount, __NR_open_tree, __NR_mount_setattr,
    __NR_lookup_dcookie, __NR_vhangup,
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib, __NR_ustat, __NR_sysfs,
#endif
};

enum { DENIED_COUNT = sizeof denied / sizeof denied[0], MAX_FILTER = 2 * DENIED_COUNT + 16 };

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

long install_seccomp_filter(void) {
    struct sock_filter filter[MAX_FILTER];
    unsigned n = 0;
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0);
    filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    filter[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1);
    filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
#endif
    for (unsigned i = 0; i < DENIED_COUNT; i++) {
        filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i], 0, 1);
        filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    }
    filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
    filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3);
    /* The flags are clone()'s first argument on x86_64 and aarch64; all CLONE_NEW* bits are in its low word. */
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    filter[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1);
    filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    filter[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

    struct sock_fprog program = {.len = (unsigned short)n, .filter = filter};
    return SYS3(__NR_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}
