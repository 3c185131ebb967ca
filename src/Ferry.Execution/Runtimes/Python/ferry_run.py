"""Runs an experiment's entry script as `python script args` would, but ends with the server.

A run is a plain Python process; should the server die (even by SIGKILL), this watchdog thread ends
the run within a second instead of leaving it orphaned (the next start marks it Failed).
"""
import os
import runpy
import signal
import sys
import threading
import time

_PARENT = os.getppid()


def _watch():
    while os.getppid() == _PARENT:
        time.sleep(1.0)
    os._exit(137)


signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the file-size limit: "File too large", not a silent kill
threading.Thread(target=_watch, name="ferry-parent-watch", daemon=True).start()
_script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(_script)))
runpy.run_path(_script, run_name="__main__")
