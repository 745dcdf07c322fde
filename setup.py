import os.path as osp
import re
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))

# Supported versions: the one source for pip (install_requires, extras) and
# for tools/misc/check_env.py, which reads these three literals with `ast`
# (keep them plain literals). They are ranges the OpenMMLab packages accept
# themselves, so that `pip install .` fits into an existing OpenMMLab
# environment without replacing its numpy, opencv or torch. The exact
# versions of the tested environment are the lock files requirements/*.txt
# (tools/install.sh, CI, the demo); tests/test_packaging.py checks that every
# lock pin lies inside these ranges, and that an exact pin (==) here has its
# reason written in a comment on its line or right above it.
#
# Lower bounds of the OpenMMLab packages are the tested releases unless a
# comment says otherwise; upper bounds exclude the next minor release, whose
# internals (registries, base classes we subclass) are not tested.
INSTALL_REQUIRES = [
    # 0.10.3 is the first release whose IterBasedTrainLoop skips the
    # iterations already trained on resume (tests/test_resume.py); every
    # mmengine API mmrelvit uses exists there. Tested: 0.10.7.
    'mmengine>=0.10.3,<1.0.0',
    'mmpretrain>=1.2.0,<1.3.0',
    'numpy',
    'Pillow',
    # the embedded digits data set (sklearn.datasets.load_digits)
    'scikit-learn',
    # tools/analysis_tools plots
    'matplotlib',
    # opencv-python and scipy are not imported by mmrelvit (mmcv and
    # scikit-learn bring them): naming opencv-python would install a second
    # cv2 next to a user's opencv-python-headless.
]
EXTRAS_REQUIRE = {
    'det': [
        'mmdet>=3.3.0,<3.4.0',
        # digits detection masks (RLE)
        'pycocotools',
        # tools/dataset_converters/svhn2coco.py (digitStruct.mat is HDF5)
        'h5py',
    ],
    'seg': [
        'mmsegmentation>=1.2.2,<1.3.0',
        # `import mmseg.models` needs these; mmseg lists them only as extras
        'ftfy',
        'regex',
        'prettytable',
    ],
    'tests': ['pytest', 'flake8', 'isort', 'yapf'],
    # As in OpenMMLab's own packages, mmcv is only an extra: it must be built
    # with ops against the installed torch (tools/install.sh, or
    # `mim install`), which a plain pip dependency cannot guarantee. mmdet
    # 3.3 and mmseg 1.2 refuse mmcv 2.2 at import; 2.1.0 is the tested one.
    'mim': ['mmcv>=2.1.0,<2.2.0'],
}
# Never given to pip: torch and torchvision are the user's own build (CUDA
# or CPU) and a dependency must not replace them. check_env.py checks them.
# 2.0 is the first torch with F.scaled_dot_product_attention (CvT).
ENVIRONMENT_REQUIRES = ['torch>=2.0.0', 'torchvision']


def read_version():
    with open(osp.join(HERE, 'mmrelvit', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


setup(
    name='mmrelvit',
    version=read_version(),
    description='Patch-relation (RelViT) and dense relative localisation '
    '(DrLoc) self-supervision for vision transformers, as OpenMMLab 2.x '
    'modules.',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    python_requires='>=3.8',
    packages=find_packages(include=['mmrelvit', 'mmrelvit.*']),
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    zip_safe=False,
)
