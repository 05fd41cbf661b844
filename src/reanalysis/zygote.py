"""Kernels forked from a process that has already imported the stack (a "zygote").

A notebook's kernel spends most of its start importing IPython, pandas, scipy, matplotlib and
this package (about 2 s of CPU each, more than most notebooks take to run). The runner
(:mod:`reanalysis.run`) instead starts one zygote per notebook folder as soon as it knows which
notebooks it runs: a process, started with the kernel's own interpreter, flags, environment and
working directory, that imports those modules once and never runs any notebook code. Each kernel
is then a ``fork`` of it: a copy (copy-on-write) of a process that has only imported modules,
so every notebook still starts from a fresh namespace, with nothing another notebook did
(``tests/test_isolation.py`` checks it).

What jupyter_client starts, in place of ``python -m ipykernel_launcher -f <connection file>``, is
``python <this folder>/_kernel_client.py <socket> -f <connection file>``: a small process (the
standard library only) that hands its arguments, working directory, environment and standard
streams to the zygote, forwards the signals it receives (interrupt, terminate) to the forked
kernel and exits with the kernel's exit code. A kernel whose client dies (killed) kills itself.

In the fork, before the kernel starts: the working directory, the environment and the signal
dispositions are the client's (so the kernel manager's variables arrive as they would, and a signal
ignored by whoever started the kernel stays ignored; a variable the preloaded imports set when absent
is set as they would have set it there), the standard streams are the client's,
numpy's global random state is seeded afresh (Python's ``random`` reseeds itself at fork), and
``sys.argv`` is that of ``ipykernel_launcher``. What the zygote imported is frozen for the garbage
collector (``gc.freeze``, see :func:`_preload`): the one difference a kernel could see, in
``gc.get_freeze_count()`` and in what ``gc.get_objects()`` lists.

nbval's kernels (``pytest --nbval``) are forked the same way: conftest.py gives nbval a kernel
manager with :class:`HoldsZygote`, which holds a zygote for the notebook's folder while its kernel
lives (zygotes are shared with the runner's, per :func:`key`, within a process).

On Linux by default; ``REANALYSIS_ZYGOTE=0`` starts every kernel the usual way, and
``REANALYSIS_ZYGOTE=1`` forks on other systems with ``os.fork`` and Unix sockets too (macOS: not by
default, as some system frameworks do not survive a fork). Elsewhere kernels start the usual way.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

from traitlets import default

__all__ = [
    "PRELOAD",
    "Forked",
    "HoldsZygote",
    "Zygote",
    "available",
    "client_command",
    "forked_command",
    "held",
    "interpreter",
    "key",
    "serve",
    "stop_all",
]

#: Imported by the zygote before any fork; what a notebook imports first (errors ignored).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # with debugpy and pydevd: about 0.1 s of each kernel's start
    # the rest of what a kernel imports as it starts and runs its first cell (its history's sqlite3,
    # the inspector, the debugger, the completer, psutil, tornado's loop)
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "sqlite3",
    "psutil",
    "faulthandler",
    "numpy",
    "pandas",
    "scipy.special",
    "scipy.stats",
    "scipy.integrate",
    "scipy.optimize",
    "matplotlib",
    "matplotlib.pyplot",  # not its backend: matplotlib_inline hooks into IPython when first imported
    "reanalysis.params",
    "reanalysis.data",
    "reanalysis.audit",
    "reanalysis.tables",
    "reanalysis.figures",
    "reanalysis.bayes",
    "reanalysis.sensitivity",
    "reanalysis.effects",
    "reanalysis.findings",
    "reanalysis.conclusions",
    "reanalysis.conclude",
    "reanalysis.registration",
    "reanalysis.regression",
    "seaborn",  # reanalysis.figures imports it where a plot needs it
)

#: Variables that importing :data:`PRELOAD` set in the zygote's environment when absent (a library
#: that sets a default at import, as debugpy does): set in each fork's environment unless the
#: kernel's own has them, as the import in a kernel started the usual way would.
_SET_BY_IMPORTS: dict[str, str] = {}

CLIENT = Path(__file__).resolve().parent / "_kernel_client.py"
_HEADER = 8  # bytes giving the length of a request


def available() -> bool:
    """Whether kernels are forked here: on Linux unless ``REANALYSIS_ZYGOTE=0``; elsewhere only with
    ``REANALYSIS_ZYGOTE=1`` (macOS frameworks may not survive a fork once loaded)."""
    wanted = os.environ.get("REANALYSIS_ZYGOTE", "1" if sys.platform.startswith("linux") else "0")
    return wanted != "0" and hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def interpreter(cmd: list[str]) -> list[str] | None:
    """``[python, *flags]`` of a kernel command ``[python, *flags, -m, ipykernel_launcher, *args]``,
    or None for any other kind of kernel (which then starts the usual way)."""
    if "-m" not in cmd:
        return None
    i = cmd.index("-m")
    if i == 0 or i + 1 >= len(cmd) or cmd[i + 1] != "ipykernel_launcher":
        return None
    return cmd[:i]


def client_command(cmd: list[str], zygote: Zygote) -> list[str] | None:
    """The client's command line in place of the kernel command ``cmd``, if ``zygote`` was started
    with the same interpreter and flags; else None (the kernel starts the usual way)."""
    if interpreter(cmd) != zygote.interpreter or not zygote.listening():
        return None
    i = cmd.index("-m")
    return [*cmd[:i], str(CLIENT), zygote.path, *cmd[i + 2 :]]


class Zygote:
    """A zygote for kernels running in ``cwd``, started with ``interpreter`` (the kernel's python and
    flags) and the current environment; ``stop()`` (or leaving a ``with`` block) ends it."""

    def __init__(self, cwd: Path, interpreter: list[str]):
        self.interpreter = list(interpreter)
        self.folder = tempfile.mkdtemp(prefix="reanalysis-zygote-")
        self.path = os.path.join(self.folder, "socket")
        argv = [*self.interpreter, "-m", "reanalysis.zygote", self.path]
        self.process = subprocess.Popen(argv, cwd=str(cwd), stdin=subprocess.DEVNULL)

    def listening(self, timeout: float = 30.0) -> bool:
        """Wait until the zygote listens (it binds its socket first thing); False if it ended."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if os.path.exists(self.path):
                return True
            time.sleep(0.01)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for name in (self.path,):
            try:
                os.unlink(name)
            except OSError:
                pass
        try:
            os.rmdir(self.folder)
        except OSError:
            pass

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ----------------------------------------------------------------------------- zygotes held by runs
# Notebook folder (and interpreter, environment) -> the Zygote its kernels are forked from while a
# run (or an nbval notebook) holds it; a few unused ones are kept for the next run in this process.
_POOL: dict = {}  # key() -> Zygote, least recently used first
_USERS: dict = {}  # key() -> holders now
#: Unused zygotes kept (each ~180 MB). A test session uses several: folders with and without a
#: ``matplotlibrc``, and tests that set a variable the key counts (nbval's kernels share the runner's
#: since conftest gives them its flags); with two kept, a worker of ``make test`` ended and restarted
#: one (2 s of imports) as it went.
_KEPT = 4
_LOCK = threading.Lock()

