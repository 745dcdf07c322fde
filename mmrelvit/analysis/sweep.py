"""Recipe search cells: ``KEY=V[,KEY=V...]`` -> runs of one config."""

# cell key -> config key it overrides (None: a setting of the study)
SWEEP_KEYS = {
    'lr': 'optim_wrapper.optimizer.lr',
    'weight_decay': 'optim_wrapper.optimizer.weight_decay',
    'warmup': None,
    'epochs': None,
}


def parse_cells(items, epochs: int, warmup: str = '0.1') -> list:
    """Parse sweep cells.

    Args:
        items (Sequence[str]): One ``KEY=V[,KEY=V...]`` string per cell,
            keys from :data:`SWEEP_KEYS`.
        epochs (int): Epochs of a cell that does not set them.
        warmup (str): Warm-up ratio of a cell that does not set it.

    Returns:
        list[dict]: Per cell ``lr`` / ``weight_decay`` (as typed, None:
        the config's), ``warmup`` (as typed) and ``epochs`` (int).
    """
    cells = []
    for item in items:
        cell = dict(lr=None, weight_decay=None, warmup=warmup, epochs=epochs)
        for part in item.split(','):
            key, sep, value = part.partition('=')
            if not sep or key not in SWEEP_KEYS:
                raise ValueError(f'sweep cells are KEY=V[,KEY=V...] with KEY '
                                 f'in {list(SWEEP_KEYS)}, got {item!r}')
            try:
                number = int(value) if key == 'epochs' else float(value)
            except ValueError:
                raise ValueError(
                    f'sweep {key}: {value!r} is not a number') from None
            if number <= 0 or (key == 'warmup' and number >= 1):
                raise ValueError(f'sweep {key}: {value!r} out of range')
            # kept as typed: the values are written into the runs' configs
            cell[key] = number if key == 'epochs' else value
        cells.append(cell)
    return cells


def cell_settings(cell: dict, config: str) -> dict:
    """A cell's name, effective lr / weight decay and ``--cfg-options``.

    Args:
        cell (dict): One cell of :func:`parse_cells`.
        config (str): The config the cell trains.

    Returns:
        dict: ``name`` (``e<epochs>_lr<lr>_wd<wd>_wu<warmup>``), ``lr``,
        ``weight_decay`` (floats) and ``cfg_options``: the values that
        differ from the config's own, so that the config's own cell trains
        the unmodified config.
    """
    from mmengine.config import Config
    optimizer = Config.fromfile(config).optim_wrapper.optimizer
    options = [
        f'{SWEEP_KEYS[key]}={cell[key]}' for key in ('lr', 'weight_decay')
        if cell[key] is not None and float(cell[key]) != optimizer[key]
    ]
    lr = float(cell['lr'] or optimizer.lr)
    wd = float(cell['weight_decay'] or optimizer.weight_decay)
    name = f'e{cell["epochs"]}_lr{lr:g}_wd{wd:g}_wu{float(cell["warmup"]):g}'
    return dict(name=name, lr=lr, weight_decay=wd, cfg_options=options)
