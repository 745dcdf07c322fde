# Small-data study, RelViT finetune: the supervised arm started from the
# backbone of vit-tiny-p4-relvit-upstream_1xb64_fmnist2k.py (SSL heads
# dropped, fresh classifier, fresh optimiser and schedule; the positional
# embedding, unused upstream, starts from its initialisation as in the
# reference). StrictPretrainedHook stops the run if a backbone weight is
# missing from the checkpoint. Pass another checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = ['./vit-tiny-p4_1xb64_fmnist2k.py']

upstream_checkpoint = ('work_dirs/vit-tiny-p4-relvit-upstream_1xb64_fmnist2k/'
                       f'epoch_{_base_.max_epochs}.pth')
model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint=upstream_checkpoint,
            prefix='backbone.')))

custom_hooks = _base_.custom_hooks + [dict(type='StrictPretrainedHook')]
