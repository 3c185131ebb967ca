using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// The real <c>./ferry</c> launcher as a child process: <c>serve</c> on a free loopback port, or a
/// one-shot command such as <c>admin user add</c>. Output is kept for assertions.
/// </summary>
public sealed class FerryProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private FerryProcess(Process process, Uri baseAddress, Uri? metricsAddress = null)
    {
        this.process = process;
        BaseAddress = baseAddress;
        MetricsAddress = metricsAddress;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>The metrics listener (<c>/metrics</c>), on a free loopback port of its own unless the settings name one.</summary>
    public Uri? MetricsAddress { get; }

    public string Output => string.Join('\n', output);

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// Starts <c>./ferry serve</c> and waits until it answers HTTP. Servers started side by side each get
    /// a metrics port of their own (the default, 12801, would be taken by the first).
    /// </summary>
    public static async Task<FerryProcess> ServeAsync(string dataDirectory, string? adminPassword, params string[] settings)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        Uri? metrics = null;
        if (!settings.Any(s => s.StartsWith("--Ferry:Metrics:Urls", StringComparison.OrdinalIgnoreCase)))
        {
            metrics = new Uri($"http://127.0.0.1:{FreePort()}");
            settings = [.. settings, $"--Ferry:Metrics:Urls={metrics.GetLeftPart(UriPartial.Authority)}"];
        }

        var server = new FerryProcess(Start(["serve", "--urls", url, "--data-dir", dataDirectory, .. settings], adminPassword), new Uri(url), metrics);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (server.process.HasExited)
            {
                server.process.WaitForExit(); // flushes the asynchronous output readers: the last lines say why it stopped
                throw new InvalidOperationException($"ferry serve exited with {server.process.ExitCode}:\n{server.Output}");
            }

            try
            {
                using var response = await client.GetAsync("/status");
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or a first answer slower than the probe's timeout on a loaded machine
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"ferry serve did not answer within 90 s:\n{server.Output}");
    }

    /// <summary>Runs a one-shot command to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var child = new FerryProcess(Start(arguments, adminPassword: null, environment), new Uri("http://unused"));
        if (standardInput is not null)
        {
            await child.process.StandardInput.WriteLineAsync(standardInput);
        }

        child.process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await child.process.WaitForExitAsync(timeout.Token);
        child.process.WaitForExit(); // flushes the asynchronous output readers
        var result = (child.process.ExitCode, child.Output);
        child.process.Dispose();
        return result;
    }

    /// <summary>A client of this server with a fresh access token of the user.</summary>
    public async Task<HttpClient> LoggedInClientAsync(string userName, string password)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        using var login = await client.PostAsJsonAsync("/login", new { username = userName, password });
        var token = (await HttpAssert.OkJsonAsync(login)).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The server's process id (the launcher execs the server in its own process).</summary>
    public int ProcessId => process.Id;

    /// <summary>Every process below the server: sandboxes, their init and the workers in them.</summary>
    public IReadOnlyList<int> Descendants()
    {
        var parents = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Parent: ParentOf(name!)))
            .ToList();
        var found = new List<int>();
        var frontier = new Queue<int>([process.Id]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, _) in parents.Where(p => p.Parent == parent))
            {
                found.Add(pid);
                frontier.Enqueue(pid);
            }
        }

        return found;
    }

    /// <summary>Ends the server at once (SIGKILL), as a crash or an out-of-memory kill would.</summary>
    public async Task CrashAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
    }

    /// <summary>Stops the server the way an operator does (SIGTERM), killing it if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private static Process Start(IEnumerable<string> arguments, string? adminPassword, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "ferry"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test run built everything already; the launcher must not build or install in parallel.
        info.Environment["FERRY_NO_BUILD"] = "1";
        info.Environment["FERRY_SKIP_INSTALL"] = "1";
        info.Environment.Remove("FERRY_ADMIN_PASSWORD");
        info.Environment.Remove("FERRY_DATA_DIR");
        info.Environment.Remove("FERRY_URLS");
        if (adminPassword is not null)
        {
            info.Environment["FERRY_ADMIN_PASSWORD"] = adminPassword;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start ./ferry");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    private static int ParentOf(string pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1; // it ended while we looked
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ferry.slnx")) && File.Exists(Path.Combine(dir.FullName, "ferry")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Ferry.slnx and ./ferry) was not found above " + AppContext.BaseDirectory);
    }
}
