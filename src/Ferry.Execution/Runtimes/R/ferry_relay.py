"""Ferry's R relay: speaks the worker protocol on the socket side for an R process.

Usage: python3 -u ferry_relay.py CHANNEL MEMORY_LIMIT_MB RSCRIPT_PATH, with the one-time token
FERRY_TOKEN in the environment (Debian's /usr/bin/python3, standard library only).

R cannot open a Unix domain socket and has no thread to watch a control channel, so this relay does
what docs/worker-protocol.md says a worker does on the socket side, and runs R (ferry_worker.R, found
next to this file) as its child over two pipes:
- it connects the frame channel, then the control channel, sends the token on the control channel,
  and says `ready` (with the token) on the frame channel only once R has said it is ready;
- R gets stdin /dev/null, stdout and stderr on a capture file under /tmp opened O_APPEND (R reads
  each call's console output from it), a pipe for requests and a pipe for replies (inherited fds whose
  numbers it gets as arguments), RLIMIT_AS = MEMORY_LIMIT_MB (unless 0) and SIGXFSZ ignored;
- it hands R ONE request at a time, the next only after R answered the one before, and copies each
  reply to the socket unchanged (whole frames). So R only ever runs the request the relay knows of;
- it owns interrupts: an interrupt for the request R is running (an execute) is a SIGINT to R; one
  for a later request is remembered and that request, when its turn comes, is answered as
  interrupted without reaching R. After a call during which R was signalled, it sends R a
  `ferry_flush_interrupt` frame (no reply) so that a SIGINT that came too late to stop that call is
  swallowed and cannot hit the next one;
- it owns `startBy` (CLOCK_MONOTONIC ns): an execute whose turn comes after it is answered
  `expired` without reaching R. It answers `ping` itself; `shutdown` ends R and the relay.
- When the control channel or the frame channel ends, or R dies, the relay ends at once (killing R).
  A reply from R when no request is outstanding (user code writing to the reply pipe) ends
  everything. A reply frame over 144 MiB becomes a failure reply.
"""
import collections
import json
import os
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

MAX_REPLY_BYTES = 144 * 1024 * 1024
READ_CHUNK = 1 << 20
FLUSH_FRAME = json.dumps({"type": "ferry_flush_interrupt"}).encode("utf-8")
WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ferry_worker.R")


def _frame(body):
    return struct.pack("<I", len(body)) + body


def _encode(message):
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _failure(kind, message, status="badRequest"):
    if kind == "execute":
        return {"success": False, "errorMessage": message, "consoleOutput": "",
                "outputParameters": [], "outputFiles": {}, "changedFiles": []}
    return {"error": message, "status": status}


