from .relvit_lr import RelViTLR
