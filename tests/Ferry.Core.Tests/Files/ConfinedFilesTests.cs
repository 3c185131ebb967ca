using Ferry.Core.Files;
using Ferry.Core.Snapshots;

namespace Ferry.Core.Tests.Files;

/// <summary>ConfinedFiles on a real file system: links are never followed, and what passes through it arrives whole.</summary>
public sealed class ConfinedFilesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("ferry-confined-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void OpenRead_ALinkOrALinkedDirectory_ReadsAsMissing()
    {
        var outside = Path.Combine(root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "key");
        var inside = Directory.CreateDirectory(Path.Combine(root, "inside")).FullName;
        File.CreateSymbolicLink(Path.Combine(inside, "link"), Path.Combine(outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(inside, "dir"), outside);

        Assert.Null(ConfinedFiles.OpenRead(inside, "link"));
        Assert.Null(ConfinedFiles.OpenRead(inside, "dir/secret"));
        Assert.Empty(ConfinedFiles.ListFiles(inside));
        Assert.Throws<IOException>(() => ConfinedFiles.Create(inside, "dir/new"));
        Assert.False(File.Exists(Path.Combine(outside, "new")));
    }

    [Fact]
    public void DeleteTree_NamesThatAreNotUtf8_DeepNesting_LinksAndLockedDirectories_AllGoButWhatLinksPointAt()
    {
        var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret"), "key");
        var tree = Directory.CreateDirectory(Path.Combine(root, "tree")).FullName;

        // What user code can leave: names .NET cannot name again, 2,000 levels, links out, a directory locked to all.
        const string Plant = """
            import os, sys
            os.chdir(sys.argv[1])
            os.mkdir(b"dir\xff")
            open(b"dir\xff/file\xfe", "w").write("x")
            os.symlink(sys.argv[2], "link-to-outside")
            os.symlink(sys.argv[2] + "/secret", b"dir\xff/link\xfd")
            os.makedirs("locked/inner")
            open("locked/inner/f", "w").write("x")
            os.chmod("locked/inner", 0)
            os.chmod("locked", 0)
            os.mkdir("deep")
            os.chdir("deep")
            for _ in range(2000):
                os.mkdir("d")
                os.chdir("d")
            open("bottom", "w").write("x")
            """;
        using (var python = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", Plant, tree, outside]))
        {
            python.WaitForExit();
            Assert.Equal(0, python.ExitCode);
        }

        Assert.ThrowsAny<IOException>(() => Directory.Delete(tree, recursive: true)); // what Ferry did before: a name that is not UTF-8 stopped it
        ConfinedFiles.DeleteTree(tree);

        Assert.False(Directory.Exists(tree));
        Assert.Equal("key", File.ReadAllText(Path.Combine(outside, "secret")));
        ConfinedFiles.DeleteTree(tree); // nothing there: nothing to do
    }

    [Fact]
    public void DeleteTree_ADirectoryMovedOutWhileItIsEmptied_NeverLeadsTheDeletionOutOfTheTree()
    {
        // What a template's other copy can do while a dead copy's directory is deleted: move the directory being
        // emptied elsewhere. Climbing through its ".." would then empty the directories above where it went.
        var keep = Directory.CreateDirectory(Path.Combine(root, "keep")).FullName;
        File.WriteAllText(Path.Combine(keep, "sentinel"), "kept");
        var elsewhere = Directory.CreateDirectory(Path.Combine(keep, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(elsewhere, "sentinel"), "kept");
        var tree = Directory.CreateDirectory(Path.Combine(root, "tree", "A", "B")).FullName;
        for (var i = 0; i < 20_000; i++)
        {
            File.WriteAllBytes(Path.Combine(tree, $"f{i:D5}"), []);
        }

        const string Mover = """
            import ctypes, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init()
            libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x200)  # IN_DELETE: the deletion has begun
            print('watching', flush=True)
            os.read(fd, 4096)
            os.rename(sys.argv[1], sys.argv[2])
            """;
        using var mover = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-c", Mover, tree, Path.Combine(elsewhere, "B")]) { RedirectStandardOutput = true })!;
        Assert.Equal("watching", mover.StandardOutput.ReadLine());

        try
        {
            ConfinedFiles.DeleteTree(Path.Combine(root, "tree"));
        }
        catch (IOException)
        {
            // moved away mid-way: the rest stays, as it should
        }

        mover.WaitForExit();
        Assert.Equal("kept", File.ReadAllText(Path.Combine(keep, "sentinel")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(elsewhere, "sentinel")));
    }

    [Fact]
    public void SetSocketMode_GivesASocketItsMode_AndNeverFollowsALinkPutInItsPlace()
    {
        var secret = Path.Combine(root, "secret");
        File.WriteAllText(secret, "key");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(run, "s")));
            ConfinedFiles.SetSocketMode(run, "s", (UnixFileMode)0x1B6);
            Assert.Equal((UnixFileMode)0x1B6, File.GetUnixFileMode(Path.Combine(run, "s")));
        }

        // User code renamed a link to the server's key over its socket: the mode is not the key's to change.
        File.CreateSymbolicLink(Path.Combine(run, "f1"), secret);
        Assert.Throws<IOException>(() => ConfinedFiles.SetSocketMode(run, "f1", (UnixFileMode)0x1B6));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
    }

    [Fact]
    public void PackAndUnpack_FilesOfEverySize_ArriveWhole()
    {
        var source = Directory.CreateDirectory(Path.Combine(root, "source")).FullName;
        var sizes = new Dictionary<string, int> { ["empty"] = 0, ["one"] = 1, ["page"] = 4096, ["odd/deep/mid"] = 100_003, ["big"] = 3 << 20 };
        foreach (var (name, size) in sizes)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, name))!);
            File.WriteAllBytes(Path.Combine(source, name), [.. Enumerable.Range(0, size).Select(i => (byte)(i * 7 + size))]);
        }

        using (var sparse = File.Create(Path.Combine(source, "sparse")))
        {
            sparse.SetLength(8 << 20);
            sparse.Position = 5 << 20;
            sparse.WriteByte(42);
        }

        using (var tail = File.Create(Path.Combine(source, "tail")))
        {
            tail.Position = 100 << 20; // a hole, then one byte: its length is odd and its data sits at the end
            tail.WriteByte(1);
        }

        var workspace = Path.Combine(root, "workspace.dill");
        File.WriteAllBytes(workspace, [1, 2, 3]);
        var zip = Path.Combine(root, "snapshot.zip");
        SnapshotContent.Pack(workspace, source, zip);

        var target = Directory.CreateDirectory(Path.Combine(root, "target")).FullName;
        File.WriteAllText(Path.Combine(target, "big"), "an older, shorter file"); // replaced whole
        SnapshotContent.Unpack(zip, target, Path.Combine(root, "loaded.dill"));
        foreach (var name in sizes.Keys.Append("sparse").Append("tail"))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(Path.Combine(target, name)));
        }

        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(root, "loaded.dill")));
    }
}
