# Each module registers its components on import.
from .aux_ssl_two_stage import AuxSSLTwoStageDetector
