using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Core.Files;

/// <summary>
/// File access inside a directory that user code can write to (a worker's working directory, a run's
/// directory). User code can plant a symbolic link where the server expects a file, pointing at the
/// signing key, or swap a directory for one while the server walks it: every path here is resolved
/// by the kernel with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), relative to the directory, so
/// no link is ever followed and nothing outside is reached, whatever user code does meanwhile. What
/// the server writes there belongs to the directory's owner (the worker's account), so user code can
/// change it like its own files.
/// </summary>
public static partial class ConfinedFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;
    private const long SysOpenat2 = 437; // the same number on every 64-bit Linux architecture
    private const int Enoent = 2;
    private const int Eexist = 17;
    private const int Eacces = 13;
    private const int Eisdir = 21;
    private const int AtRemoveDir = 0x200;
    private const byte DirectoryEntryDirectory = 4; // DT_DIR
    private const ushort TypeMask = 0xF000;
    private const ushort RegularFile = 0x8000;
    private const ushort DirectoryType = 0x4000;
    private const ushort SymbolicLink = 0xA000;
    private const ushort SocketType = 0xC000;

    // x86-64 and arm64 spell some open flags differently.
    private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64;
    private static readonly ulong ODirectory = Arm ? 0x4000UL : 0x10000UL;
    private static readonly ulong ONoFollow = Arm ? 0x8000UL : 0x20000UL;
    private const ulong OWriteOnly = 0x1;
    private const ulong OCreate = 0x40;
    private const ulong OTruncate = 0x200;
    private const ulong ONonBlock = 0x800;
    private const ulong OCloseOnExec = 0x80000;
    private const ulong OPath = 0x200000;

    /// <summary>Opens an existing regular file for reading; null when there is none (a link, a directory and a pipe are none).</summary>
    public static FileStream? OpenRead(string root, string relativePath)
    {
        using var directory = OpenRoot(root);
        var handle = Open(directory, Normalize(relativePath), ONonBlock | ONoFollow, 0, out _);
        if (handle is null)
        {
            return null;
        }

        if (Type(handle) != RegularFile)
        {
            handle.Dispose();
            return null;
        }

        return new FileStream(handle, FileAccess.Read, bufferSize: 0);
    }

    /// <summary>Whether a regular file is there (never through a link).</summary>
    public static bool Exists(string root, string relativePath)
    {
        using var file = OpenRead(root, relativePath);
        return file is not null;
    }

    /// <summary>Creates or empties a file for writing, and its missing parent directories; an entry in the way is an <see cref="IOException"/>.</summary>
    public static FileStream Create(string root, string relativePath)
    {
        var parts = Normalize(relativePath).Split('/');
        using var rootHandle = OpenRoot(root);
        var (uid, gid) = Owner(rootHandle);
        var directory = rootHandle;
        try
        {
            foreach (var part in parts[..^1])
            {
                var next = Open(directory, part, ODirectory | OPath, 0, out var errno);
                if (next is null && errno == Enoent)
                {
                    if (MakeDirectory(directory, part, 0x1ED) != 0 && Marshal.GetLastPInvokeError() != Eexist)
                    {
                        throw new IOException($"Could not create the directory '{part}' of '{relativePath}'.");
                    }

                    GiveAway(directory, part, uid, gid);
                    next = Open(directory, part, ODirectory | OPath, 0, out errno);
                }

                if (next is null)
                {
                    throw new IOException($"'{part}' in '{relativePath}' is not a directory.");
                }

                if (directory != rootHandle)
                {
                    directory.Dispose();
                }

                directory = next;
            }

            // Non-blocking: opening a FIFO user code left in its place must fail now, not wait forever for a reader.
            var file = Open(directory, parts[^1], OWriteOnly | OCreate | OTruncate | ONoFollow | ONonBlock, 0x1A4, out var fileErrno)
                ?? throw new IOException($"Could not write '{relativePath}' (error {fileErrno}): something else is in its place.");
            if (Type(file) != RegularFile)
            {
                file.Dispose();
                throw new IOException($"'{relativePath}' is not a regular file.");
            }

            GiveAway(directory, parts[^1], uid, gid);
            return new FileStream(file, FileAccess.Write, bufferSize: 0);
        }
        finally
        {
            if (directory != rootHandle)
            {
                directory.Dispose();
            }
        }
    }

    /// <summary>
    /// Sets the mode of the socket <paramref name="name"/> in <paramref name="directory"/>, a directory user code can write to:
    /// through a descriptor of what is there (no link followed), and only if it is a socket. A chmod by path follows a link
    /// user code swapped in, and the server (root) would change the mode of whatever the link names.
    /// </summary>
    public static void SetSocketMode(string directory, string name, UnixFileMode mode)
    {
        using var root = OpenRoot(directory);
        using var handle = Open(root, Normalize(name), OPath | ONoFollow, 0, out var errno)
            ?? throw new IOException($"The socket '{name}' cannot be opened (error {errno}).");
        if (Type(handle) != SocketType)
        {
            throw new IOException($"'{name}' is no longer the socket made there: something replaced it.");
        }

        if (!ChmodThrough((int)handle.DangerousGetHandle(), (uint)mode))
        {
            throw new IOException($"The socket '{name}' cannot be given its mode (error {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>
    /// What stands where a file is to be created (never through a link): null when every part of the way that is
    /// there is a directory and the file is a regular file or is not there; else which part is in the way, and what it is.
    /// </summary>
    public static string? InTheWay(string root, string relativePath)
    {
        var parts = Normalize(relativePath).Split('/');
        using var rootHandle = OpenRoot(root);
        var directory = rootHandle;
        try
        {
            for (var i = 0; i < parts.Length; i++)
            {
                var type = TypeAt(directory, parts[i]);
                var last = i == parts.Length - 1;
                if (type == 0 || (last && type == RegularFile))
                {
                    return null; // not there (the rest is made), or a file to replace
                }

                if (last || type != DirectoryType)
                {
                    return $"'{string.Join('/', parts[..(i + 1)])}' is {(type == DirectoryType ? "a directory" : type == RegularFile ? "a file" : type == SymbolicLink ? "a link" : "not a regular file")}";
                }

                var next = Open(directory, parts[i], ODirectory | OPath, 0, out _);
                if (next is null)
                {
                    return $"'{string.Join('/', parts[..(i + 1)])}' cannot be opened";
                }

                if (!ReferenceEquals(directory, rootHandle))
                {
                    directory.Dispose();
                }

                directory = next;
            }

            return null;
        }
        finally
        {
            if (!ReferenceEquals(directory, rootHandle))
            {
                directory.Dispose();
            }
        }
    }

    /// <summary>The regular files under <paramref name="relativeDirectory"/> of the root, as '/'-separated paths relative to the root, in order.</summary>
    public static IReadOnlyList<string> ListFiles(string root, string relativeDirectory = "", bool recursive = true)
    {
        var result = new List<string>();
        Walk(root, relativeDirectory.Trim('/'), recursive, (_, _, entry, type) =>
        {
            if (type == RegularFile)
            {
                result.Add(entry);
            }
        });
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>
    /// Hands a directory and everything under it to an account (links themselves, never what they
    /// point at). For the server's own trees before user code runs in them.
    /// </summary>
    public static void GiveTree(string root, uint uid, uint gid)
    {
        using var rootHandle = OpenRoot(root);
        _ = Fchownat((int)rootHandle.DangerousGetHandle(), "", uid, gid, AtEmptyPath);
        Walk(root, "", recursive: true, (directory, name, _, _) => Fchownat((int)directory.DangerousGetHandle(), name, uid, gid, AtSymlinkNoFollow));
    }

    /// <summary>A server running as root hands a file of its own, about to be moved into a directory, to that directory's owner.</summary>
    public static void GiveToOwnerOf(string directory, string file)
    {
        if (Geteuid() == 0 && OwnerOf(directory) is { Uid: not 0 } owner)
        {
            _ = Fchownat(AtFdCwd, file, owner.Uid, owner.Gid, AtSymlinkNoFollow);
        }
    }

    /// <summary>The owner of a directory, or null when it cannot be opened.</summary>
    public static (uint Uid, uint Gid)? OwnerOf(string directory)
    {
        try
        {
            using var handle = OpenRoot(directory);
            return Owner(handle);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Calls <paramref name="visit"/> for every entry under a directory of the root (its directory's handle, its name, its relative path, its type), never through a link.</summary>
    private static void Walk(string root, string start, bool recursive, Action<SafeFileHandle, string, string, ushort> visit)
    {
        using var rootHandle = OpenRoot(root);
        var pending = new Stack<string>();
        pending.Push(start);
        while (pending.Count > 0)
        {
            var relative = pending.Pop();
            using var opened = relative.Length == 0 ? null : Open(rootHandle, Normalize(relative), ODirectory | OPath, 0, out _);
            var handle = relative.Length == 0 ? rootHandle : opened;
            if (handle is null)
            {
                continue;
            }

            // The descriptor's magic link names exactly the directory opened, wherever it has been moved since.
            List<string> names;
            try
            {
                names = [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{handle.DangerousGetHandle()}").Select(p => Path.GetFileName(p))];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var name in names)
            {
                var entry = relative.Length == 0 ? name : relative + "/" + name;
                var type = TypeAt(handle, name);
                visit(handle, name, entry, type);
                if (type == DirectoryType && recursive)
                {
                    pending.Push(entry);
                }
            }
        }
    }

    /// <summary>
    /// Deletes a directory and everything under it, whatever user code left there: entries are named by the bytes the
    /// kernel gives (a name that is not UTF-8 too, which .NET's own enumeration cannot name again), a link is removed,
    /// never followed, a directory user code made unreadable is opened up first, and any depth takes no stack (each
    /// level is left through its "..", with only the names and identities of the way down kept). User code may still
    /// run beside it (a template's other copies): a directory moved away while it is emptied is found out when its
    /// ".." is not the directory it was entered from, and the deletion stops there, never climbing out of the tree.
    /// Nothing there is nothing to do; what cannot be removed is an <see cref="IOException"/>.
    /// </summary>
    public static void DeleteTree(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        SafeFileHandle parent;
        try
        {
            parent = OpenRoot(Path.GetDirectoryName(full) ?? "/");
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        using (parent)
        {
            var name = NullTerminated(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(full)));
            var top = OpenDirectoryAt((int)parent.DangerousGetHandle(), name);
            if (top < 0)
            {
                return; // gone, or not a directory (a link, say): nothing of the server's to delete
            }

            var current = top;
            var path = new Stack<(byte[] Name, (ulong Device, ulong Inode) Parent)>();
            var buffer = new byte[32 * 1024];
            try
            {
                while (true)
                {
                    if (EmptyAllButFirstDirectory(current, buffer) is { } child)
                    {
                        var next = OpenDirectoryAt(current, child);
                        if (next < 0)
                        {
                            throw new IOException($"A directory under '{full}' cannot be opened to delete it (error {Marshal.GetLastPInvokeError()}).");
                        }

                        path.Push((child, Identity(current)));
                        _ = Close(current);
                        current = next;
                        continue;
                    }

                    if (path.Count == 0)
                    {
                        break;
                    }

                    var (emptied, from) = path.Pop();
                    var up = OpenAt(current, NullTerminated(".."u8.ToArray()), (int)(ODirectory | ONoFollow | OCloseOnExec));
                    _ = Close(current);
                    current = up;
                    if (current < 0 || Identity(current) != from)
                    {
                        throw new IOException($"A directory under '{full}' was moved while it was being deleted; the rest stays.");
                    }

                    if (UnlinkAt(current, emptied, AtRemoveDir) != 0 && Marshal.GetLastPInvokeError() != Enoent)
                    {
                        throw new IOException($"A directory under '{full}' cannot be deleted (error {Marshal.GetLastPInvokeError()}).");
                    }
                }
            }
            finally
            {
                if (current >= 0)
                {
                    _ = Close(current);
                }
            }

            if (UnlinkAt((int)parent.DangerousGetHandle(), name, AtRemoveDir) != 0 && Marshal.GetLastPInvokeError() != Enoent)
            {
                throw new IOException($"The directory '{full}' cannot be deleted (error {Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    /// <summary>
    /// <see cref="DeleteTree"/> for clean-up that must not fail its caller: false when something could not go (user code's
    /// leftovers, a tree moved while it was deleted); the next start's sweep takes it.
    /// </summary>
    public static bool TryDeleteTree(string directory)
    {
        try
        {
            DeleteTree(directory);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes every entry of a directory but its subdirectories, and names the first of those (null when there is none).</summary>
    private static byte[]? EmptyAllButFirstDirectory(int directory, byte[] buffer)
    {
        _ = Lseek(directory, 0, 0);
        byte[]? first = null;
        while (true)
        {
            var read = GetDents64(directory, buffer);
            if (read <= 0)
            {
                return read == 0 ? first : throw new IOException($"A directory cannot be read to delete it (error {Marshal.GetLastPInvokeError()}).");
            }

            for (var at = 0; at < read;)
            {
                var length = BitConverter.ToUInt16(buffer, at + 16);
                var type = buffer[at + 18];
                var end = Array.IndexOf(buffer, (byte)0, at + 19);
                var name = buffer.AsSpan(at + 19, end - (at + 19));
                at += length;
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }

                var entry = NullTerminated(name.ToArray());
                if (type == DirectoryEntryDirectory || (UnlinkAt(directory, entry, 0) != 0 && Marshal.GetLastPInvokeError() == Eisdir))
                {
                    first ??= entry;
                }
            }
        }
    }

    /// <summary>
    /// Opens a directory (never through a link) to read and delete in. One user code made unreadable is opened up first:
    /// through a descriptor of the directory itself (O_PATH, no link followed), so a link swapped in meanwhile changes nothing.
    /// </summary>
    private static int OpenDirectoryAt(int directory, byte[] name)
    {
        var flags = (int)(ODirectory | ONoFollow | OCloseOnExec); // read-only
        var fd = OpenAt(directory, name, flags);
        if (fd >= 0 || Marshal.GetLastPInvokeError() != Eacces)
        {
            return fd;
        }

        var handle = OpenAt(directory, name, (int)(ODirectory | ONoFollow | OPath | OCloseOnExec));
        if (handle < 0)
        {
            return -1;
        }

        try
        {
            return ChmodThrough(handle, 0x1C0 /* 0700 */) ? OpenAt(handle, NullTerminated("."u8.ToArray()), flags) : -1;
        }
        finally
        {
            _ = Close(handle);
        }
    }

    /// <summary>
    /// Changes the mode of what a descriptor (O_PATH, opened without following a link) names, through its magic link: the
    /// very file opened, never a path user code can swap a link into meanwhile.
    /// </summary>
    private static bool ChmodThrough(int descriptor, uint mode) =>
        FchmodAt(AtFdCwd, NullTerminated(System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{descriptor}")), mode, 0) == 0;

    /// <summary>A directory's device and inode: what it is, wherever it has been moved.</summary>
    private static unsafe (ulong Device, ulong Inode) Identity(int fd)
    {
        var buffer = stackalloc byte[256];
        return Statx(fd, "", AtEmptyPath, 0x100 /* STATX_INO */, buffer) == 0
            ? (((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140), *(ulong*)(buffer + 32))
            : throw new IOException($"A directory cannot be examined to delete it (error {Marshal.GetLastPInvokeError()}).");
    }

    private static byte[] NullTerminated(byte[] name) => [.. name, 0];

    /// <summary>
    /// Whether a relative path is one this class can open: no empty, "." or ".." part, no NUL, no
    /// leading '/'. Callers that take paths from clients check with it first for a clear 400.
    /// </summary>
    public static bool IsPlainRelativePath(string path) =>
        path.Length > 0 && !path.Contains('\0', StringComparison.Ordinal) && !path.StartsWith('/')
        && path.Split('/').All(part => part.Length is > 0 and <= 255 && part is not ("." or ".."));

    private static string Normalize(string relativePath) =>
        IsPlainRelativePath(relativePath) ? relativePath : throw new ArgumentException($"'{relativePath}' is not a plain relative path.", nameof(relativePath));

    private static SafeFileHandle OpenRoot(string root)
    {
        var how = new OpenHow { Flags = ODirectory | OPath | OCloseOnExec };
        var fd = Openat2(AtFdCwd, Path.GetFullPath(root), ref how, (nuint)Marshal.SizeOf<OpenHow>());
        return fd >= 0
            ? new SafeFileHandle((nint)fd, ownsHandle: true)
            : throw new DirectoryNotFoundException($"The directory '{root}' cannot be opened (error {Marshal.GetLastPInvokeError()}).");
    }

    private static SafeFileHandle? Open(SafeFileHandle directory, string relative, ulong flags, ulong mode, out int errno)
    {
        var how = new OpenHow { Flags = flags | OCloseOnExec, Mode = mode, Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks };
        var fd = Openat2((int)directory.DangerousGetHandle(), relative, ref how, (nuint)Marshal.SizeOf<OpenHow>());
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd >= 0 ? new SafeFileHandle((nint)fd, ownsHandle: true) : null;
    }

    private static ushort Type(SafeFileHandle handle) => StatType((int)handle.DangerousGetHandle(), "", AtEmptyPath);

    private static ushort TypeAt(SafeFileHandle directory, string name) => StatType((int)directory.DangerousGetHandle(), name, AtSymlinkNoFollow);

    private static unsafe ushort StatType(int fd, string name, int flags)
    {
        var buffer = stackalloc byte[256];
        return Statx(fd, name, flags, 0x1 /* STATX_TYPE */, buffer) == 0 ? (ushort)(*(ushort*)(buffer + 28) & TypeMask) : (ushort)0;
    }

    private static unsafe (uint Uid, uint Gid) Owner(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, 0x8 | 0x10 /* STATX_UID | STATX_GID */, buffer) == 0
            ? (*(uint*)(buffer + 20), *(uint*)(buffer + 24))
            : (0u, 0u);
    }

    /// <summary>A server running as root hands what it writes to the directory's owner.</summary>
    private static void GiveAway(SafeFileHandle directory, string name, uint uid, uint gid)
    {
        if (uid != 0 && Geteuid() == 0)
        {
            _ = Fchownat((int)directory.DangerousGetHandle(), name, uid, gid, AtSymlinkNoFollow);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    private static int Openat2(int directory, string path, ref OpenHow how, nuint size) => (int)Syscall(SysOpenat2, directory, path, ref how, size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int directory, string path, ref OpenHow how, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeDirectoryAt(int directory, string path, uint mode);

    private static int MakeDirectory(SafeFileHandle directory, string name, uint mode) => MakeDirectoryAt((int)directory.DangerousGetHandle(), name, mode);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Fchownat(int directory, string path, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAt(int directory, byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAt(int directory, byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
    private static partial int FchmodAt(int directory, byte[] path, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private static int GetDents64(int fd, byte[] buffer) => (int)GetDents(Arm ? 61 : 217, fd, buffer, (nuint)buffer.Length);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long GetDents(long number, int fd, byte[] buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();
}
