"""The Python side of bench/ProcessFloor: the seed's iris SVC (as baseline_fastapi.py trains it) served over
one Unix domain socket, frames of a 4-byte little-endian length and JSON, answered in order, with the least
work a worker can do: parse the body, predict, write the answer in the consume shape."""
import json
import socket
import struct
import sys

from sklearn import datasets, svm

NAMES = {0: "I. setosa", 1: "I. versicolor", 2: "I. virginica"}
iris = datasets.load_iris()
clf = svm.SVC().fit(iris.data, iris.target)
channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
channel.connect(sys.argv[1])
reader = channel.makefile("rb")
while True:
    header = reader.read(4)
    if len(header) < 4:
        break
    body = json.loads(reader.read(struct.unpack("<I", header)[0]))
    species = [NAMES[int(i)] for i in clf.predict([body["flower_data"]])]
    answer = json.dumps({"success": True, "errorMessage": "", "consoleOutput": "", "changedFiles": [],
                         "outputParameters": {"iris_species": species}, "outputFiles": {}}).encode()
    channel.sendall(struct.pack("<I", len(answer)) + answer)
