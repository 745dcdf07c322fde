# Each module registers its components on import.
from .aux_ssl_classifier import AuxSSLClassifier
