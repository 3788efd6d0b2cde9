"""llama2.c's ``export.py``, ported as written: ``serialize_fp32``/``serialize_int8``
(``tensor.detach().cpu().view(-1).numpy()`` packed by ``struct``), ``quantize_q80``
(``w.float()``, ``torch.abs(w).max(dim=1).values``, ``scale[:, None]``,
``torch.round(quant).to(torch.int8)``), the three ``.bin`` formats (``legacy_export``,
``version1_export`` with its 256-byte header, ``version2_export`` in Q8_0) and
``load_checkpoint`` (``_orig_mod.`` prefixes stripped). The files written from our model
and from PyTorch's, with the same weights, are the same bytes.

Lines written differently here:
- ``torch.equal(a, b)`` is ``a.equal(b)`` (PyTorch's method too): ``autograd.equal`` would
  be NumPy's elementwise ``np.equal``, so it is left out (its ``MissingNameError`` says so);
- ``torch.load``/``torch.save`` are ``nn.load``/``nn.save`` (``autograd`` never imports
  ``nn``).
"""

import struct

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import libraries
from test_pytorch_ports_llama2c_model import ARGS, ModelArgs, both_models, llama2c


def exporters(torch):
    """export.py's functions for one library."""

    def serialize_fp32(file, tensor):
        """ writes one fp32 tensor to file that is open in wb mode """
        d = tensor.detach().cpu().view(-1).numpy().astype(np.float32)
        b = struct.pack(f'{len(d)}f', *d)
        file.write(b)

    def serialize_int8(file, tensor):
        """ writes one int8 tensor to file that is open in wb mode """
        d = tensor.detach().cpu().view(-1).numpy().astype(np.int8)
        b = struct.pack(f'{len(d)}b', *d)
        file.write(b)

    def quantize_q80(w, group_size):
        """the Q8_0 quantized version of w: symmetric int8 in [-127, 127] per group"""
        assert w.numel() % group_size == 0
        w = w.float()  # convert to float32
        w = w.reshape(-1, group_size)
        # find the max in each group
        wmax = torch.abs(w).max(dim=1).values
        # calculate the scaling factor such that float = quant * scale
        scale = wmax / 127.0
        # scale into range [-127, 127]
        quant = w / scale[:, None]
        # round to nearest integer
        int8val = torch.round(quant).to(torch.int8)
        # dequantize by rescaling
        fp32val = (int8val.float() * scale[:, None]).view(-1)
        fp32valr = fp32val.reshape(-1, group_size)
        # calculate the max error in each group
        err = torch.abs(fp32valr - w).max(dim=1).values
        # find the max error across all groups
        maxerr = err.max().item()
        return int8val, scale, maxerr

    def legacy_export(model, filepath):
        """ Original export of llama2.c bin files, i.e. version v0 """
        out_file = open(filepath, 'wb')
        hidden_dim = model.layers[0].feed_forward.w1.weight.shape[0]
        p = model.params
        shared_classifier = model.tok_embeddings.weight.equal(model.output.weight)
        # legacy format uses negative/positive vocab size as a shared classifier flag
        if not shared_classifier:
            p.vocab_size = -p.vocab_size
        n_kv_heads = p.n_heads if p.n_kv_heads is None else p.n_kv_heads
        header = struct.pack('iiiiiii', p.dim, hidden_dim, p.n_layers, p.n_heads,
                             n_kv_heads, p.vocab_size, p.max_seq_len)
        out_file.write(header)
        serialize_fp32(out_file, model.tok_embeddings.weight)
        for name in ['attention_norm', 'attention.wq', 'attention.wk', 'attention.wv',
                     'attention.wo', 'ffn_norm', 'feed_forward.w1', 'feed_forward.w2',
                     'feed_forward.w3']:  # (export.py spells out one loop per weight)
            for layer in model.layers:
                serialize_fp32(out_file, layer.get_submodule(name).weight)
        serialize_fp32(out_file, model.norm.weight)
        serialize_fp32(out_file, model.freqs_cos[:p.max_seq_len])
        serialize_fp32(out_file, model.freqs_sin[:p.max_seq_len])
        if not shared_classifier:
            serialize_fp32(out_file, model.output.weight)
        out_file.close()
        print(f"wrote {filepath}")

    def header(out_file, model, version, shared_classifier):
        """version1_export's and version2_export's first lines"""
        # 1) write magic, which will be uint32 of "ak42" in ASCII
        out_file.write(struct.pack('I', 0x616b3432))
        # 2) write version, which will be int
        out_file.write(struct.pack('i', version))
        # 3) write the params, which will be 7 ints
        p = model.params
        hidden_dim = model.layers[0].feed_forward.w1.weight.shape[0]
        n_kv_heads = p.n_heads if p.n_kv_heads is None else p.n_kv_heads
        header = struct.pack('iiiiiii', p.dim, hidden_dim, p.n_layers, p.n_heads,
                             n_kv_heads, p.vocab_size, p.max_seq_len)
        out_file.write(header)
        # 4) write some other flags
        out_file.write(struct.pack('B', int(shared_classifier)))

    def matrices(model):
        return [
            *[layer.attention.wq.weight for layer in model.layers],
            *[layer.attention.wk.weight for layer in model.layers],
            *[layer.attention.wv.weight for layer in model.layers],
            *[layer.attention.wo.weight for layer in model.layers],
            *[layer.feed_forward.w1.weight for layer in model.layers],
            *[layer.feed_forward.w2.weight for layer in model.layers],
            *[layer.feed_forward.w3.weight for layer in model.layers],
        ]

    def version1_export(model, filepath):
        """the model weights in full float32 after a 256-byte header"""
        out_file = open(filepath, 'wb')
        shared_classifier = model.tok_embeddings.weight.equal(model.output.weight)
        header(out_file, model, 1, shared_classifier)
        pad = 256 - out_file.tell()  # pad rest with zeros; tell returns current pos
        assert pad >= 0
        out_file.write(b'\0' * pad)
        weights = [
            *[layer.attention_norm.weight for layer in model.layers],
            *[layer.ffn_norm.weight for layer in model.layers],
            model.norm.weight,
            model.tok_embeddings.weight,
            *matrices(model),
        ]
        if not shared_classifier:
            weights.append(model.output.weight)
        for w in weights:
            serialize_fp32(out_file, w)
        out_file.close()
        print(f"wrote {filepath}")

    def version2_export(model, filepath, group_size=64):
        """the weights in Q8_0 (groups of group_size), the norms in float32"""
        while model.params.dim % group_size != 0:
            group_size //= 2
            print(f"BACKOFF: reducing group size to {group_size} to fit hidden_dim")
        weights = [model.tok_embeddings.weight, *matrices(model)]
        shared_classifier = model.tok_embeddings.weight.equal(model.output.weight)
        if not shared_classifier:
            weights.append(model.output.weight)
        for w in weights:
            assert w.numel() % group_size == 0
        out_file = open(filepath, 'wb')
        header(out_file, model, 2, shared_classifier)
        out_file.write(struct.pack('i', group_size))  # group size used for quantization
        pad = 256 - out_file.tell()  # pad rest with zeros; tell returns current pos
        assert pad >= 0
        out_file.write(b'\0' * pad)
        for layer in model.layers:  # attention norms
            serialize_fp32(out_file, layer.attention_norm.weight)
        for layer in model.layers:  # MLP norms
            serialize_fp32(out_file, layer.ffn_norm.weight)
        serialize_fp32(out_file, model.norm.weight)  # final pre-classifier norm
        ew = []
        scales = []
        for i, w in enumerate(weights):
            q, s, err = quantize_q80(w, group_size)
            serialize_int8(out_file, q)  # save the tensor in int8
            scales.append(s)  # we'll do all the scales after all the qs
            ew.append((err, w.shape))
            print(f"{i+1}/{len(weights)} quantized {tuple(w.shape)} to Q8_0 with max error "
                  f"{err}")
        for s in scales:
            serialize_fp32(out_file, s)
        ew.sort(reverse=True)
        print(f"max quantization group error across all weights: {ew[0][0]}")
        out_file.close()
        print(f"wrote {filepath}")

    return legacy_export, version1_export, version2_export


