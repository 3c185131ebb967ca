using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's binaries) in a temporary directory, shared by the tests of
/// <see cref="PostgresTestGroup"/>: initdb'd and run as an unprivileged account (PostgreSQL refuses
/// root), listening on 127.0.0.1 only with trust authentication, stopped and deleted afterwards.
/// Each test gets a database of its own from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string Superuser = "ferry";
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"ferry-pg-{Guid.NewGuid():N}");
    private string binDirectory = "";
    private (int Uid, int Gid) account;
    private int port;

    private string DataDirectory => Path.Combine(directory, "data");

    public async Task InitializeAsync()
    {
        binDirectory = FindBinDirectory();
        account = FindAccount();
        Directory.CreateDirectory(directory);
        await RunAsync("chown", [$"{account.Uid}:{account.Gid}", directory]);
        await RunAsAccountAsync("initdb", ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]);
        port = FreePort();

        // Durability is not what these tests are about: no fsync keeps a database per test cheap.
        var options = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsAccountAsync("pg_ctl", ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", Path.Combine(directory, "server.log"), "-o", options]);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunAsAccountAsync("pg_ctl", ["stop", "-m", "immediate", "-D", DataDirectory]);
        }

        Directory.Delete(directory, recursive: true);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"ferry_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = Superuser, Database = database, Pooling = true }.ConnectionString;

    /// <summary>pg_config's directory when it has the server binaries, else Debian's newest under /usr/lib/postgresql.</summary>
    private static string FindBinDirectory()
    {
        var candidates = new List<string>();
        try
        {
            using var pgConfig = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            candidates.Add(pgConfig.StandardOutput.ReadToEnd().Trim());
            pgConfig.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no pg_config (it comes with libpq-dev): look where Debian installs the server
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.EnumerateDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL's server binaries were not found; install them with: sudo apt-get install -y postgresql (./ferry test does).");
    }

    /// <summary>The postgres account when there is one, else nobody; never root.</summary>
    private static (int Uid, int Gid) FindAccount()
    {
        var entries = File.ReadAllLines("/etc/passwd").Select(line => line.Split(':')).Where(f => f.Length > 3).ToList();
        var entry = entries.FirstOrDefault(f => f[0] == "postgres") ?? entries.First(f => f[0] == "nobody");
        return (int.Parse(entry[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(entry[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task RunAsAccountAsync(string program, IEnumerable<string> arguments) =>
        IsRoot()
            ? RunAsync("setpriv", [$"--reuid={account.Uid}", $"--regid={account.Gid}", "--clear-groups", "--", Path.Combine(binDirectory, program), .. arguments])
            : RunAsync(Path.Combine(binDirectory, program), arguments);

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");

    private async Task RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory.Exists(directory) ? directory : "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
