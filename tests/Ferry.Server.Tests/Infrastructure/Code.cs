namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// The runtimes every session and service test runs for, and the per-runtime pieces of a test:
/// the same behaviour written in Python and in R.
/// </summary>
public static class Code
{
    /// <summary>Theory data: each runtime, by the name the API takes in <c>runtimeType</c>.</summary>
    public static TheoryData<string> Runtimes => new() { "Python", "R" };

    /// <summary>The Python or the R form of a snippet (or of an expectation that differs by runtime).</summary>
    public static T Of<T>(string runtime, T python, T r) => runtime switch
    {
        "Python" => python,
        "R" => r,
        _ => throw new ArgumentOutOfRangeException(nameof(runtime), runtime, "Python or R"),
    };
}