class Relay:
    def __init__(self, channel, memory_mb, rscript):
        self.token = os.environ.pop("FERRY_TOKEN", "")
        self.frames = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.frames.connect(channel)
        self.control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.control.connect(channel)
        self.control.sendall(self.token.encode("ascii"))
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # fd 2 stays: the server reports it when the start fails
        os.close(devnull)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        fd, self.capture_path = tempfile.mkstemp(prefix="ferry-r-console-")  # TMPDIR: /tmp, private to the sandbox
        os.close(fd)
        capture = os.open(self.capture_path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        request_r, self.request_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        for fd in (self.request_w, self.reply_r):
            try:
                import fcntl
                fcntl.fcntl(fd, 1031, READ_CHUNK)  # F_SETPIPE_SZ: fewer wake-ups for large frames
            except OSError:
                pass
        env = dict(os.environ)
        if not any(env.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
            env["LANG"] = "C.UTF-8"
        if not env.get("XDG_CACHE_HOME"):
            # Caches (fontconfig's, rebuilt by the first plot when /var/cache/fontconfig is not in the
            # sandbox) go to the private temporary directory, not $HOME, where they would be changedFiles.
            env["XDG_CACHE_HOME"] = os.path.join(tempfile.gettempdir(), "ferry-cache")
        limit = memory_mb * 1024 * 1024

        def child_setup():
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            if limit > 0:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self.r = subprocess.Popen(
            [rscript, "--vanilla", WORKER_SCRIPT, str(request_r), str(reply_w), self.capture_path],
            stdin=subprocess.DEVNULL, stdout=capture, stderr=capture, pass_fds=(request_r, reply_w),
            env=env, cwd=os.getcwd(), preexec_fn=child_setup, restore_signals=False, close_fds=True)
        os.close(request_r)
        os.close(reply_w)
        os.close(capture)
        try:
            self.r_fd = os.pidfd_open(self.r.pid)
        except (AttributeError, OSError):
            self.r_fd = None  # R's death then shows as the end of the reply pipe

        self.started = False
        self.incoming = bytearray()  # bytes from the frame channel
        self.pending = collections.deque()  # (number, body) of requests not yet given to R
        self.received = 0  # requests numbered so far
        self.answered = 0  # the highest request number answered
        self.current = None  # (number, kind) of the request R is serving
        self.signalled = False  # R got a SIGINT during the current request
        self.flush_needed = False
        self.interrupts = set()  # numbers of later requests to answer as interrupted
        self.replies = bytearray()  # bytes from R
        self.skip = 0  # bytes left of a reply too large to relay
        self.control_buffer = b""

    # ---- ending ----
    def finish(self, code=0):
        if not self.started:
            code = code or 1  # R never said it was ready: the start failed
        try:
            self.r.kill()
        except OSError:
            pass
        if not self.started:
            try:  # R's own words on why it did not start go to the stderr the server reports
                with open(self.capture_path, "rb") as f:
                    data = f.read()[-65536:]
                sys.stderr.write(data.decode("utf-8", errors="replace"))
                sys.stderr.flush()
            except OSError:
                pass
        try:
            os.unlink(self.capture_path)
        except OSError:
            pass
        os._exit(code)

    # ---- towards the server ----
    def send(self, body):
        try:
            self.frames.sendall(_frame(body))
        except OSError:
            self.finish(0)

    def answer(self, number, body):
        self.answered = number
        if self.interrupts:
            self.interrupts = {n for n in self.interrupts if n > number}
        self.send(body)

    # ---- towards R ----
    def write_r(self, data):
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.request_w, view)
                view = view[written:]
        except OSError:
            self.r_gone()

    def dispatch(self):
        while self.current is None and self.pending:
            number, body = self.pending.popleft()
            try:
                request = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                self.finish(2)  # a frame that does not parse ends the worker
            if not isinstance(request, dict):
                self.finish(2)
            kind = request.get("type")
            if kind == "shutdown":
                self.finish(0)
            if kind == "ping":
                self.answer(number, _encode({"ok": True}))
                continue
            if kind == "execute":
                start_by = request.get("startBy")
                if isinstance(start_by, (int, float)) and not isinstance(start_by, bool) and time.monotonic_ns() > start_by:
                    self.answer(number, _encode({"error": "The call waited past the queue's deadline behind a slower one; it did not run. Retry shortly.", "status": "expired"}))
                    continue
                if number in self.interrupts:
                    self.answer(number, _encode(_failure("execute", "Execution was interrupted (cancelled or past its time limit).")))
                    continue
            if self.flush_needed:
                self.write_r(_frame(FLUSH_FRAME))
                self.flush_needed = False
            self.current = (number, kind)
            self.signalled = False
            self.write_r(_frame(body))

    # ---- events ----
    def on_frames(self):
        try:
            chunk = self.frames.recv(READ_CHUNK)
        except OSError:
            chunk = b""
        if not chunk:
            self.finish(0)
        self.incoming += chunk
        while len(self.incoming) >= 4:
            (length,) = struct.unpack_from("<I", self.incoming)
            if len(self.incoming) < 4 + length:
                break
            body = bytes(self.incoming[4:4 + length])
            del self.incoming[:4 + length]
            self.received += 1
            self.pending.append((self.received, body))
        if self.started:
            self.dispatch()

    def on_control(self):
        try:
            chunk = self.control.recv(8 - len(self.control_buffer))
        except OSError:
            chunk = b""
        if not chunk:
            self.finish(0)  # the server is gone or closing this worker
        self.control_buffer += chunk
        if len(self.control_buffer) < 8:
            return
        (number,) = struct.unpack("<q", self.control_buffer)
        self.control_buffer = b""
        if self.current is not None and number == self.current[0]:
            if self.current[1] == "execute":
                self.signalled = True
                try:
                    os.kill(self.r.pid, signal.SIGINT)
                except OSError:
                    pass
        elif number > self.answered:
            self.interrupts.add(number)

    def on_replies(self):
        try:
            chunk = os.read(self.reply_r, READ_CHUNK)
        except BlockingIOError:
            raise
        except OSError:
            chunk = b""
        if not chunk:
            self.r_gone()
        self.replies += chunk
        while True:
            if self.skip:
                take = min(self.skip, len(self.replies))
                del self.replies[:take]
                self.skip -= take
                if self.skip:
                    return
                kind = self.current[1] if self.current else None
                self.on_reply(_encode(_failure(kind, f"The reply was more than the {MAX_REPLY_BYTES} bytes a reply may have.")))
                continue
            if len(self.replies) < 4:
                return
            (length,) = struct.unpack_from("<I", self.replies)
            if length > MAX_REPLY_BYTES:
                if self.current is None:
                    self.finish(3)
                del self.replies[:4]
                self.skip = length
                continue
            if len(self.replies) < 4 + length:
                return
            body = bytes(self.replies[4:4 + length])
            del self.replies[:4 + length]
            self.on_reply(body)

    def on_reply(self, body):
        if not self.started:
            try:
                hello = json.loads(body)
            except ValueError:
                self.finish(3)
            if not isinstance(hello, dict) or hello.get("type") != "ready":
                self.finish(3)
            self.started = True
            self.send(_encode({"type": "ready", "token": self.token, "pid": os.getpid(),
                               "version": hello.get("version", "")}))
            self.dispatch()
            return
        if self.current is None:
            self.finish(3)  # a reply nobody asked for: user code wrote to the reply pipe
        number = self.current[0]
        self.current = None
        if self.signalled:
            self.flush_needed = True
        self.answer(number, body)
        self.dispatch()

    def on_r_exit(self):
        """R is gone: relay what it wrote before it went, then end."""
        os.set_blocking(self.reply_r, False)
        try:
            while True:
                self.on_replies()
        except BlockingIOError:
            pass
        self.r_gone()

    def r_gone(self):
        """R has ended: end with its exit status (128 + the signal if one killed it), as a Python worker ends with its own."""
        try:
            code = self.r.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = 0  # its pipes closed but it lingers: finish() kills it
        self.finish(128 - code if code < 0 else code)

    def run(self):
        poller = select.poll()
        handlers = {}
        for fd, handler in ((self.frames.fileno(), self.on_frames), (self.control.fileno(), self.on_control),
                            (self.reply_r, self.on_replies)):
            poller.register(fd, select.POLLIN)
            handlers[fd] = handler
        if self.r_fd is not None:
            poller.register(self.r_fd, select.POLLIN)
            handlers[self.r_fd] = self.on_r_exit
        while True:
            for fd, _ in poller.poll():
                handlers[fd]()


def main():
    if len(sys.argv) < 4:
        sys.stderr.write("usage: ferry_relay.py CHANNEL MEMORY_LIMIT_MB RSCRIPT_PATH\n")
        sys.exit(2)
    Relay(sys.argv[1], int(sys.argv[2]), sys.argv[3]).run()


if __name__ == "__main__":
    main()
