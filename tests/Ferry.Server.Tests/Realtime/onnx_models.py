"""Builds ONNX models of scikit-learn's iris classifiers with onnx's helper API alone (Debian's
python3-onnx; skl2onnx is not packaged): each ai.onnx.ml node is filled from the fitted model's
own parameters. Writes <out>/<name>.onnx and <out>/expected.json (scikit-learn's labels per model).

    /usr/bin/python3 onnx_models.py OUT_DIR [--gamma auto|scale]
"""
import json
import os
import sys

import numpy as np
from onnx import TensorProto, TypeProto, checker, helper
from sklearn import datasets, svm, tree
from sklearn.linear_model import LogisticRegression

ML = helper.make_opsetid("ai.onnx.ml", 1)
ONNX = helper.make_opsetid("", 13)


def save(graph, path, ml=ML):
    model = helper.make_model(graph, opset_imports=[ONNX, ml], producer_name="ferry-tests")
    model.ir_version = 8
    checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def features(n=4):
    return helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n])


def svc(clf, path):
    """SVMClassifier: libsvm's one-vs-one machines from the support vectors and dual coefficients."""
    node = helper.make_node(
        "SVMClassifier", ["X"], ["label", "scores"], domain="ai.onnx.ml",
        classlabels_ints=[int(c) for c in clf.classes_],
        coefficients=clf.dual_coef_.ravel().tolist(),
        kernel_params=[float(clf._gamma), float(clf.coef0), float(clf.degree)],
        kernel_type=clf.kernel.upper(),
        rho=clf.intercept_.tolist(),
        support_vectors=clf.support_vectors_.ravel().tolist(),
        vectors_per_class=[int(n) for n in clf.n_support_],
        post_transform="NONE")
    pairs = len(clf.classes_) * (len(clf.classes_) - 1) // 2
    save(helper.make_graph([node], "iris_svc", [features()], [
        helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
        helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, pairs])]), path)


def decision_tree(clf, path):
    """TreeEnsembleClassifier with one tree: x <= threshold goes left, leaves vote their class shares."""
    t = clf.tree_
    leaves = [i for i in range(t.node_count) if t.children_left[i] == -1]
    class_tree, class_node, class_id, class_weight = [], [], [], []
    for leaf in leaves:
        shares = t.value[leaf][0] / t.value[leaf][0].sum()
        for k, share in enumerate(shares):
            class_tree.append(0); class_node.append(leaf); class_id.append(k); class_weight.append(float(share))
    node = helper.make_node(
        "TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain="ai.onnx.ml",
        classlabels_int64s=[int(c) for c in clf.classes_],
        nodes_treeids=[0] * t.node_count,
        nodes_nodeids=list(range(t.node_count)),
        nodes_featureids=[max(int(f), 0) for f in t.feature],
        nodes_values=[float(v) for v in t.threshold],
        nodes_modes=["LEAF" if t.children_left[i] == -1 else "BRANCH_LEQ" for i in range(t.node_count)],
        nodes_truenodeids=[max(int(c), 0) for c in t.children_left],
        nodes_falsenodeids=[max(int(c), 0) for c in t.children_right],
        nodes_missing_value_tracks_true=[0] * t.node_count,
        nodes_hitrates=[1.0] * t.node_count,
        class_treeids=class_tree, class_nodeids=class_node, class_ids=class_id, class_weights=class_weight,
        post_transform="NONE")
    save(helper.make_graph([node], "iris_tree", [features()], [
        helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(clf.classes_)])]), path)


def logistic(clf, names, path):
    """Four named inputs, concatenated, a LinearClassifier with softmax, and a ZipMap of the species' probabilities."""
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in names]
    nodes = [
        helper.make_node("Concat", names, ["X"], axis=1),
        helper.make_node(
            "LinearClassifier", ["X"], ["label", "raw"], domain="ai.onnx.ml",
            classlabels_strings=SPECIES, coefficients=clf.coef_.ravel().tolist(),
            intercepts=clf.intercept_.tolist(), multi_class=1, post_transform="SOFTMAX"),
        helper.make_node("ZipMap", ["raw"], ["probability"], domain="ai.onnx.ml", classlabels_strings=SPECIES),
    ]
    prob = TypeProto()  # seq(map(string, float)); this onnx has no make_map_type_proto
    prob.sequence_type.elem_type.map_type.key_type = TensorProto.STRING
    prob.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    save(helper.make_graph(nodes, "iris_logistic", inputs, [
        helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
        helper.make_value_info("probability", prob)]), path)


