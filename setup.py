import os.path as osp
import re
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version():
    with open(osp.join(HERE, 'mmrelvit', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def read_requirements(name):
    """Pinned requirements of ``requirements/<name>.txt``, comments
    dropped."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


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
    # mmcv is left to the `mim` extra, as in OpenMMLab's own packages: it
    # must be built with ops against the installed torch (tools/install.sh).
    install_requires=read_requirements('runtime'),
    extras_require={
        'det': read_requirements('det'),
        'seg': read_requirements('seg'),
        'tests': read_requirements('tests'),
        'mim': read_requirements('mmcv'),
    },
    zip_safe=False,
)
