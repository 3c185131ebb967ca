namespace Ferry.Server.Tests.ScaleOut;

/// <summary>What the tests of several nodes share: a client of one node holding another's token, and waiting for what a node learns later.</summary>
internal static class Nodes
{
    /// <summary>A client of <paramref name="node"/> signed in as <paramref name="source"/> is.</summary>
    public static HttpClient WithTokenOf(HttpClient source, Infrastructure.FerryProcess node)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress };
        client.DefaultRequestHeaders.Authorization = source.DefaultRequestHeaders.Authorization;
        return client;
    }

    /// <summary>Asks until the answer is <paramref name="done"/> or a minute passed; returns the last answer.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> ask, Func<T, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var answer = await ask();
            if (done(answer) || DateTimeOffset.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }
}