def endless_loop(path):
    """A Loop of 2**62 iterations over X: it never ends by itself."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond"], ["cond_out"]), helper.make_node("Abs", ["v"], ["v_out"])], "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []), helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []), helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [None, 4])])
    nodes = [
        helper.make_node("Constant", [], ["trips"], value=helper.make_tensor("t", TensorProto.INT64, [], [2 ** 62])),
        helper.make_node("Constant", [], ["go"], value=helper.make_tensor("g", TensorProto.BOOL, [], [True])),
        helper.make_node("Loop", ["trips", "go", "X"], ["Y"], body=body),
    ]
    save(helper.make_graph(nodes, "endless", [features()], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])]), path)


def outer_product(path):
    """Every value of X times every other: (4N)^2 values for N rows, an output sized by the caller."""
    nodes = [
        helper.make_node("Constant", [], ["column"], value=helper.make_tensor("c", TensorProto.INT64, [2], [-1, 1])),
        helper.make_node("Constant", [], ["row"], value=helper.make_tensor("r", TensorProto.INT64, [2], [1, -1])),
        helper.make_node("Reshape", ["X", "column"], ["a"]),
        helper.make_node("Reshape", ["X", "row"], ["b"]),
        helper.make_node("MatMul", ["a", "b"], ["Y"]),
    ]
    save(helper.make_graph(nodes, "outer", [features()], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, None])]), path)


def memory_bomb(path):
    """A tensor as long as the first value says: 2e9 asks for 8 GB."""
    nodes = [
        helper.make_node("Constant", [], ["first"], value=helper.make_tensor("f", TensorProto.INT64, [2], [0, 0])),
        helper.make_node("Constant", [], ["one"], value=helper.make_tensor("o", TensorProto.INT64, [2], [1, 1])),
        helper.make_node("Slice", ["X", "first", "one"], ["x00"]),
        helper.make_node("Cast", ["x00"], ["n"], to=TensorProto.INT64),
        helper.make_node("Constant", [], ["flat"], value=helper.make_tensor("s", TensorProto.INT64, [1], [1])),
        helper.make_node("Reshape", ["n", "flat"], ["shape"]),
        helper.make_node("ConstantOfShape", ["shape"], ["big"], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("ReduceSum", ["big"], ["Y"], keepdims=1),
    ]
    save(helper.make_graph(nodes, "bomb", [features()], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1])]), path)


def constant_bomb(path):
    """A constant 1 GB tensor summed and added to X: computed when the model loads, unless constant folding is off."""
    nodes = [
        helper.make_node("Constant", [], ["shape"], value=helper.make_tensor("s", TensorProto.INT64, [1], [2 ** 28])),
        helper.make_node("ConstantOfShape", ["shape"], ["big"], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("ReduceSum", ["big"], ["total"], keepdims=1),
        helper.make_node("Add", ["X", "total"], ["Y"]),
    ]
    save(helper.make_graph(nodes, "constant_bomb", [features()], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])]), path)


def external_data(path):
    """X plus an initializer whose values live in another file beside the model (ONNX's external data)."""
    weights = helper.make_tensor("w", TensorProto.FLOAT, [4], [0.0] * 4)
    weights.ClearField("float_data")
    weights.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "neighbour.bin"), ("offset", "0"), ("length", "16")):
        entry = weights.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph([helper.make_node("Add", ["X", "w"], ["Y"])], "external", [features()],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])], initializer=[weights])
    model = helper.make_model(graph, opset_imports=[ONNX, ML], producer_name="ferry-tests")
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    with open(os.path.join(os.path.dirname(path), "neighbour.bin"), "wb") as f:
        f.write(bytes(16))


def bytes_output(path):
    """X cast to uint8: an output type Ferry does not answer."""
    save(helper.make_graph([helper.make_node("Cast", ["X"], ["Y"], to=TensorProto.UINT8)], "bytes", [features()],
                           [helper.make_tensor_value_info("Y", TensorProto.UINT8, [None, 4])]), path)


def texts(name="text"):
    return helper.make_tensor_value_info(name, TensorProto.STRING, [None])


def string_tile(path):
    """The caller's strings repeated as often as the caller says: a string's characters are outside ONNX Runtime's arena."""
    save(helper.make_graph([helper.make_node("Tile", ["text", "count"], ["Y"], name="repeat")], "string_tile",
                           [texts(), helper.make_tensor_value_info("count", TensorProto.INT64, [None])], [texts("Y")]), path)


