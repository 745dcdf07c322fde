"""Study machinery of ``tools/analysis_tools``: resumable runs of
``tools/train.py``, mmengine scalars, the convergence criterion, tables,
plots and generated documentation blocks."""
from .convergence import convergence
from .report import (command_line, mean_std, plot_curves, print_missing,
                     provenance, run_status, update_doc)
from .runner import TOP1, Run, StudyRunner
from .scalars import latest_scalars, read_scalars
from .tools import test_checkpoint, tool_env

__all__ = [
    'convergence', 'command_line', 'mean_std', 'plot_curves', 'print_missing',
    'provenance', 'run_status', 'update_doc', 'TOP1', 'Run', 'StudyRunner',
    'test_checkpoint', 'latest_scalars', 'read_scalars', 'tool_env'
]
