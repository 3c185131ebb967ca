"""Ferry's Python worker: one interpreter serving framed JSON requests over a Unix domain socket.

Usage: ferry_worker.py CHANNEL MEMORY_LIMIT_MB, with the one-time token FERRY_TOKEN in the
environment. The worker makes two connections to the Unix domain socket CHANNEL the server listens
on (never fd 0 or 1, so that print() or C libraries writing to stdout can never corrupt them): the
first carries frames, each a 4-byte little-endian length followed by that many bytes of UTF-8 JSON;
the second, the control channel, carries the numbers (8 bytes, little-endian) of requests to
interrupt, and its end means the server is gone. Each execution's fd 1 and fd 2 go to a capture
file returned as consoleOutput.

Requests may be pipelined: the server can send the next request before the reply to the one
before, and the worker serves them in order, one at a time. Requests are numbered from 1 in the
order they arrive. An interrupt names its target, and a request that is not that one is left
running: the control thread raises SIGINT in the main thread, whose handler checks the number.

Requests: execute, workspace_list/get/set/delete, save_workspace, load_workspace, ping and
shutdown. A request that cannot be served answers {"error": message, "status": "badRequest",
"notFound" or "expired" (an execute that could not start by its startBy)}; a failure of the
user's code is a normal execute reply with success false.
"""
import base64
import gc
import io
import json
import os
import resource
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import traceback
import types
import warnings

def _connect(path, token):
    """Makes the two connections to the server's socket at PATH: requests and replies, then the control
    channel, on which the token goes first."""
    global _SOCKET, _IN, _CONTROL, _TOKEN
    _TOKEN = token
    _SOCKET = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _SOCKET.connect(path)
    _IN = _SOCKET.makefile("rb")
    _CONTROL = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _CONTROL.connect(path)
    _CONTROL.sendall(token.encode("ascii"))


def _close_channels():
    """Closes a forked copy's inherited channels: their sockets give up their descriptors first, so no
    later clean-up closes a number reused since."""
    os.close(_SOCKET.detach())
    os.close(_CONTROL.detach())


# The channels first; fds 0 and 1 lead nowhere until an execution captures them.
_connect(sys.argv[1], os.environ.pop("FERRY_TOKEN", ""))
_INTERRUPT_TARGET = 0  # the number of the request the last interrupt meant
_devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(_devnull, 0)
os.dup2(_devnull, 1)
sys.stdin = open(os.devnull, "r")
sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0, closefd=False), write_through=True)


def _read_exact(n):
    data = b""
    while len(data) < n:
        chunk = _IN.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame():
    header = _read_exact(4)
    if header is None:
        return None
    (length,) = struct.unpack("<I", header)
    body = _read_exact(length)
    return None if body is None else json.loads(body.decode("utf-8"))


BACKGROUND_NICE = 10  # a worker serving batch chunks: about a tenth of a core's share against a single call's worker
MAX_REPLY_BYTES = 144 * 1024 * 1024  # the server refuses larger frames (a 100 MiB workspace object fits, base64)
MAX_CONSOLE_BYTES = 4 * 1024 * 1024  # consoleOutput keeps its first and last halves of this


def _dumps(message):
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_not_encodable).encode("utf-8")


def _send(body):
    if len(body) > MAX_REPLY_BYTES:
        raise ValueError(f"the reply is {len(body)} bytes, more than the {MAX_REPLY_BYTES} a reply may have")
    _SOCKET.sendall(struct.pack("<I", len(body)) + body)


def write_frame(message):
    """Writes one frame. A value JSON cannot carry (an integer of more than 4,300 digits, a lone
    surrogate) or a reply over MAX_REPLY_BYTES raises ValueError before anything is written, so the
    channel stays whole."""
    _send(_dumps(message))