def string_doubling(path):
    """StringConcat(x, x) 40 times: a string twice as long at each step, 2**40 times the caller's in all (opset 20)."""
    nodes, value = [], "text"
    for k in range(40):
        nodes.append(helper.make_node("StringConcat", [value, value], [f"twice{k}"], name=f"double{k}"))
        value = f"twice{k}"
    nodes.append(helper.make_node("Identity", [value], ["Y"]))
    model = helper.make_model(helper.make_graph(nodes, "string_doubling", [texts()], [texts("Y")]),
                              opset_imports=[helper.make_opsetid("", 20), ML], producer_name="ferry-tests")
    model.ir_version = 9  # StringConcat is newer than this onnx's checker
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def loop_string_tile(path):
    """A Loop whose body tiles a string constant of its own a million times, for the loop's count of numeric rows."""
    body = helper.make_graph([
        helper.make_node("Identity", ["cond"], ["cond_out"]),
        helper.make_node("Constant", [], ["word"], value=helper.make_tensor("w", TensorProto.STRING, [1], [b"x" * 1000])),
        helper.make_node("Constant", [], ["million"], value=helper.make_tensor("m", TensorProto.INT64, [1], [1000000])),
        helper.make_node("Tile", ["word", "million"], ["words"], name="tile_in_body"),
        helper.make_node("Size", ["words"], ["n"]),
        helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
        helper.make_node("Add", ["v", "nf"], ["v_out"]),
    ], "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []), helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []), helper.make_tensor_value_info("v_out", TensorProto.FLOAT, [None, 4])])
    nodes = [
        helper.make_node("Constant", [], ["trips"], value=helper.make_tensor("t", TensorProto.INT64, [], [1000])),
        helper.make_node("Constant", [], ["go"], value=helper.make_tensor("g", TensorProto.BOOL, [], [True])),
        helper.make_node("Loop", ["trips", "go", "X"], ["Y"], body=body, name="loop"),
    ]
    save(helper.make_graph(nodes, "loop_string_tile", [features()], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 4])]), path)


def species_codes(path):
    """Harmless strings: the caller's species names lower-cased, answered, and encoded as the iris codes (-1 for others)."""
    nodes = [
        helper.make_node("StringNormalizer", ["text"], ["lower"], case_change_action="LOWER", locale="C.UTF-8"),
        helper.make_node("LabelEncoder", ["lower"], ["code"], domain="ai.onnx.ml",
                         keys_strings=[s.lower() for s in SPECIES], values_int64s=[0, 1, 2], default_int64=-1),
        helper.make_node("Identity", ["lower"], ["name"]),
    ]
    save(helper.make_graph(nodes, "species_codes", [texts()], [
        helper.make_tensor_value_info("code", TensorProto.INT64, [None]), texts("name")]), path, helper.make_opsetid("ai.onnx.ml", 2))


SPECIES = ["I. setosa", "I. versicolor", "I. virginica"]

if __name__ == "__main__":
    out = sys.argv[1]
    gamma = sys.argv[sys.argv.index("--gamma") + 1] if "--gamma" in sys.argv else "auto"
    os.makedirs(out, exist_ok=True)
    iris = datasets.load_iris()
    X, y = iris.data, iris.target
    svc_model = svm.SVC(gamma=gamma).fit(X, y)
    tree_model = tree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    logistic_model = LogisticRegression(max_iter=1000).fit(X, y)
    svc(svc_model, os.path.join(out, "iris_svc.onnx"))
    decision_tree(tree_model, os.path.join(out, "iris_tree.onnx"))
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    logistic(logistic_model, names, os.path.join(out, "iris_logistic.onnx"))
    endless_loop(os.path.join(out, "endless_loop.onnx"))
    outer_product(os.path.join(out, "outer_product.onnx"))
    memory_bomb(os.path.join(out, "memory_bomb.onnx"))
    constant_bomb(os.path.join(out, "constant_bomb.onnx"))
    external_data(os.path.join(out, "external_data.onnx"))
    bytes_output(os.path.join(out, "bytes_output.onnx"))
    string_tile(os.path.join(out, "string_tile.onnx"))
    string_doubling(os.path.join(out, "string_doubling.onnx"))
    loop_string_tile(os.path.join(out, "loop_string_tile.onnx"))
    species_codes(os.path.join(out, "species_codes.onnx"))
    json.dump({
        "features": X.tolist(),
        "names": names,
        "svc": svc_model.predict(X).tolist(),
        "tree": tree_model.predict(X).tolist(),
        "logistic": [SPECIES[i] for i in logistic_model.predict(X)],
        "logistic_probability": logistic_model.predict_proba(X).tolist(),
    }, open(os.path.join(out, "expected.json"), "w"))
