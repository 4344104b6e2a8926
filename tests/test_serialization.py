"""Saving and loading networks: exact round trips, and clear errors for bad files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from actviz_widgets.engine.network import MLP
from actviz_widgets.engine.serialization import load_network, save_network


def trained_like_net() -> MLP:
    """A network with irregular (non-round) weights and biases."""
    net = MLP([3, 5, 4, 2], activation=["relu", "tanh"], loss="cross_entropy",
              init="he", weight_scale=1.5, seed=7)
    rng = np.random.default_rng(1)
    net.set_params([w * np.pi + rng.normal(size=w.shape) * 1e-9 for w in net.weights],
                   [rng.normal(size=b.shape) / 3.0 for b in net.biases])
    return net


def assert_same_net(a: MLP, b: MLP) -> None:
    assert a.config() == b.config()
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        assert p.dtype == q.dtype == np.float64
        np.testing.assert_array_equal(p, q)
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    np.testing.assert_array_equal(a.forward(x).output, b.forward(x).output)


@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_round_trip_is_exact(tmp_path, ext):
    net = trained_like_net()
    path = tmp_path / f"net{ext}"
    extra = {"widget": "playground", "lr": 0.03, "layers": [4, 4], "show": True, "note": None}
    save_network(net, path, extra=extra)
    loaded = load_network(path)
    assert_same_net(net, loaded)
    again, got_extra = load_network(str(path), with_extra=True)
    assert got_extra == extra
    assert_same_net(net, again)
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_extra_defaults_to_empty_dict(tmp_path, ext):
    path = tmp_path / f"n{ext}"
    save_network(MLP([2, 1], activation=[], seed=0), path)
    assert load_network(path, with_extra=True)[1] == {}


def test_json_file_is_readable_json(tmp_path):
    net = MLP([2, 2, 1], activation="sigmoid", loss="bce", seed=3)
    path = tmp_path / "n.json"
    save_network(net, path)
    doc = json.loads(path.read_text())
    assert doc["config"] == net.config()
    assert doc["weights"][0] == net.weights[0].tolist()
    assert doc["format"] == "actviz_widgets.network" and doc["version"] == 1


def test_npz_has_no_pickled_entries(tmp_path):
    path = tmp_path / "n.npz"
    save_network(trained_like_net(), path)
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["biases_0", "biases_1", "biases_2", "header",
                                      "weights_0", "weights_1", "weights_2"]
        assert all(data[k].dtype != object for k in data.files)


# -- saving errors -------------------------------------------------------------------------

def test_save_rejects_bad_arguments(tmp_path):
    net = MLP([2, 1], activation=[], seed=0)
    with pytest.raises(ValueError, match=r"extension '\.pkl'.*\['\.json', '\.npz'\]"):
        save_network(net, tmp_path / "n.pkl")
    with pytest.raises(ValueError, match="extension '\\(none\\)'"):
        save_network(net, tmp_path / "n")
    with pytest.raises(ValueError, match="extra must be JSON-serialisable"):
        save_network(net, tmp_path / "n.json", extra={"f": object()})
    with pytest.raises(ValueError, match="extra must be JSON-serialisable"):
        save_network(net, tmp_path / "n.json", extra={"x": float("nan")})
    with pytest.raises(TypeError, match="extra must be a dict"):
        save_network(net, tmp_path / "n.json", extra=[1, 2])
    with pytest.raises(TypeError, match="net must be an MLP"):
        save_network({"weights": []}, tmp_path / "n.json")
    with pytest.raises(TypeError, match="path"):
        save_network(net, 3)
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "n.json"
    save_network(MLP([2, 1], activation=[], seed=0), path, extra={"v": 1})
    old = path.read_bytes()
    with pytest.raises(ValueError):
        save_network(MLP([2, 1], activation=[], seed=0), path, extra={"v": float("inf")})
    assert path.read_bytes() == old


# -- loading errors ------------------------------------------------------------------------

def saved(tmp_path, ext=".npz", net=None) -> tuple:
    path = tmp_path / f"good{ext}"
    save_network(net or trained_like_net(), path)
    return path


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="no such file.*nothere.npz"):
        load_network(tmp_path / "nothere.npz")


def test_wrong_extension(tmp_path):
    path = tmp_path / "net.txt"
    path.write_text("{}")
    with pytest.raises(ValueError, match=r"extension '\.txt'"):
        load_network(path)


def test_truncated_npz(tmp_path):
    path = saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"good\.npz.*not a readable \.npz"):
        load_network(path)


def test_corrupt_member_in_npz(tmp_path):
    path = saved(tmp_path)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"weights_1.npy") + 40  # inside that member's compressed data
    raw[start:start + 20] = bytes(20)
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"good\.npz"):
        load_network(path)


def test_text_file_renamed_npz(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are my notes, not a network\n")
    with pytest.raises(ValueError, match=r"notes\.npz.*not an \.npz archive \(no zip"):
        load_network(path)


def test_npy_file_renamed_npz(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as f:
        np.save(f, np.arange(3.0))
    with pytest.raises(ValueError, match="single .npy array"):
        load_network(path)


def test_foreign_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3), b=np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"other\.npz.*no 'header'.*\['a', 'b'\]"):
        load_network(path)


def rewrite_npz(path, **changes):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    for key in [k for k, v in arrays.items() if v is None]:
        del arrays[key]
    np.savez(path, **arrays)


def header_of(path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["header"]))


def test_npz_with_missing_or_extra_arrays(tmp_path):
    path = saved(tmp_path)
    rewrite_npz(path, biases_2=None)
    with pytest.raises(ValueError, match=r"missing \['biases_2'\]"):
        load_network(path)
    path = saved(tmp_path)
    rewrite_npz(path, weights_9=np.zeros(2))
    with pytest.raises(ValueError, match=r"unexpected \['weights_9'\]"):
        load_network(path)


def test_npz_shape_mismatch_and_non_finite(tmp_path):
    path = saved(tmp_path)
    rewrite_npz(path, weights_1=np.zeros((4, 5)))
    with pytest.raises(ValueError,
                       match=r"good\.npz.*'weights_1' has shape \(4, 5\); the network's config "
                             r"needs \(5, 4\)"):
        load_network(path)
    path = saved(tmp_path)
    bad = np.zeros(4)
    bad[2] = np.inf
    rewrite_npz(path, biases_1=bad)
    with pytest.raises(ValueError, match=r"biases\[1\] must hold only finite values"):
        load_network(path)
    path = saved(tmp_path)
    rewrite_npz(path, biases_0=np.array(["a"] * 5))
    with pytest.raises(ValueError, match="real numbers"):
        load_network(path)


@pytest.mark.parametrize("change, match", [
    (lambda h: h["config"].update(activation=["relu", "swishy"]), "unknown activation 'swishy'"),
    (lambda h: h["config"].pop("loss"), "config' must have exactly the keys"),
    (lambda h: h["config"].update(depth=3), "config' must have exactly the keys"),
    (lambda h: h.update(format="something.else"), "not a saved network"),
    (lambda h: h.update(version=99), "unsupported version 99"),
    (lambda h: h.update(extra=[1]), "'extra' must be an object"),
    (lambda h: h["config"].update(sizes=[3, 5, 4]), "arrays do not match a network of 2"),
])
def test_npz_bad_header(tmp_path, change, match):
    path = saved(tmp_path)
    header = header_of(path)
    change(header)
    rewrite_npz(path, header=np.array(json.dumps(header)))
    with pytest.raises(ValueError, match=match):
        load_network(path)


def test_npz_header_not_json(tmp_path):
    path = saved(tmp_path)
    rewrite_npz(path, header=np.array("{not json"))
    with pytest.raises(ValueError, match="header is not valid JSON"):
        load_network(path)


def edit_json(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("change, match", [
    (lambda d: d["weights"][1].pop(),
     r"weights\[1\] must be a list of 5 rows of 4 numbers; got an array of 4"),
    (lambda d: d["weights"].pop(), "'weights' must be a list of 3 arrays"),
    (lambda d: d["biases"][0].__setitem__(0, "x"),
     r"biases\[0\] must hold numbers only; got string \"x\""),
    (lambda d: d["weights"][0][0].append(1.0), r"weights\[0\]"),  # ragged rows
    (lambda d: d.pop("biases"), r"missing \['biases'\]"),
    (lambda d: d.update(comment="hi"), r"unexpected \['comment'\]"),
    (lambda d: d["config"].update(loss="hinge"), "unknown loss 'hinge'"),
    (lambda d: d["config"].update(sizes=[3, 0, 4, 2]), "sizes"),
    (lambda d: d.update(weights={"0": 1}), "'weights' must be a list of 3 arrays .* got an "
                                           "object"),
])
def test_json_bad_contents(tmp_path, change, match):
    path = saved(tmp_path, ".json")
    edit_json(path, change)
    with pytest.raises(ValueError, match=match) as info:
        load_network(path)
    assert "good.json" in str(info.value)


def test_json_non_finite_weight(tmp_path):
    path = saved(tmp_path, ".json")
    text = path.read_text()
    doc = json.loads(text)
    doc["weights"][0][0][0] = float("nan")
    path.write_text(json.dumps(doc))  # Python writes NaN, a non-standard token
    with pytest.raises(ValueError, match="it holds NaN, which is not a number JSON allows"):
        load_network(path)


@pytest.mark.parametrize("content", ["", "{\"format\": ", "[1, 2, 3]", "\x00\xff binary"])
def test_json_not_a_network(tmp_path, content):
    path = tmp_path / "x.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ValueError, match=r"x\.json"):
        load_network(path)


def test_npz_written_as_json_and_vice_versa(tmp_path):
    npz = saved(tmp_path, ".npz")
    as_json = tmp_path / "renamed.json"
    as_json.write_bytes(npz.read_bytes())
    with pytest.raises(ValueError, match="not valid JSON"):
        load_network(as_json)
    js = saved(tmp_path, ".json")
    as_npz = tmp_path / "renamed.npz"
    as_npz.write_bytes(js.read_bytes())
    with pytest.raises(ValueError, match="not an .npz archive"):
        load_network(as_npz)


def test_zip_without_npy_members(tmp_path):
    path = tmp_path / "z.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=r"z\.npz"):
        load_network(path)


# -- what a crafted archive claims is checked before it is read ----------------------------

def test_zip_directory_claiming_too_many_members_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(202):  # 2 × MAX_LAYERS + 1 = 201 members at most
            zf.writestr(f"a{i}.npy", b"")
    with pytest.raises(ValueError, match=r"many\.npz.*directory lists 202 members.*at most 201"):
        load_network(path)


def test_member_sizes_must_fit_their_compressed_bytes(tmp_path):
    from actviz_widgets.engine.serialization import _most_inflated
    info = zipfile.ZipInfo("x.npy")
    info.compress_size, info.compress_type = 100, zipfile.ZIP_STORED
    assert _most_inflated(info) == 100
    info.compress_type = zipfile.ZIP_DEFLATED
    assert _most_inflated(info) == 1032 * 100 + 1024  # deflate's largest ratio is 1032:1
    # a stored member whose directory entry claims more bytes than the file holds
    path = saved(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    lying = tmp_path / "lying.npz"
    with zipfile.ZipFile(lying, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data if name != "weights_1.npy" else data[:-40])
    with pytest.raises(ValueError, match=r"lying\.npz.*'weights_1' claims shape \(5, 4\) of "
                                         r"<f8 \(160 bytes of data\) but the member holds 120"):
        load_network(lying)


def test_fortran_ordered_and_big_endian_arrays_load_exactly(tmp_path):
    net = trained_like_net()
    path = saved(tmp_path, net=net)
    rewrite_npz(path, weights_0=np.asfortranarray(net.weights[0]),
                biases_1=net.biases[1].astype(">f8"))
    assert_same_net(load_network(path), net)
