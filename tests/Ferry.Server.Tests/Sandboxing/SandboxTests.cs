using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sandboxing;

/// <summary>How the server shows its sandbox, refuses code it cannot contain, and holds each worker to its limits.</summary>
public sealed class SandboxTests
{
    [Fact]
    public async Task Status_ShowsTheSandbox()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var sandbox = (await HttpAssert.OkJsonAsync(await client.GetAsync("/status"))).GetProperty("components").GetProperty("sandbox");
        Assert.Equal("pass", sandbox.GetProperty("statusCode").GetString());
        var details = sandbox.GetProperty("details");
        Assert.Equal("Bubblewrap", details.GetProperty("mode").GetString());
        Assert.Equal("off", details.GetProperty("network").GetString());
        Assert.StartsWith("bubblewrap", details.GetProperty("bubblewrap").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSandbox_StatusFails_AndEveryCodePathAnswers503NamingTheFix()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sandbox:Bubblewrap"] = "/nonexistent/bwrap" });
        using var client = await factory.LoggedInClientAsync();
        var sandbox = (await HttpAssert.OkJsonAsync(await client.GetAsync("/status"))).GetProperty("components").GetProperty("sandbox");
        Assert.Equal("fail", sandbox.GetProperty("statusCode").GetString());
        Assert.Contains("apt-get install -y bubblewrap", sandbox.GetProperty("details").GetProperty("problem").GetString(), StringComparison.Ordinal);

        using (var session = await client.PostAsJsonAsync("/sessions", new { name = "s", runtimeType = "Python" }))
        {
            await HttpAssert.ErrorAsync(session, HttpStatusCode.ServiceUnavailable, "bubblewrap");
        }

        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using (var run = await ArmApi.PostRunAsync(client, workspace, "e", ("hello.py", "print(1)"), """{"Configuration":{"Script":"hello.py","Target":"local"}}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, run.StatusCode);
            Assert.Contains("bubblewrap", await run.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var publish = await client.PostAsJsonAsync("/services/nosandbox/1.0", new { code = "y = 1", outputParameterDefinitions = new[] { new { name = "y", type = "integer" } }, runtimeType = "Python" }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        using var consume = await client.PostAsJsonAsync("/api/nosandbox/1.0", new { });
        await HttpAssert.ErrorAsync(consume, HttpStatusCode.ServiceUnavailable, "bubblewrap");
    }

    [Fact]
    public async Task ModeNone_IsExplicit_WarnsInStatusAndLog()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sandbox:Mode"] = "None" });
        using var client = await factory.LoggedInClientAsync();
        var sandbox = (await HttpAssert.OkJsonAsync(await client.GetAsync("/status"))).GetProperty("components").GetProperty("sandbox");
        Assert.Equal("warn", sandbox.GetProperty("statusCode").GetString());
        Assert.Equal("None", sandbox.GetProperty("details").GetProperty("mode").GetString());
        Assert.Contains(factory.Logs.Entries, e => e.Message.Contains("unsandboxed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Limits_FileSizeAndOpenFiles_AreFailedExecutions_TheSessionLivesOn()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
        {
            ["Ferry:Sandbox:MaxFileSizeMb"] = "1",
            ["Ferry:Sandbox:MaxOpenFiles"] = "64",
        });
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);

        var big = await SessionApi.ExecuteAsync(client, id, new { code = "open('big', 'wb').write(b'x' * 2_000_000)" });
        Assert.False(big.GetProperty("success").GetBoolean());
        Assert.Contains("File too large", big.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        var files = await SessionApi.ExecuteAsync(client, id, new { code = "kept = [open('/dev/null') for _ in range(200)]" });
        Assert.False(files.GetProperty("success").GetBoolean());
        Assert.Contains("Too many open files", files.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        Assert.Equal(2, (await SessionApi.RunAsync(client, id, "x = 1 + 1", "x"))["x"].GetInt32());
    }

    [Fact]
    public async Task SandboxMemory_ProcessesThatForkTogetherPastItsBound_AreKilledInsideIt_TheSessionAndServerLiveOn()
    {
        // Each child stays far under the per-process limit (4,096 MiB of address space); together they pass the
        // sandbox's 512 MiB, which only a memory cgroup of the sandbox's own sees.
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sandbox:SandboxMemoryMb"] = "512" });
        using var client = await factory.LoggedInClientAsync();
        var sandbox = (await HttpAssert.OkJsonAsync(await client.GetAsync("/status"))).GetProperty("components").GetProperty("sandbox");
        var memory = sandbox.GetProperty("details").GetProperty("memory").GetString()!;
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.StartsWith("per process only", memory, StringComparison.Ordinal); // and says why: no cgroup can be made
            return;
        }

        Assert.StartsWith("a memory cgroup per sandbox (512 MiB", memory, StringComparison.Ordinal);
        var id = await SessionApi.CreateAsync(client);
        const string Code = """
            import os, time
            children = []
            for _ in range(4):
                pid = os.fork()
                if pid == 0:
                    held = b"x" * (200 << 20)  # written, so resident
                    time.sleep(3)
                    os._exit(0)
                children.append(pid)
            ends = sorted(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)
            """;
        var ends = (await SessionApi.RunAsync(client, id, Code, "ends"))["ends"].EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Contains(-9, ends); // killed by the kernel, inside the sandbox's group
        Assert.Equal(2, (await SessionApi.RunAsync(client, id, "x = 1 + 1", "x"))["x"].GetInt32());

        // TCP buffers (here the sandbox's own loopback) count too, apart from the rest on cgroup v1: without a
        // TCP bound of the group's own, 120 connections nobody reads held 1,166 MB (the same code on the host).
        const string Sockets = """
            import socket
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            server.bind(("127.0.0.1", 0))
            server.listen(200)
            held, kept, chunk = 0, [], b"x" * (1 << 20)
            for _ in range(120):
                client = socket.socket()
                client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
                client.connect(server.getsockname())
                kept.append((client, server.accept()[0]))
                client.setblocking(False)
                while True:
                    try:
                        held += client.send(chunk)
                    except OSError:
                        break
            held_mb = held >> 20
            """;
        var heldMb = (await SessionApi.RunAsync(client, id, Sockets, "held_mb"))["held_mb"].GetInt32();
        Assert.InRange(heldMb, 1, 512); // the sandbox's TCP bound is 256 MiB

        // The session's group is the one that reached its bound; it goes once the session's processes have.
        var own = OwnMemoryGroup();
        Assert.NotNull(own);
        var full = Directory.GetDirectories(Path.Combine(own, $"ferry-{Environment.ProcessId}"))
            .SelectMany(Directory.GetDirectories)
            .Where(g => long.Parse(File.ReadAllText(Path.Combine(g, "memory.failcnt")), System.Globalization.CultureInfo.InvariantCulture) > 0).ToList();
        var group = Assert.Single(full);

        // It is in its user's group, bounded as /status says, though the session took a warm worker started for nobody.
        var user = Path.GetDirectoryName(group)!;
        Assert.StartsWith("user-", Path.GetFileName(user), StringComparison.Ordinal);
        var userMb = long.Parse(File.ReadAllText(Path.Combine(user, "memory.limit_in_bytes")), System.Globalization.CultureInfo.InvariantCulture) >> 20;
        Assert.Contains($"; {userMb} MiB for one user's sandboxes;", memory, StringComparison.Ordinal);
        using (var close = await client.DeleteAsync($"/sessions/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        for (var waited = 0; Directory.Exists(group) && waited < 100; waited++)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists(group), $"{group} outlived its session");
    }

    [Fact]
    public async Task UserMemory_AUserFillingTheirBoundWithSmallProcesses_LosesTheirOwn_NotAnotherUsersLargeWorker()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // no memory groups without root (see the test above): nothing to share fairly
        }

        // All sandboxes 5 % of the machine, a user half of that; a sandbox may reach its user's bound. No warm workers: only these count.
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
        {
            ["Ferry:Sandbox:SandboxMemoryMb"] = "1000000",
            ["Ferry:Sandbox:AllSandboxesMemoryPercent"] = "5",
            ["Ferry:Sandbox:UserMemoryPercent"] = "50",
            ["Ferry:Workers:WarmPoolSize"] = "0",
        });
        using var admin = await factory.LoggedInClientAsync();
        var memory = (await HttpAssert.OkJsonAsync(await admin.GetAsync("/status"))).GetProperty("components").GetProperty("sandbox").GetProperty("details").GetProperty("memory").GetString()!;
        var userMb = int.Parse(System.Text.RegularExpressions.Regex.Match(memory, @"; (\d+) MiB for one user's").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // alice's model: one process holding 60 % of a user's bound, the largest process in any group.
        var alice = await factory.AddUserAsync(Ferry.Core.Users.Role.Contributor);
        using var aliceClient = await factory.LoggedInClientAsync(alice, "user-Passw0rd!");
        var model = await SessionApi.CreateAsync(aliceClient);
        await SessionApi.RunAsync(aliceClient, model, $"held = b'x' * ({userMb * 6 / 10} << 20)\nok = 1", "ok");

        // bob wants twice his bound in small processes, from two sessions: with one pool for all, that filled it and
        // the kernel killed alice's worker, the largest process in it.
        var bob = await factory.AddUserAsync(Ferry.Core.Users.Role.Contributor);
        using var bobClient = await factory.LoggedInClientAsync(bob, "user-Passw0rd!");
        var fill = $$"""
            import os, time
            children = []
            for _ in range({{userMb / 30}}):
                pid = os.fork()
                if pid == 0:
                    held = b"x" * (30 << 20)
                    time.sleep(4)
                    os._exit(0)
                children.append(pid)
            ends = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
            killed = ends.count(-9)
            """;
        var sessions = new[] { await SessionApi.CreateAsync(bobClient), await SessionApi.CreateAsync(bobClient) };
        var killed = await Task.WhenAll(sessions.Select(async id => (await SessionApi.RunAsync(bobClient, id, fill, "killed"))["killed"].GetInt32()));
        Assert.True(killed.Sum() > 0, "bob's processes never passed his bound");

        // alice's worker lives, with what it held.
        Assert.Equal(userMb * 6 / 10, (await SessionApi.RunAsync(aliceClient, model, "mb = len(held) >> 20", "mb"))["mb"].GetInt32());
    }

    private static string? OwnMemoryGroup()
    {
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                return "/sys/fs/cgroup/memory" + parts[2];
            }
        }

        return null;
    }

    [Fact]
    public async Task Run_PastItsCpuTime_FailsWithTheReason()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sandbox:RunCpuSeconds"] = "1" });
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var run = await ArmApi.StartRunAsync(client, workspace, "spin", ("spin.py", "while True:\n    pass"), """{"Configuration":{"Script":"spin.py","Target":"local"}}""");
        var result = await ArmApi.WaitForRunAsync(client, workspace, "spin", run);
        Assert.Equal("Failed", result.GetProperty("status").GetString());
        Assert.Contains("CPU time limit of 1 s", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NetworkIsOffByDefault_AndOnBySetting()
    {
        const string Probe = "print('interfaces', sum(':' in line for line in open('/proc/net/dev')))";
        var host = File.ReadLines("/proc/net/dev").Count(line => line.Contains(':', StringComparison.Ordinal));
        foreach (var (allowed, interfaces) in new[] { (false, 1), (true, host) })
        {
            await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sandbox:RunNetwork"] = allowed.ToString() });
            using var client = await factory.LoggedInClientAsync();
            var workspace = await ArmApi.CreateWorkspaceAsync(client);
            var run = await ArmApi.StartRunAsync(client, workspace, "net", ("net.py", Probe), """{"Configuration":{"Script":"net.py","Target":"local"}}""");
            Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "net", run)).GetProperty("status").GetString());

            // Without network a run has a namespace of its own with only a loopback; with it, the machine's interfaces.
            var log = await File.ReadAllTextAsync(Path.Combine(WorkerFiles.RunDirectory(factory.DataDirectory, run), "azureml-logs", "70_driver_log.txt"));
            Assert.Contains($"interfaces {interfaces}", log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PlantedEntries_AFifoOrADirectoryWhereTheServerWrites_Are409s_NothingHangs()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        await SessionApi.RunAsync(client, id, "open('data.txt', 'w').write('x')");
        string snapshot;
        using (var created = await client.PostAsJsonAsync($"/sessions/{id}/snapshot", new { name = "s" }))
        {
            snapshot = (await HttpAssert.OkJsonAsync(created)).GetProperty("snapshotId").GetString()!;
        }

        await SessionApi.RunAsync(client, id, "import os\nos.remove('data.txt')\nos.mkfifo('data.txt')\nos.mkdir('upload.txt')");
        using (var load = await client.PostAsync($"/sessions/{id}/loadsnapshot/{snapshot}", null).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            await HttpAssert.ErrorAsync(load, HttpStatusCode.Conflict, "data.txt");
        }

        using var form = new MultipartFormDataContent { { new StringContent("x"), "file", "upload.txt" } };
        using (var upload = await client.PostAsync($"/sessions/{id}/files", form))
        {
            await HttpAssert.ErrorAsync(upload, HttpStatusCode.Conflict, "upload.txt");
        }

        Assert.Equal(2, (await SessionApi.RunAsync(client, id, "x = 2", "x"))["x"].GetInt32()); // the session was not held
    }

    [Fact]
    public async Task HugeConsoleOutput_KeepsItsEnds_HugeOutput_IsAFailedExecution()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        var printed = await SessionApi.ExecuteAsync(client, id, new { code = "import sys\nsys.stdout.write('<' + 'a' * (20 << 20) + '>')" });
        Assert.True(printed.GetProperty("success").GetBoolean());
        var console = printed.GetProperty("consoleOutput").GetString()!;
        Assert.InRange(console.Length, 1, 5 << 20);
        Assert.StartsWith("<", console, StringComparison.Ordinal);
        Assert.EndsWith(">", console, StringComparison.Ordinal);
        Assert.Contains("bytes of output left out", console, StringComparison.Ordinal);

        var huge = await SessionApi.ExecuteAsync(client, id, new { code = "s = 'a' * (200 << 20)", outputParameters = new[] { "s" } });
        Assert.False(huge.GetProperty("success").GetBoolean());
        Assert.Contains("more than the", huge.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        // Under the old 192 MiB cap, past the largest value System.Text.Json writes (166,666,666): a 500.
        var past = await SessionApi.ExecuteAsync(client, id, new { code = "s = 'a' * (170 << 20)", outputParameters = new[] { "s" } });
        Assert.False(past.GetProperty("success").GetBoolean());
        Assert.Contains("more than the 150994944", past.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCreations_CannotPassTheSessionLimit()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sessions:MaxSessionsPerUser"] = "3" });
        using var client = await factory.LoggedInClientAsync();
        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.PostAsJsonAsync("/sessions", new { name = "s", runtimeType = "Python" });
            return response.StatusCode;
        }));
        Assert.Equal(3, created.Count(status => status == HttpStatusCode.Created));
        Assert.Equal(5, created.Count(status => status == HttpStatusCode.TooManyRequests));
    }
}
