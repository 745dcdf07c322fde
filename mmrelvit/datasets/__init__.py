from .fashion_mnist import FashionMNISTIDX  # noqa: F401
from .transforms import *  # noqa: F401,F403
