import os
import os.path as osp
import tempfile
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook, Hook
from mmengine.registry import HOOKS

#: The name under which :class:`AtomicLocalBackend` is registered.
ATOMIC_BACKEND = 'mmrelvit_atomic_local'


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend, but a file written with :meth:`put`
    or :meth:`put_text` appears complete or not at all.

    The bytes go to a temporary file in the target's directory, are flushed
    to disk, then renamed over the target (``os.replace`` is atomic on
    POSIX and Windows). A full disk, a kill or a power cut while writing
    leaves the previous file (or none) and at most a hidden
    ``.<name>.tmp-*`` file, never a truncated ``<name>``.
    """

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        filepath = os.fspath(filepath)
        folder = osp.dirname(filepath) or '.'
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f'.{osp.basename(filepath)}.tmp-', dir=folder)
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            # mkstemp creates the file 0600; give it the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, filepath)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise

    def put_text(self,
                 obj: str,
                 filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)


@HOOKS.register_module()
class AtomicCheckpointHook(Hook):
    """Make the run's :class:`~mmengine.hooks.CheckpointHook` write every
    checkpoint (``epoch_N.pth`` / ``iter_N.pth``, best and last ones)
    atomically through :class:`AtomicLocalBackend`.

    mmengine writes a checkpoint in place, so a full disk or a kill while
    saving leaves a truncated ``epoch_N.pth`` among the good ones. The
    checkpoint hook writes ``last_checkpoint`` only after a successful save,
    so with this hook it never names a truncated file. The hook leaves a
    checkpoint hook with its own ``backend_args`` or a remote ``out_dir``
    alone.
    """

    def before_run(self, runner) -> None:
        # CheckpointHook builds its file backend in before_train, which
        # every hook reaches after before_run
        for hook in runner.hooks:
            if (isinstance(hook, CheckpointHook) and hook.backend_args is None
                    and hook.file_client_args is None
                    and '://' not in str(hook.out_dir or '')):
                hook.backend_args = dict(backend=ATOMIC_BACKEND)