#: Variables that no import of :data:`PRELOAD` reads: left out of a zygote's key, so that a test session
#: keeps its zygote. Pytest's name of the running test changes from one call to the next; IPython's
#: folder (profiles, startup files) is read when the kernel starts, in the fork, from its own environment
#: (``tests/test_run.py`` checks that a startup file in it runs in a kernel forked from a zygote started before).
_NOT_READ_AT_IMPORT = ("PYTEST_CURRENT_TEST", "IPYTHONDIR")


def key(folder: str, interpreter: list[str]) -> tuple:
    """What a zygote's imports depend on besides the interpreter: the environment, and the
    ``matplotlibrc`` that matplotlib reads from the working directory (if the folder has one)."""
    rc = os.path.join(folder, "matplotlibrc")
    environ = sorted((k, v) for k, v in os.environ.items() if k not in _NOT_READ_AT_IMPORT)
    return tuple(interpreter), rc if os.path.isfile(rc) else None, tuple(environ)


def _python3_interpreter() -> list[str] | None:
    """``[python, *flags]`` of the ``python3`` kernel as jupyter_client finds it (None: none found)."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return interpreter(KernelSpecManager().get_kernel_spec("python3").argv)
    except Exception:  # noqa: BLE001 - no such kernel here: kernels start the usual way
        return None


def _guessed_interpreter() -> list[str] | None:
    """``[python, *flags]`` of the ``python3`` kernel installed in this environment
    (``<sys.prefix>/share/jupyter/kernels/python3/kernel.json``, as ``make venv`` installs it), read
    without jupyter_client; None if there is none or it cannot be read. Only a guess, checked by
    :func:`held` against :func:`_python3_interpreter`: importing jupyter_client and reading every
    package's entry points for its provisioners takes 0.13-0.19 s, which the zygotes then spend
    importing rather than waiting."""
    spec = Path(sys.prefix, "share", "jupyter", "kernels", "python3", "kernel.json")
    try:
        argv = json.loads(spec.read_text(encoding="utf-8"))["argv"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        return None
    return interpreter(argv)


@contextlib.contextmanager
def held(folders: Iterable[Path | str], command: list[str] | None = None) -> Iterator[None]:
    """A :class:`Zygote` for kernels started with ``command`` (``[python, *flags]``; default: the
    ``python3`` kernel's) in each folder (one per :func:`key`), held while the block lasts; none
    where kernels cannot be forked (:func:`available`) or the kernel is not found.

    With no ``command``, the zygotes start with the interpreter of the kernel installed in this
    environment (:func:`_guessed_interpreter`) while jupyter_client looks the ``python3`` kernel up;
    if it finds another (a kernel installed for the user, say), those zygotes are ended and others
    started with what it found.

    Zygotes are kept for the next holder in this process (a test session runs many; the same
    environment and ``matplotlibrc`` give the same imports), at most ``_KEPT`` unused ones, and
    ended when the process exits. One that is held is never ended (its kernels would go too). One
    started for a block that raised (a run refused before any kernel started, mostly) is not kept:
    it would go on importing for 2 s for nobody.
    """
    if not available():
        yield
        return
    folders = list(dict.fromkeys(os.path.realpath(folder) for folder in folders))
    guessed = command is None
    command = command or _guessed_interpreter()
    taken = _take(folders, command) if command else None
    if guessed:
        found = _python3_interpreter()
        if found != command:
            if taken:
                _give_back(*taken, discard=True)
            command = found
            taken = _take(folders, command) if command else None
    raised = False
    try:
        yield
    except BaseException:
        raised = True
        raise
    finally:
        if taken:
            _give_back(*taken, discard=raised)


def _take(folders: list[str], command: list[str]) -> tuple[list[tuple], set[tuple]]:
    """Hold a zygote for ``command`` in each folder, starting those not kept; returns the keys held
    and those started."""
    keys = [key(folder, command) for folder in folders]
    started = set()
    with _LOCK:
        if not _POOL:
            atexit.register(stop_all)
        for folder, k in zip(folders, keys, strict=True):
            if k not in _POOL:
                _POOL[k] = Zygote(Path(folder), command)
                started.add(k)
            _POOL[k] = _POOL.pop(k)  # the most recently used last
            _USERS[k] = _USERS.get(k, 0) + 1
    return keys, started


def _give_back(keys: list[tuple], started: set[tuple], discard: bool) -> None:
    """Stop holding ``keys``; end the unused ones among ``started`` if ``discard``, and the least
    recently used unused ones beyond ``_KEPT``."""
    with _LOCK:
        for k in keys:
            _USERS[k] -= 1
        unused = [k for k in _POOL if not _USERS.get(k)]
        ended = [k for k in unused if discard and k in started]
        kept = [k for k in unused if k not in ended]
        for k in ended + kept[: max(0, len(kept) - _KEPT)]:  # the least recently used
            _POOL.pop(k).stop()


def stop_all() -> None:
    """End every zygote this process started (and reap their kernels); held ones too."""
    with _LOCK:
        while _POOL:
            _POOL.popitem()[1].stop()


def forked_command(cmd: list[str], cwd: str) -> list[str]:
    """The client's command in place of the kernel command ``cmd`` run in ``cwd``, when a zygote
    for them is held (one kept for later may be ended at any time, so it is not used); else ``cmd``."""
    command = interpreter(cmd)
    k = key(os.path.realpath(cwd), command) if command else None
    with _LOCK:
        zygote = _POOL.get(k) if _USERS.get(k) else None
    return (client_command(cmd, zygote) if zygote else None) or cmd


async def _wait_ready(self, timeout: float | None = None) -> None:
    """A kernel client's ``wait_for_ready``, ready as soon as the kernel has answered.

    jupyter_client's asks for ``kernel_info`` until the reply comes and a message on IOPub shows that
    channel is connected, as this does; it then reads IOPub until nothing comes for 0.2 s, to drop
    what the kernel said while starting: 0.2 s of waiting at every kernel start. Here what has
    already arrived is dropped and nothing is waited for: a message that comes later answers a
    request no cell made, and both papermill's client (nbclient) and nbval read only the messages
    whose parent is the cell they run (``tests/test_run.py`` checks that startup output reaches no cell).
    Output from a thread that a personal IPython startup file leaves running still goes to whichever
    cell runs when it prints (with jupyter_client's wait too, over a shorter window); the project's
    kernels start no such thread.
    """
    from queue import Empty

    from jupyter_core.utils import ensure_async

    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        self.kernel_info()
        try:
            reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
        except Empty:
            reply = None
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0.2))  # IOPub is connected
            except Empty:
                pass
            else:
                self._handle_kernel_info_reply(reply)
                break
        if not await ensure_async(self.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
    while True:  # what has already arrived, without waiting for more
        try:
            await ensure_async(self.iopub_channel.get_msg(timeout=0))
        except Empty:
            break


@functools.cache
def ready_client(base: type) -> type:
    """``base`` (a jupyter_client kernel client class, blocking or asynchronous) whose
    ``wait_for_ready`` does not wait for IOPub to fall silent (see :func:`_wait_ready`)."""
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from jupyter_core.utils import run_sync

    wait = _wait_ready if issubclass(base, AsyncKernelClient) else run_sync(_wait_ready)
    return type(f"Ready{base.__name__}", (base,), {"wait_for_ready": wait, "__doc__": _wait_ready.__doc__})


class Forked:
    """Mixin for a jupyter_client ``KernelManager``: its kernel is forked from a held zygote for its
    working directory (see :func:`held`), if there is one; else started the usual way. Its client is
    ready as soon as the kernel has answered (:func:`ready_client`), and a kernel it kills is looked
    for every 10 ms rather than every 100 ms (a killed kernel is gone within milliseconds)."""

    @default("client_factory")
    def _client_factory_default(self):
        from traitlets.utils.importstring import import_item

        return ready_client(import_item(self.client_class))

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        # the notebook's folder, which nbclient passes as the kernel's cwd (the runner gives it; nbval starts
        # its kernels from the notebook's folder)
        cwd = (self._launch_args or {}).get("cwd") or os.getcwd()
        self._hold(cmd, cwd)
        return forked_command(cmd, cwd)

    def _hold(self, cmd: list[str], cwd: str) -> None:
        """Nothing: whoever runs the kernel holds its zygote (the runner, for the whole run)."""


class HoldsZygote(Forked):
    """Mixin for a jupyter_client ``KernelManager`` used on its own (nbval's, one per notebook): it
    holds a zygote for its kernel's interpreter and working directory (starting one if none is
    kept) from its first start until it is shut down for good, and forks its kernel from it."""

    _holding: contextlib.ExitStack | None = None

    def _hold(self, cmd: list[str], cwd: str) -> None:
        command = interpreter(cmd)
        if command and self._holding is None:
            self._holding = contextlib.ExitStack()
            self._holding.enter_context(held([cwd], command))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart and self._holding is not None:
            self._holding, holding = None, self._holding
            holding.close()


# ----------------------------------------------------------------------------- the zygote process
def _recv_exactly(conn: socket.socket, size: int, fds: list[int]) -> bytes:
    data = b""
    while len(data) < size:
        chunk, more, _, _ = socket.recv_fds(conn, size - len(data), 8)
        fds.extend(more)
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def _child(listener: socket.socket, conn: socket.socket, fds: list[int], request: dict) -> None:
    """In the fork: become the kernel the client asked for (never returns)."""
    code = 1
    try:
        listener.close()
        handlers = {"ignore": signal.SIG_IGN, "default": signal.SIG_DFL, "interrupt": signal.default_int_handler}
        for signum, name in request.get("signals", {}).items():  # the client's: as a kernel started there
            if name in handlers:
                try:
                    signal.signal(int(signum), handlers[name])
                except (OSError, ValueError):
                    pass
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for name, value in _SET_BY_IMPORTS.items():  # as the import would have, in the kernel's environment
            os.environ.setdefault(name, value)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # not the zygote's state, shared by every fork
        launcher = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [launcher.origin if launcher else "ipykernel_launcher", *request["argv"]]
        conn.sendall(f"{os.getpid()}\n".encode())

        def watch() -> None:  # the client is gone (killed): so is its kernel
            try:
                while conn.recv(64):
                    pass
            except OSError:
                pass
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, daemon=True).start()
        from ipykernel import kernelapp

        # traits whose defaults ipykernel reads from the environment when it is imported (in the
        # zygote, before the kernel manager set them): given from the kernel's own environment
        handles = {"parent_handle": "JPY_PARENT_PID", "interrupt": "JPY_INTERRUPT_EVENT"}
        given = {name: int(os.environ.get(variable) or 0) for name, variable in handles.items()}
        try:
            kernelapp.launch_new_instance(argv=request["argv"], **given)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - the client reports the exit code; the trace goes to stderr
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(f"exit {code}\n".encode())
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def serve(path: str) -> None:
    """Listen on the Unix socket ``path``; import :data:`PRELOAD`; fork a kernel per request."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as ipykernel_launcher does: IPython puts the working directory back
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)  # clients may connect while the imports below run
    parent = os.getppid()
    environ = dict(os.environ)
    # as ipykernel sets it before any notebook code runs, so that matplotlib imported here
    # reads the backend a kernel's matplotlib would (the fork gets the client's environment)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if not os.environ["MPLBACKEND"]:
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    _preload()
    _SET_BY_IMPORTS.update({k: v for k, v in os.environ.items() if k not in environ and k != "MPLBACKEND"})
    os.environ.clear()
    os.environ.update(environ)
    state = _State()

    def stop(*_) -> None:
        state.stopping = True
        if state.accepting:  # waiting for a client: stop now, not at the wait's next timeout (0.2 s)
            raise _Stopped

    signal.signal(signal.SIGTERM, stop)
    listener.settimeout(0.2)
    children: set[int] = set()
    try:
        _loop(listener, parent, children, state)
    except _Stopped:
        pass
    finally:  # reaped here, so that their CPU time counts in the runner's (benchmarks measure it)
        deadline = time.monotonic() + 3
        while children and time.monotonic() < deadline:
            _reap(children)
            time.sleep(0.02)


class _KernelShell:
    """What ``get_ipython()`` looks like to a library imported in a kernel (it has a ``kernel``)."""

    kernel = None
    config: dict = {}


def _preload() -> None:
    """Import :data:`PRELOAD` as a kernel would: some libraries fix defaults at import from what they
    see (pandas: ``display.max_columns`` is 20 under a kernel, 0 in a terminal; ``display.encoding``
    is the standard output's), so while they import, ``get_ipython()`` answers as in a kernel and
    the standard streams have a kernel's encoding.

    The imports run with the cyclic garbage collector off, and what they made is then frozen
    (``gc.freeze``), as Python's documentation advises for a process that forks without exec: the
    imports leave little garbage, and collecting their growing heap again and again is time every
    kernel waits for; a kernel's full collections then skip the frozen objects, rather than walk
    (and so copy) the zygote's pages each time. The kernels' collector is on, with its thresholds.
    """
    import builtins
    import gc
    import io

    streams = sys.stdout, sys.stderr
    had = hasattr(builtins, "get_ipython")
    builtins.get_ipython = _KernelShell  # type: ignore[attr-defined]
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="UTF-8")  # ipykernel's OutStream.encoding
    sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding="UTF-8")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - a module a kernel does not have is simply not preloaded
                continue
    finally:
        sys.stdout, sys.stderr = streams
        if not had:
            del builtins.get_ipython
        gc.freeze()
        if enabled:
            gc.enable()


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


class _State:
    """The zygote's loop: asked to stop (SIGTERM), and whether it is waiting for a client."""

    stopping = False
    accepting = False


class _Stopped(Exception):
    """SIGTERM came while the zygote waited for a client."""


def _loop(listener: socket.socket, parent: int, children: set[int], state: _State) -> None:
    while not state.stopping:
        _reap(children)
        if os.getppid() != parent:  # the runner is gone
            return
        state.accepting = True  # from here to the end of accept(), SIGTERM raises _Stopped
        try:
            if state.stopping:
                return
            conn, _ = listener.accept()
        except (TimeoutError, InterruptedError):
            continue
        finally:
            state.accepting = False
        fds: list[int] = []
        try:
            conn.settimeout(10)
            size = int.from_bytes(_recv_exactly(conn, _HEADER, fds), "big")
            request = json.loads(_recv_exactly(conn, size, fds))
            conn.settimeout(None)
        except (OSError, ValueError):
            conn.close()
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            _child(listener, conn, fds, request)
        children.add(pid)
        conn.close()
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    serve(sys.argv[1])
    # its kernels reaped, nothing of the zygote's own is left to save: ending the interpreter (the
    # modules of PRELOAD torn down one by one) would take 0.2-0.3 s, waited for at the end of every run
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
