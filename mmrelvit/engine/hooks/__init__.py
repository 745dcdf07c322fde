from .drloc_lambda_hook import DrLocLambdaHook
from .rng_state_hook import RNGStateHook
from .strict_pretrained_hook import StrictPretrainedHook, check_pretrained
