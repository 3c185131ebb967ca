using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Tests.Sandboxing;

/// <summary>The real sandbox, its scratch in a temporary directory of its own.</summary>
internal static class TestSandbox
{
    public static Sandbox Create(SandboxOptions? options = null)
    {
        options ??= new SandboxOptions();
        options.Directory = Directory.CreateTempSubdirectory("ferry-sandbox-test-").FullName;
        return new Sandbox(Options.Create(options), NullLogger<Sandbox>.Instance);
    }
}