def encode_reply(request, reply):
    """A reply's JSON (bytes pass as they are); one that cannot be encoded becomes a failure naming why,
    and the worker lives on."""
    if isinstance(reply, bytes):
        return reply
    try:
        body = _dumps(reply)
        if len(body) > MAX_REPLY_BYTES:
            raise ValueError(f"the reply is {len(body)} bytes, more than the {MAX_REPLY_BYTES} a reply may have")
        return body
    except (ValueError, TypeError, RecursionError) as ex:
        reason = f"The result could not be encoded as JSON: {type(ex).__name__}: {ex}"
        for output in reply.get("outputParameters") or []:  # only now, on failure: name the output at fault
            try:
                json.dumps(output.get("value"), ensure_ascii=False, allow_nan=False).encode("utf-8")
            except (ValueError, TypeError, RecursionError) as bad:
                reason = f"Output '{output.get('name')}' could not be encoded as JSON: {type(bad).__name__}: {bad}"
                break
        if request.get("type") == "execute":
            console = reply.get("consoleOutput", "")
            try:
                json.dumps(console, ensure_ascii=False).encode("utf-8")
            except (ValueError, TypeError):
                console = console.encode("utf-8", errors="replace").decode("utf-8")
            return _dumps(_failed(reason, console))
        return _dumps({"error": reason, "status": "badRequest"})


def _failed(message, console=""):
    """An execute reply for a failure outside user code."""
    return {"success": False, "errorMessage": message, "consoleOutput": console,
            "outputParameters": [], "outputFiles": {}, "changedFiles": []}


def write_reply(request, reply):
    """Writes a reply; one that cannot be encoded becomes a failure naming why, and the worker lives on."""
    _send(encode_reply(request, reply))


def _not_encodable(value):
    raise TypeError(f"a value of type {type(value).__name__} cannot be encoded as JSON")


def to_json(value):
    """Converts numpy and pandas values to plain JSON values; raises TypeError for anything else."""
    mod = type(value).__module__
    if mod.startswith("pandas"):
        if hasattr(value, "to_dict") and hasattr(value, "columns"):
            return {str(k): [to_json(x) for x in v] for k, v in value.to_dict(orient="list").items()}
        if hasattr(value, "tolist"):
            return [to_json(x) for x in value.tolist()]
    if mod.startswith("numpy"):
        if hasattr(value, "tolist"):
            return to_json(value.tolist())
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(x) for x in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    raise TypeError(f"a value of type {type(value).__name__} cannot be encoded as JSON")


def _stamp(st):
    """What identifies a directory's state: the directory itself and its mtime."""
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


def _files(directory):
    """Every file under directory (relative name to mtime and size), for changedFiles. A name that is not UTF-8
    (os.mkdir(b"\\xff")) has no JSON text and no files API can name it: it and what is under it are left out."""
    result = {}
    stack = [(directory, "")]
    while stack:
        path, prefix = stack.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    entry.name.encode("utf-8")
                except UnicodeEncodeError:
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, prefix + entry.name + "/"))
                    else:
                        st = entry.stat()
                        result[prefix + entry.name] = (st.st_mtime_ns, st.st_size)
                except OSError:
                    continue
    return result


def _console(capture, size):
    """What the execution printed; past MAX_CONSOLE_BYTES its beginning and end, and how much was left out."""
    if not size:
        return ""
    if size <= MAX_CONSOLE_BYTES:
        return os.pread(capture, size, 0).decode("utf-8", errors="replace")
    half = MAX_CONSOLE_BYTES // 2
    head = os.pread(capture, half, 0).decode("utf-8", errors="replace")
    tail = os.pread(capture, half, size - half).decode("utf-8", errors="replace")
    return f"{head}\n[... {size - 2 * half} bytes of output left out ...]\n{tail}"


