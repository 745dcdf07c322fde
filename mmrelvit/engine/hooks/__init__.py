from .rng_state_hook import RNGStateHook
