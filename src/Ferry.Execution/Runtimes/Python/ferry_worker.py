"""Ferry's Python worker: one interpreter serving framed JSON requests on its stdin/stdout pipes.

Each frame is a 4-byte little-endian length followed by that many bytes of UTF-8 JSON. The frame
channel is moved off fd 1 at start so that print() or C libraries writing to stdout can never
corrupt it; each execution's fd 1 and fd 2 go to a capture file returned as consoleOutput.
"""
import io
import json
import os
import resource
import signal
import struct
import sys
import tempfile
import traceback

# Move the channel off fds 0 and 1 before anything else can write there.
_IN = os.fdopen(os.dup(0), "rb", buffering=0)
_OUT = os.fdopen(os.dup(1), "wb", buffering=0)
_devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(_devnull, 0)
os.dup2(_devnull, 1)
sys.stdin = open(os.devnull, "r")
sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0, closefd=False), write_through=True)
_STDERR_FD = os.dup(2)  # the worker's own diagnostics, drained by the host


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


def write_frame(message):
    body = json.dumps(message, separators=(",", ":"), allow_nan=False, default=_not_encodable).encode("utf-8")
    _OUT.write(struct.pack("<I", len(body)) + body)


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


def _files(directory):
    result = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            result[os.path.relpath(path, directory)] = (st.st_mtime_ns, st.st_size)
    return result


class Worker:
    def __init__(self):
        self.namespace = {"__name__": "__main__"}
        self.busy = False

    def execute(self, request):
        code = request.get("code", "")
        before = _files(os.getcwd())
        capture = tempfile.TemporaryFile()
        saved_err = os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(capture.fileno(), 1)
        os.dup2(capture.fileno(), 2)
        success, error = True, None
        try:
            for item in request.get("inputs") or []:
                self.namespace[item["name"]] = item.get("value")
            self.busy = True
            exec(compile(code, "<ferry>", "exec"), self.namespace)
        except KeyboardInterrupt:
            success, error = False, "Execution was interrupted (cancelled or past its time limit)."
        except BaseException as ex:  # SystemExit too: user code must not end the worker
            success, error = False, f"{type(ex).__name__}: {ex}"
            traceback.print_exc()
        finally:
            self.busy = False
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:
                pass
            os.dup2(_devnull, 1)
            os.dup2(saved_err, 2)
            os.close(saved_err)
        capture.seek(0)
        console = capture.read().decode("utf-8", errors="replace")
        capture.close()

        outputs, output_errors = [], []
        for name in request.get("outputs") or []:
            if name not in self.namespace:
                output_errors.append(f"Output '{name}' was not defined by the code.")
                continue
            try:
                value = to_json(self.namespace[name])
                json.dumps(value, allow_nan=False)
                outputs.append({"name": name, "value": value})
            except (TypeError, ValueError) as ex:
                output_errors.append(f"Output '{name}' could not be encoded: {ex}.")
        if output_errors and success:
            success, error = False, " ".join(output_errors)

        after = _files(os.getcwd())
        changed = sorted(name for name, stamp in after.items() if before.get(name) != stamp)
        return {"success": success, "errorMessage": error or "", "consoleOutput": console,
                "outputParameters": outputs, "changedFiles": changed}


def _interrupt(signum, frame):
    if WORKER.busy:
        raise KeyboardInterrupt()


WORKER = Worker()


def main():
    memory_mb = int(os.environ.get("FERRY_MEMORY_LIMIT_MB", "0") or 0)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, _interrupt)
    write_frame({"type": "ready", "pid": os.getpid(), "version": sys.version.split()[0]})
    while True:
        request = read_frame()
        if request is None or request.get("type") == "shutdown":
            return
        kind = request.get("type")
        try:
            if kind == "execute":
                reply = WORKER.execute(request)
            elif kind == "ping":
                reply = {"ok": True}
            else:
                reply = {"error": f"unknown request type {kind!r}"}
        except MemoryError:
            reply = {"success": False, "errorMessage": "MemoryError: the execution exceeded the session's memory limit.",
                     "consoleOutput": "", "outputParameters": [], "changedFiles": []}
        write_frame(reply)


if __name__ == "__main__":
    main()
