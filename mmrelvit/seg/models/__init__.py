# Each module registers its model into mmseg's MODELS on import.
from .aux_ssl_encoder_decoder import AuxSSLEncoderDecoder

__all__ = ['AuxSSLEncoderDecoder']
