"""The baseline: what users write by hand instead of Ferry. The same SVC on iris behind FastAPI.

Run by bench/consume.sh as: uvicorn fastapi_iris:app --workers 2 --http httptools --loop uvloop
"""
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn import datasets, svm

iris = datasets.load_iris()
clf = svm.SVC(gamma="auto").fit(iris.data, iris.target)
names = ["I. setosa", "I. versicolor", "I. virginica"]
app = FastAPI()


class Flower(BaseModel):
    flower_data: list[float]


@app.post("/api/Iris/V1.0")
def predict(flower: Flower):
    species = [names[i] for i in clf.predict([flower.flower_data])]
    return {"success": True, "errorMessage": "", "consoleOutput": "", "changedFiles": [],
            "outputParameters": {"iris_species": species}, "outputFiles": {}}