class RequestError(Exception):
    """A request the worker cannot serve: answered with its status, the worker goes on."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _numpy():
    import numpy
    return numpy


def convert_input(name, value, kind):
    """Turns a JSON input into the Python value of its declared ML Server type."""
    if kind is None:
        return value
    if kind == "integer":
        return int(value)
    if kind == "numeric":
        return float(value)
    if kind == "character":
        return str(value)
    if kind == "logical":
        return bool(value)
    if kind in ("vector", "matrix"):
        return _numpy().array(value)
    if kind == "data.frame":
        import pandas
        return pandas.DataFrame(value)
    raise RequestError("badRequest", f"Input '{name}' has the unknown type '{kind}'.")


def convert_output(value, kind):
    """Turns a Python value into the JSON of its declared type; raises TypeError when it does not fit."""
    plain = to_json(value)
    if kind is None:
        return plain
    if kind == "character":
        if isinstance(plain, (dict, list)):
            raise TypeError(f"a {type(value).__name__} is not a character value")
        return plain if isinstance(plain, str) else json.dumps(plain)
    if kind == "logical":
        if isinstance(plain, bool):
            return plain
        raise TypeError(f"a {type(value).__name__} is not a logical value")
    if kind in ("integer", "numeric"):
        if plain is None and value is not None:
            return None  # NaN or an infinity: a missing value (null), as in a vector
        if isinstance(plain, bool) or not isinstance(plain, (int, float)):
            raise TypeError(f"a {type(value).__name__} is not a {kind} value")
        if kind == "integer":
            if plain != int(plain):
                raise TypeError(f"{plain} is not an integer")
            return int(plain)
        return float(plain)
    if kind == "vector":
        if not isinstance(plain, list):
            plain = [plain]
        if any(isinstance(x, (list, dict)) for x in plain):
            raise TypeError("a vector holds single values, not nested arrays")
        return plain
    if kind == "matrix":
        if not isinstance(plain, list) or not all(isinstance(row, list) for row in plain):
            raise TypeError(f"a {type(value).__name__} is not a matrix (an array of rows)")
        return plain
    if kind == "data.frame":
        if not isinstance(plain, dict):
            raise TypeError(f"a {type(value).__name__} is not a data.frame")
        return plain
    raise TypeError(f"the type '{kind}' is unknown")


_DILL = None


def _dill():
    """dill, set so that a file object in a workspace never truncates its file when the workspace loads.

    By default dill reopens a pickled file handle by name in its mode, so a handle once opened with
    'w' empties the file it names each time a snapshot loads (files the snapshot itself just
    restored included). Handles are saved with CONTENTS_FMODE, which reopens without truncating, and
    handles in snapshots saved before are loaded the same way.
    """
    global _DILL
    if _DILL is None:
        import dill
        import dill._dill as internals
        dill.settings["recurse"] = True
        dill.settings["fmode"] = dill.CONTENTS_FMODE
        create = internals._create_filehandle

        def create_without_truncating(name, mode, position, closed, opener, strictio, fmode, fdata):
            if fmode == dill.HANDLE_FMODE and ("w" in mode or "x" in mode):
                fmode = dill.CONTENTS_FMODE
            return create(name, mode, position, closed, opener, strictio, fmode, fdata)

        internals._create_filehandle = create_without_truncating
        _DILL = dill
    return _DILL


class Worker:
    def __init__(self):
        # User code runs in a real __main__ module, so pickle and dill find what it defines.
        self.module = types.ModuleType("__main__")
        self.module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = self.module
        self.namespace = self.module.__dict__
        self.busy = False
        self.background = False  # serves batch chunks, at a lower priority (see execute_many)
        self.forked_before = False  # a template that has made copies of itself
        self.current = 0  # the number of the request being served
        self.compiled = {}
        self.capture = tempfile.TemporaryFile(buffering=0)  # reused: emptied before each execution
        self.captured = 0  # bytes the last execution left in it
        self.empty_directory = None  # _stamp of a working directory last seen empty
        self.interrupt_pending = False  # a SIGINT came between calls: the next call checks whom it meant
        self.all_cpus = None  # the CPUs the worker was started on (read when a chunk first names some)
        self.cpus = None  # the CPUs it runs on now, when a chunk moved it

    def _compile(self, code):
        compiled = self.compiled.get(code)
        if compiled is None:
            compiled = compile(code, "<ferry>", "exec")
            if len(self.compiled) >= 16:
                self.compiled.clear()
            self.compiled[code] = compiled
        return compiled

    def execute(self, request):
        start_by = request.get("startBy")  # CLOCK_MONOTONIC ns, as the server's Stopwatch
        if start_by is not None and time.monotonic_ns() > start_by:
            raise RequestError("expired", "The call waited past the queue's deadline behind a slower one; it did not run. Retry shortly.")
        code = request.get("code", "")
        output_files = request.get("outputFiles") or []
        for name in output_files:  # a file from an earlier call must not pass for this call's
            try:
                os.remove(name)
            except OSError:
                pass
        before = self._files_before()
        # An isolated execution (a web service call) sees the workspace but leaves no variables behind.
        namespace = dict(self.namespace) if request.get("isolated") else self.namespace
        capture = self.capture.fileno()  # fds 1 and 2 point at it (see main)
        sys.stdout.flush()
        sys.stderr.flush()
        if self.captured or os.fstat(capture).st_size:
            os.ftruncate(capture, 0)
            os.lseek(capture, 0, os.SEEK_SET)
        success, error = True, None
        try:
            for item in request.get("inputs") or []:
                namespace[item["name"]] = convert_input(item["name"], item.get("value"), item.get("type"))
            self.busy = True
            if self.interrupt_pending:  # a SIGINT came before this call began: perhaps meant for it
                self.interrupt_pending = False
                if _interrupt_target() == self.current:
                    raise KeyboardInterrupt()
            exec(self._compile(code), namespace)
        except KeyboardInterrupt:
            self.busy = False  # a second interrupt now must not escape this handler
            success, error = False, "Execution was interrupted (cancelled or past its time limit)."
        except BaseException as ex:  # SystemExit too: user code must not end the worker
            self.busy = False
            success, error = False, f"{type(ex).__name__}: {ex}"
            traceback.print_exc()
        finally:
            self.busy = False
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:
                pass
        self.captured = os.fstat(capture).st_size
        console = _console(capture, self.captured)

        kinds = request.get("outputTypes") or {}
        outputs, output_errors = [], []
        for name in request.get("outputs") or []:
            if name not in namespace:
                output_errors.append(f"Output '{name}' was not defined by the code.")
                continue
            try:  # to_json leaves only plain JSON values (NaN and infinities become null)
                outputs.append({"name": name, "value": convert_output(namespace[name], kinds.get(name))})
            except (TypeError, ValueError, RecursionError) as ex:
                output_errors.append(f"Output '{name}' could not be encoded as {kinds.get(name) or 'JSON'}: {ex}.")
        files = {}
        for name in output_files:
            try:
                with open(name, "rb") as f:
                    files[name] = base64.b64encode(f.read()).decode("ascii")
            except OSError:
                output_errors.append(f"Output file '{name}' was not written by the code.")
        if output_errors and success:
            success, error = False, " ".join(output_errors)

        after = self._files_after(before)
        changed = sorted(name for name, stamp in after.items() if before.get(name) != stamp)
        return {"success": success, "errorMessage": error or "", "consoleOutput": console,
                "outputParameters": outputs, "outputFiles": files, "changedFiles": changed}

    def execute_many(self, request):
        """One code over many input sets (a batch's chunk): each record runs as an isolated execute of its
        own and answers as one, encoded as it finishes; an interrupted record ends the chunk (the records
        after it did not run, and the reply says so by having fewer results).

        A worker asked for a chunk serves background work only (the server keeps such workers apart from
        those serving single calls), so it lowers its CPU priority for good (BACKGROUND_NICE; a process
        may always lower its own, never raise it back). Not SCHED_IDLE: on a busy machine a worker under
        it gets no CPU at all, and its records run into their time limit without running."""
        if not self.background:
            self.background = True
            try:
                os.nice(BACKGROUND_NICE)
            except OSError:
                pass  # the records run at the worker's own priority
        self._run_on(request.get("cpus"))
        parts, size = [], 0
        budget = request.get("budgetMs")
        stop_at = None if budget is None else time.monotonic() + budget / 1000.0
        for inputs in request.get("records") or []:
            record = dict(request, type="execute", inputs=inputs)
            try:
                reply = self.execute(record)
                body = encode_reply(record, reply)
            except MemoryError:  # past the memory limit outside user code (converting its outputs, say): the record's own failure
                reply = _failed("MemoryError: the execution exceeded the service's memory limit.")
                body = _dumps(reply)
            if len(body) > MAX_REPLY_BYTES - 64:  # fits a reply alone, not a chunk's
                reply = _failed(f"The result is {len(body)} bytes, more than the {MAX_REPLY_BYTES - 64} a batch record's may have.")
                body = _dumps(reply)
            size += len(body) + 1
            if parts and size > MAX_REPLY_BYTES - 64:
                break  # this record's result does not fit beside the others: it and the rest run again
            parts.append(body)
            if not reply["success"] and reply["errorMessage"].startswith("Execution was interrupted"):
                break
            if stop_at is not None and time.monotonic() > stop_at:
                break  # the chunk took its time (its records turned slow): the records left run in the next
        return b'{"results":[' + b",".join(parts) + b"]}"

    def _run_on(self, cpus):
        """Moves every thread of the worker to the CPUs a chunk names (the server keeps a core for single
        calls while they come), or back to all it started with (None)."""
        if cpus is None and self.cpus is None:
            return
        if self.all_cpus is None:
            try:
                self.all_cpus = frozenset(os.sched_getaffinity(0))
            except OSError:
                return
        want = (frozenset(cpus) & self.all_cpus if cpus else frozenset()) or self.all_cpus
        if want == (self.cpus or self.all_cpus):
            return
        try:
            threads = [int(t) for t in os.listdir("/proc/self/task")]
        except OSError:
            threads = [0]
        for thread in threads:
            try:
                os.sched_setaffinity(thread, want)
            except OSError:
                pass  # a thread that ended meanwhile, or a CPU the worker may not use: it runs where it was
        self.cpus = None if want == self.all_cpus else want

    def fork(self, path, token, directory):
        """Makes a new worker as a copy of this one (a service's template: its snapshot and initCode loaded
        once): the copy shares this one's memory until either writes it, works in DIRECTORY, a new directory
        in this one's with a copy of its files (made here, in the sandbox, so a link among them reaches
        nothing the sandbox does not), and serves its own channels at PATH, proving itself with TOKEN.
        This one answers with the copy's pid; the copy answers nothing here (FORKED)."""
        if not directory.startswith(COPY_PREFIX) or os.sep in directory:
            raise RequestError("badRequest", f"A copy works in a directory named {COPY_PREFIX}*, not {directory!r}.")
        if not self.forked_before:
            gc.freeze()  # what exists now stays out of the collector's reach: collections do not touch (and copy) its pages
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # copies that end are reaped by the kernel
            self.forked_before = True
        with warnings.catch_warnings():  # the control thread holds no lock the copy needs
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid:
            return {"pid": pid}
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the copy's user code may wait for its own children
            _close_channels()
            os.mkdir(directory)
            for entry in os.scandir("."):
                if entry.name.startswith(COPY_PREFIX):
                    continue
                target = os.path.join(directory, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    shutil.copytree(entry.name, target, symlinks=True)
                else:
                    shutil.copy2(entry.name, target, follow_symlinks=False)
            os.chdir(directory)
            self.capture = tempfile.TemporaryFile(buffering=0)
            self.captured = 0
            os.dup2(self.capture.fileno(), 1)
            os.dup2(self.capture.fileno(), 2)
            self.current = 0
            self.interrupt_pending = False
            self.empty_directory = None
            _connect(path, token)
            _watch_control()
            write_frame({"type": "ready", "token": token, "pid": os.getpid(), "version": sys.version.split()[0]})
        except BaseException:
            os._exit(70)
        return FORKED

    def kill(self, pid):
        """Ends a copy this worker made (the server's way to kill one: it sends no signal into a sandbox)."""
        if not isinstance(pid, int) or pid <= 1 or pid == os.getpid():
            raise RequestError("badRequest", f"{pid!r} is not a copy of this worker.")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return {}

    def _files_before(self):
        """The working directory's files. A directory last seen empty, whose mtime has not moved since,
        is still empty (a new entry changes it): a web service's usual case costs one stat, not a walk."""
        if self.empty_directory is not None and self.empty_directory == _stamp(os.stat(".")):
            return {}
        return _files(".")

    def _files_after(self, before):
        stamp = _stamp(os.stat("."))
        if not before and self.empty_directory == stamp:
            return {}
        after = _files(".")
        # Only an mtime well in the past can vouch: file systems stamp times at a coarse granularity,
        # so a recent mtime could be repeated by an entry created in the same tick.
        settled = stamp[2] < time.time_ns() - 100_000_000
        self.empty_directory = stamp if not after and settled else None
        return after

    def objects(self):
        return {name: value for name, value in self.namespace.items()
                if not name.startswith("__") and not isinstance(value, types.ModuleType)}

    def workspace_get(self, name):
        if name not in self.objects():
            raise RequestError("notFound", f"The workspace has no object '{name}'.")
        try:
            data = _dill().dumps(self.namespace[name])
        except Exception as ex:
            raise RequestError("badRequest", f"The object '{name}' cannot be serialized with dill: {ex}") from ex
        return {"data": base64.b64encode(data).decode("ascii")}

    def workspace_set(self, name, data):
        if not name.isidentifier():
            raise RequestError("badRequest", f"'{name}' is not a valid Python name.")
        try:
            value = _dill().loads(base64.b64decode(data))
        except Exception as ex:
            raise RequestError("badRequest", f"The body is not a dill-serialized object: {type(ex).__name__}: {ex}") from ex
        self.namespace[name] = value
        return {}

    def workspace_delete(self, name):
        if name not in self.objects():
            raise RequestError("notFound", f"The workspace has no object '{name}'.")
        del self.namespace[name]
        return {}

    def save_workspace(self, path):
        """Writes the workspace (objects and imported modules) with dill; what dill cannot write is skipped."""
        dill = _dill()
        state = {name: value for name, value in self.namespace.items() if not name.startswith("__")}
        skipped = []
        try:
            data = dill.dumps(state)
        except Exception:
            for name in list(state):
                try:
                    dill.dumps(state[name])
                except Exception:
                    skipped.append(name)
                    del state[name]
            data = dill.dumps(state)
        with open(path, "wb") as f:
            f.write(data)
        return {"saved": sorted(state), "skipped": skipped}

    def load_workspace(self, path):
        """Merges a saved workspace into this one."""
        try:
            with open(path, "rb") as f:
                state = _dill().load(f)
        except Exception as ex:
            raise RequestError("badRequest", f"The saved workspace cannot be loaded: {type(ex).__name__}: {ex}") from ex
        if not isinstance(state, dict):
            raise RequestError("badRequest", "The saved workspace is not a set of named objects.")
        self.namespace.update(state)
        return {"loaded": sorted(state)}

    def serve(self, request):
        kind = request.get("type")
        if kind == "execute":
            return self.execute(request)
        if kind == "execute_many":
            return self.execute_many(request)
        if kind == "workspace_list":
            return {"names": sorted(self.objects())}
        if kind == "workspace_get":
            return self.workspace_get(request["name"])
        if kind == "workspace_set":
            return self.workspace_set(request["name"], request["data"])
        if kind == "workspace_delete":
            return self.workspace_delete(request["name"])
        if kind == "save_workspace":
            return self.save_workspace(request["path"])
        if kind == "load_workspace":
            return self.load_workspace(request["path"])
        if kind == "fork":
            return self.fork(request["path"], request["token"], request["directory"])
        if kind == "kill":
            return self.kill(request["pid"])
        if kind == "ping":
            return {"ok": True}
        raise RequestError("badRequest", f"unknown request type {kind!r}")


def _interrupt_target():
    return _INTERRUPT_TARGET


def _interrupt(signum, frame):
    if not WORKER.busy:
        WORKER.interrupt_pending = True
    elif _interrupt_target() == WORKER.current:
        raise KeyboardInterrupt()


def _watch_control():
    """Takes interrupts from the control channel; its end means the server is gone (however it
    ended) or closing this worker, and the worker ends at once, even while user code runs."""
    main_thread = threading.main_thread().ident

    def watch():
        global _INTERRUPT_TARGET
        buffer = b""
        while True:
            try:
                chunk = _CONTROL.recv(8 - len(buffer))
            except OSError:
                chunk = b""
            if not chunk:
                os._exit(0)
            buffer += chunk
            if len(buffer) == 8:
                _INTERRUPT_TARGET = struct.unpack("<q", buffer)[0]
                buffer = b""
                signal.pthread_kill(main_thread, signal.SIGINT)

    threading.Thread(target=watch, name="ferry-control", daemon=True).start()


WORKER = None
FORKED = object()  # what fork returns in the copy
COPY_PREFIX = ".ferry-copy-"  # the directories of a template's copies, in the template's own


def main():
    global WORKER
    memory_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    WORKER = Worker()
    # From here on fds 1 and 2 write to the capture file, emptied before each execution: the syscalls
    # of swapping them per execution are saved. Start-up errors above still reach the host's stderr.
    os.dup2(WORKER.capture.fileno(), 1)
    os.dup2(WORKER.capture.fileno(), 2)
    signal.signal(signal.SIGINT, _interrupt)
    # Past the sandbox's file-size limit a write fails with "File too large" instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _watch_control()
    write_frame({"type": "ready", "token": _TOKEN, "pid": os.getpid(), "version": sys.version.split()[0]})
    while True:
        request = read_frame()
        if request is None or request.get("type") == "shutdown":
            return
        WORKER.current += 1
        try:
            reply = WORKER.serve(request)
        except RequestError as ex:
            reply = {"error": str(ex), "status": ex.status}
        except KeyboardInterrupt:  # one that came outside user code, between calls' bookkeeping
            reply = _failed("Execution was interrupted (cancelled or past its time limit).")
        except MemoryError:
            reply = _failed("MemoryError: the execution exceeded the session's memory limit.")
        except Exception as ex:
            reply = {"error": f"{type(ex).__name__}: {ex}", "status": "badRequest"}
        if reply is FORKED:
            continue  # a new worker, on its own channels: the fork's answer was its template's to give
        write_reply(request, reply)


if __name__ == "__main__":
    main()
