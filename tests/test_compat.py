"""The weights_only allow-list: mmengine checkpoints load, anything else
is refused by torch's own check."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import mmrelvit  # noqa: F401


class NotAllowed:
    """A global that no checkpoint of ours contains."""


def test_mmengine_objects_load_with_weights_only(tmp_path):
    hub = MessageHub.get_instance('test_compat')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('epoch_np', np.int64(3))
    ckpt = dict(
        state_dict=dict(w=torch.ones(2)),
        message_hub=hub.state_dict(),
        meta=dict(
            seed=np.int64(7),
            scores=np.arange(3, dtype=np.float32),
            flag=np.bool_(True)))
    path = tmp_path / 'ok.pth'
    torch.save(ckpt, path)
    loaded = _load_checkpoint(str(path), map_location='cpu')
    assert isinstance(loaded['message_hub']['log_scalars']['train/loss'],
                      HistoryBuffer)
    assert loaded['meta']['seed'] == 7
    np.testing.assert_array_equal(loaded['meta']['scores'], [0, 1, 2])


def test_unexpected_global_is_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=dict(obj=NotAllowed())), path)
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        _load_checkpoint(str(path), map_location='cpu')
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        torch.load(path)


class GetattrGadget:
    """Pickles as ``getattr(HistoryBuffer, 'register_statistics')``."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, 'register_statistics')


def test_getattr_is_limited_to_history_buffer_statistics(tmp_path):
    path = tmp_path / 'gadget.pth'
    torch.save(dict(meta=dict(x=GetattrGadget())), path)
    with pytest.raises(pickle.UnpicklingError, match='not an mmengine'):
        torch.load(path)