def load_checkpoint(torch, nn, F, optim, load, checkpoint):
    """export.py's load_checkpoint (``torch.load`` is given as ``load``)."""
    checkpoint_dict = load(checkpoint, map_location='cpu')
    gptconf = ModelArgs(**checkpoint_dict['model_args'])
    model = llama2c(torch, nn, F, optim)(gptconf)
    state_dict = checkpoint_dict['model']
    unwanted_prefix = '_orig_mod.'
    for k, v in list(state_dict.items()):
        if k.startswith(unwanted_prefix):
            state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
    model.load_state_dict(state_dict, strict=False)
    model.eval()
    return model


def test_the_exported_files_are_pytorchs(torch, tmp_path, capsys):
    ours, theirs = both_models(torch, **dict(ARGS, dim=32, n_heads=4))
    for name in ("freqs_cos", "freqs_sin"):  # float32 cos and sin of NumPy and PyTorch
        theirs_ = getattr(theirs, name).numpy()  # differ in the last bit at times
        np.testing.assert_allclose(getattr(ours, name).numpy(), theirs_, rtol=0, atol=1e-7)
        ours.register_buffer(name, ag.tensor(theirs_), persistent=False)
    files = {}
    for name, lib, model in (("ours", ag, ours), ("theirs", torch, theirs)):
        for version, export in enumerate(exporters(lib)):
            path = tmp_path / f"{name}{version}.bin"
            export(model, path)
            files[name, version] = path.read_bytes()
        files[name, "printed"] = capsys.readouterr().out.replace(name, "")
    for version in (0, 1, 2, "printed"):
        assert files["ours", version] == files["theirs", version], version
    assert struct.unpack('I', files["ours", 1][:4])[0] == 0x616b3432
    assert "BACKOFF: reducing group size to 32" in files["ours", "printed"]
    assert ours.params.vocab_size == 13  # the classifier is shared: no sign flip


def test_load_checkpoint_strips_the_compile_prefix(torch, tmp_path):
    ag.manual_seed(0)
    model = llama2c(*libraries())(ModelArgs(**ARGS))
    checkpoint = {"model": {"_orig_mod." + k: v for k, v in model.state_dict().items()},
                  "model_args": ARGS, "iter_num": 3, "best_val_loss": 1e9}
    nn.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = load_checkpoint(*libraries(), nn.load, tmp_path / "ckpt.pt")
    assert not loaded.training
    for (name, a), (_, b) in zip(loaded.state_dict().items(), model.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
