from .compat import (CHECKPOINT_SAFE_GLOBALS, CPUDistributedDataParallel,
                     register_checkpoint_safe_globals, setup_cpu_distributed)

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'CPUDistributedDataParallel',
    'register_checkpoint_safe_globals', 'setup_cpu_distributed'
]
