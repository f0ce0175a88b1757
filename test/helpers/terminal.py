#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and bridges it to plain pipes.

Tests drive interactive prompts through it: what arrives on this script's
stdin is typed into the terminal, and everything the program draws comes
out on stdout. The exit status is the program's own (128 + signal when a
signal ended it). Only the standard library is used, so CI needs nothing
beyond python3.

usage: terminal.py [--cols N] [--rows N] -- command [args...]
"""
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios


def main() -> int:
    args = sys.argv[1:]
    cols, rows = 100, 40
    while args and args[0] != '--':
        flag, value = args[0], int(args[1])
        if flag == '--cols':
            cols = value
        elif flag == '--rows':
            rows = value
        args = args[2:]
    command = args[1:]
    if not command:
        print(__doc__, file=sys.stderr)
        return 2

    pid, master = pty.fork()
    if pid == 0:
        # In the child the terminal is fd 0: size it before the program asks.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    stdin_open = True
    out = sys.stdout.buffer
    while True:
        readable = [master] + ([0] if stdin_open else [])
        try:
            ready, _, _ = select.select(readable, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b''
            if not data:
                break
            out.write(data)
            out.flush()
        if stdin_open and 0 in ready:
            data = os.read(0, 65536)
            if not data:
                stdin_open = False
            else:
                os.write(master, data)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == '__main__':
    sys.exit(main())
