using System.Net;
using System.Net.Http.Json;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// The seed workflow's iris model: trained in a session, snapshotted and published as a web service.
/// <c>SVC(gamma='auto')</c> is <c>SVC()</c> as the seed's scikit-learn had it (the default changed in 0.22).
/// </summary>
public static class IrisService
{
    public const string Train =
        "from sklearn import svm, datasets\niris = datasets.load_iris()\nclf = svm.SVC(gamma='auto')\nclf.fit(iris.data, iris.target)\nnames = ['I. setosa', 'I. versicolor', 'I. virginica']";

    public const string Code = "iris_species = [names[i] for i in clf.predict([flower_data])]";

    /// <summary>Trains the model in a new session and snapshots it; returns the session and snapshot ids.</summary>
    public static async Task<(string SessionId, string SnapshotId)> TrainAndSnapshotAsync(HttpClient client)
    {
        var session = await SessionApi.CreateAsync(client);
        await SessionApi.RunAsync(client, session, Train);
        using var snapshot = await client.PostAsJsonAsync($"/sessions/{session}/snapshot", new { name = "Iris Snapshot" });
        Assert.Equal(HttpStatusCode.Created, snapshot.StatusCode);
        return (session, (await HttpAssert.OkJsonAsync(snapshot)).GetProperty("snapshotId").GetString()!);
    }

    public static object Publish(string snapshotId, string? code = null, string outputType = "vector") => new
    {
        code = code ?? Code,
        description = "Predicts the iris species",
        inputParameterDefinitions = new[] { new { name = "flower_data", type = "vector" } },
        outputParameterDefinitions = new[] { new { name = "iris_species", type = outputType } },
        runtimeType = "Python",
        snapshotId,
    };

    /// <summary>Consumes the service with one flower and returns the predicted species.</summary>
    public static async Task<string> PredictAsync(HttpClient client, string version, double[] flower)
    {
        using var response = await client.PostAsJsonAsync($"/api/Iris/{version}", new { flower_data = flower });
        var result = await HttpAssert.OkJsonAsync(response);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        return result.GetProperty("outputParameters").GetProperty("iris_species")[0].GetString()!;
    }
}
