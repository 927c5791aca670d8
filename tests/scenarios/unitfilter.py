#!/usr/bin/env python3
"""unitfilter: run a command under the system call filter a systemd unit
would put it under, for deploy-unit.sh, where no systemd runs: its
SystemCallFilter= (the allow list the test has expanded; any other call
fails with EPERM, as SystemCallErrorNumber=EPERM has it) and its
RestrictNamespaces= (unshare, clone and setns may make only the kinds of
namespace named; clone3 fails with ENOSYS, as systemd makes it). Built with
libseccomp (the daemon's own) through ctypes; standard library otherwise.

  unitfilter.py ALLOWED NAMESPACES [--user UID:GID] -- COMMAND...
      ALLOWED: a file of system call names, one a line; NAMESPACES: the
      unit's RestrictNamespaces= value: the kinds allowed, space-separated
      ("user net"), or "yes" (none), or "no" or "" (all). With
      --user, become that uid and gid (no supplementary group) first, as
      systemd's User= and Group= do before the filter.
"""
import ctypes
import os
import sys

SCMP_ACT_ALLOW = 0x7fff0000
SCMP_CMP_MASKED_EQ = 7
NAMESPACES = {"cgroup": 0x02000000, "ipc": 0x08000000, "mnt": 0x00020000,
              "net": 0x40000000, "pid": 0x20000000, "user": 0x10000000,
              "uts": 0x04000000}


def act_errno(e):
    return 0x00050000 | e


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def libseccomp():
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    return lib


def load(allowed, namespaces):
    """The filter: each allowed call, the namespace calls only without a
    flag of a kind not in namespaces."""
    denied = 0
    if namespaces not in ([], ["no"]):
        for kind, flag in NAMESPACES.items():
            if kind not in namespaces:
                denied |= flag
    lib = libseccomp()
    ctx = ctypes.c_void_p(lib.seccomp_init(act_errno(1)))	# EPERM
    for name in allowed:
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            continue	# not on this architecture
        action, cmps = SCMP_ACT_ALLOW, []
        if name in ("clone", "unshare", "setns"):
            flags_arg = 1 if name == "setns" else 0
            cmps = [ArgCmp(flags_arg, SCMP_CMP_MASKED_EQ, denied, 0)]
        elif name == "clone3":
            action = act_errno(38)	# ENOSYS
        array = (ArgCmp * len(cmps))(*cmps) if cmps else None
        if lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), array) != 0:
            sys.exit("unitfilter: libseccomp refused the rule for " + name)
    if lib.seccomp_load(ctx) != 0:
        sys.exit("unitfilter: the kernel refused the filter")


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    allowed_file, namespaces, opts, command = args[0], args[1].split(), args[2:sep], args[sep + 1:]
    with open(allowed_file) as f:
        allowed = f.read().split()
    if opts[:1] == ["--user"]:
        uid, gid = (int(x) for x in opts[1].split(":"))
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    load(allowed, namespaces)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
