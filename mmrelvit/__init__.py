from .utils.compat import register_checkpoint_safe_globals
from .version import __version__

# Every entry point (launchers, configs' custom_imports, user code) imports
# mmrelvit first, so mmengine checkpoints load under torch's weights_only.
register_checkpoint_safe_globals()

__all__ = ['__version__']
